#!/bin/sh
# Creates Temporal's two PostgreSQL databases (`temporal`, `temporal_visibility`) when missing and
# brings both schemas to the versions this admin-tools image ships. Safe to rerun: setup-schema
# keeps a newer version, update-schema applies only the versions a database lacks. Runs in the
# temporalio/admin-tools image (docker-compose.yml's `temporal-schema`).
set -eu

: "${POSTGRES_SEEDS:?POSTGRES_SEEDS (the database host) is required}"
: "${POSTGRES_USER:?POSTGRES_USER is required}"
: "${SQL_PASSWORD:?SQL_PASSWORD is required}"
port="${DB_PORT:-5432}"
schema_dir=/etc/temporal/schema/postgresql/v12

sql_tool() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$port" -u "$POSTGRES_USER" "$@"
}

for db in temporal temporal_visibility; do
  if out=$(sql_tool --db "$db" create 2>&1); then
    echo "created database $db"
  elif printf '%s' "$out" | grep -q 'already exists'; then
    echo "database $db exists"
  else
    printf '%s\n' "$out" >&2
    exit 1
  fi
done

sql_tool --db temporal setup-schema -v 0.0
sql_tool --db temporal update-schema -d "$schema_dir/temporal/versioned"
sql_tool --db temporal_visibility setup-schema -v 0.0
sql_tool --db temporal_visibility update-schema -d "$schema_dir/visibility/versioned"
echo "temporal and temporal_visibility schemas are current"
