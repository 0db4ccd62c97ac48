//! The warehouse's schema as the database reports it, in one shape for both backends: tables,
//! their columns with kinds and nullability, primary keys and unique indexes. The schema test
//! compares SQLite's with PostgreSQL's, and each table definition's declared kinds with both.

use std::collections::{BTreeMap, BTreeSet};

use super::db::Backend;
use super::sql::{Kind, Sql};
use super::Warehouse;
use crate::error::{PipelineError, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub kind: Kind,
    pub not_null: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Table {
    /// In declaration order.
    pub columns: Vec<Column>,
    pub primary_key: Vec<String>,
    /// Each unique index's columns, with its partial-index condition when it has one.
    pub unique: BTreeSet<(Vec<String>, bool)>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Schema {
    pub tables: BTreeMap<String, Table>,
}

/// The schema of the warehouse's own tables (not the migrations' bookkeeping).
pub async fn read(warehouse: &Warehouse) -> Result<Schema> {
    match warehouse.backend() {
        Backend::Sqlite => read_sqlite(warehouse).await,
        Backend::Postgres => read_postgres(warehouse).await,
    }
}

fn kind_of(table: &str, column: &str, declared: &str) -> Result<Kind> {
    Kind::of_sql_type(declared).ok_or_else(|| {
        PipelineError::Internal(format!(
            "{table}.{column} has type {declared}, which is none of the warehouse's kinds"
        ))
    })
}

async fn read_sqlite(w: &Warehouse) -> Result<Schema> {
    let names: Vec<(String,)> = w
        .fetch(&Sql::new(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND name NOT LIKE '_sqlx%' ORDER BY name",
        ))
        .await?;
    let mut schema = Schema::default();
    for (name,) in names {
        let mut table = Table::default();
        let columns: Vec<(String, String, i64, i64)> = w
            .fetch(
                &Sql::new(
                    // xinfo lists generated columns too (hidden 2 and 3), as PostgreSQL does.
                    "SELECT name, type, \"notnull\", pk FROM pragma_table_xinfo(?) \
                     WHERE hidden <> 1 ORDER BY cid",
                )
                .bind(name.as_str()),
            )
            .await?;
        let mut pk: Vec<(i64, String)> = Vec::new();
        for (column, declared, not_null, pk_pos) in columns {
            table.columns.push(Column {
                kind: kind_of(&name, &column, &declared)?,
                // SQLite lets a primary key column hold NULL unless declared otherwise;
                // an INTEGER PRIMARY KEY never does.
                not_null: not_null != 0 || pk_pos > 0,
                name: column.clone(),
            });
            if pk_pos > 0 {
                pk.push((pk_pos, column));
            }
        }
        pk.sort();
        table.primary_key = pk.into_iter().map(|(_, c)| c).collect();
        let indexes: Vec<(String, i64, String, i64)> = w
            .fetch(
                &Sql::new(
                    "SELECT name, \"unique\", origin, partial FROM pragma_index_list(?) \
                     ORDER BY name",
                )
                .bind(name.as_str()),
            )
            .await?;
        for (index, unique, origin, partial) in indexes {
            if unique == 0 || origin == "pk" {
                continue;
            }
            let columns: Vec<(String,)> = w
                .fetch(
                    &Sql::new("SELECT name FROM pragma_index_info(?) ORDER BY seqno")
                        .bind(index.as_str()),
                )
                .await?;
            table
                .unique
                .insert((columns.into_iter().map(|(c,)| c).collect(), partial != 0));
        }
        schema.tables.insert(name, table);
    }
    Ok(schema)
}

async fn read_postgres(w: &Warehouse) -> Result<Schema> {
    let columns: Vec<(String, String, String, String)> = w
        .fetch(&Sql::new(
            "SELECT table_name::text, column_name::text, upper(data_type::text), \
             is_nullable::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name NOT LIKE '\\_sqlx%' \
             ORDER BY table_name, ordinal_position",
        ))
        .await?;
    let mut schema = Schema::default();
    for (table, column, declared, nullable) in columns {
        let kind = kind_of(&table, &column, &declared)?;
        schema
            .tables
            .entry(table)
            .or_default()
            .columns
            .push(Column {
                name: column,
                kind,
                not_null: nullable == "NO",
            });
    }
    // Every unique index (the primary key's too) with its columns in key order.
    let indexes: Vec<(String, String, i64, i64, String)> = w
        .fetch(&Sql::new(
            "SELECT t.relname::text, i.relname::text, \
             CAST(CASE WHEN x.indisprimary THEN 1 ELSE 0 END AS BIGINT), \
             CAST(CASE WHEN x.indpred IS NULL THEN 0 ELSE 1 END AS BIGINT), a.attname::text \
             FROM pg_index x \
             JOIN pg_class t ON t.oid = x.indrelid \
             JOIN pg_class i ON i.oid = x.indexrelid \
             JOIN pg_namespace n ON n.oid = t.relnamespace \
             JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, pos) ON true \
             JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum \
             WHERE x.indisunique AND n.nspname = current_schema() \
             AND t.relname NOT LIKE '\\_sqlx%' \
             ORDER BY t.relname, i.relname, k.pos",
        ))
        .await?;
    let mut by_index: BTreeMap<(String, String), (bool, bool, Vec<String>)> = BTreeMap::new();
    for (table, index, primary, partial, column) in indexes {
        by_index
            .entry((table, index))
            .or_insert((primary != 0, partial != 0, Vec::new()))
            .2
            .push(column);
    }
    for ((table, _), (primary, partial, columns)) in by_index {
        let Some(t) = schema.tables.get_mut(&table) else {
            continue;
        };
        if primary {
            t.primary_key = columns;
        } else {
            t.unique.insert((columns, partial));
        }
    }
    Ok(schema)
}

/// What differs between two schemas, one line per difference (empty: equivalent).
pub fn differences(a: &Schema, b: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    let names: BTreeSet<&String> = a.tables.keys().chain(b.tables.keys()).collect();
    for name in names {
        match (a.tables.get(name), b.tables.get(name)) {
            (Some(x), Some(y)) => {
                if x.columns != y.columns {
                    for (cx, cy) in x.columns.iter().zip(&y.columns) {
                        if cx != cy {
                            out.push(format!("{name}: column {cx:?} against {cy:?}"));
                        }
                    }
                    if x.columns.len() != y.columns.len() {
                        out.push(format!(
                            "{name}: {} columns against {}",
                            x.columns.len(),
                            y.columns.len()
                        ));
                    }
                }
                if x.primary_key != y.primary_key {
                    out.push(format!(
                        "{name}: primary key {:?} against {:?}",
                        x.primary_key, y.primary_key
                    ));
                }
                if x.unique != y.unique {
                    out.push(format!(
                        "{name}: unique indexes {:?} against {:?}",
                        x.unique, y.unique
                    ));
                }
            }
            (Some(_), None) => out.push(format!("{name}: only in the first")),
            (None, Some(_)) => out.push(format!("{name}: only in the second")),
            (None, None) => {}
        }
    }
    out
}

/// Where a table definition disagrees with the stored schema: a missing table or column, or a
/// column whose stored kind is not the declared one.
pub fn check_table(schema: &Schema, def: &super::TableDef) -> Vec<String> {
    let Some(table) = schema.tables.get(def.name) else {
        return vec![format!("{}: no such table", def.name)];
    };
    let mut out = Vec::new();
    for (column, kind) in def.columns.iter().zip(def.kinds) {
        match table.columns.iter().find(|c| c.name == *column) {
            None => out.push(format!("{}.{column}: no such column", def.name)),
            Some(c) if c.kind != *kind => out.push(format!(
                "{}.{column}: stored as {:?}, declared {kind:?}",
                def.name, c.kind
            )),
            Some(_) => {}
        }
    }
    out
}
