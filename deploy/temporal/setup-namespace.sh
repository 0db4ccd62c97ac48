#!/bin/sh
# Creates the nbaprops namespace when missing and registers the search attributes every nbaprops
# workflow sets (workflows/src/search.rs: game_date, phase, mode, trigger, all Keyword). Safe to
# rerun: what exists is left alone, and an attribute that another client (a worker starting up
# registers missing ones too) added meanwhile counts as done. Runs in the temporalio/admin-tools
# image (docker-compose.yml's `temporal-namespace`) or anywhere the `temporal` CLI is installed.
set -eu

: "${TEMPORAL_ADDRESS:?TEMPORAL_ADDRESS (host:port) is required}"
namespace="${NAMESPACE:-nbaprops}"
retention="${NAMESPACE_RETENTION:-720h}"
search_attributes="game_date phase mode trigger"

attempt=0
until temporal operator cluster health >/dev/null 2>&1; do
  attempt=$((attempt + 1))
  if [ "$attempt" -ge 60 ]; then
    echo "Temporal at $TEMPORAL_ADDRESS is not healthy after $attempt attempts" >&2
    exit 1
  fi
  sleep 2
done

if temporal operator namespace describe --namespace "$namespace" >/dev/null 2>&1; then
  echo "namespace $namespace exists"
else
  temporal operator namespace create --namespace "$namespace" --retention "$retention"
  echo "created namespace $namespace (retention $retention)"
fi

# `search-attribute list` prints one attribute per line, its name in the first column.
registered() {
  temporal operator search-attribute list --namespace "$namespace" | awk '{ print $1 }' | grep -qx "$1"
}

# A namespace just created takes a few seconds to reach every frontend: retry a few rounds.
round=0
for name in $search_attributes; do
  until registered "$name"; do
    if temporal operator search-attribute create --namespace "$namespace" --name "$name" --type Keyword; then
      echo "registered search attribute $name (Keyword)"
      break
    fi
    round=$((round + 1))
    if [ "$round" -ge 30 ]; then
      echo "could not register search attribute $name on namespace $namespace" >&2
      exit 1
    fi
    sleep 2
  done
  echo "search attribute $name: present"
done
