//! The warehouse: SQLite (WAL) through sqlx, migrations embedded from `activities/migrations`.
//!
//! Processors never write SQL. They hand typed rows to [`Warehouse::write_partition`], which
//! compares row hashes with what is stored and, in one transaction, replaces only what changed:
//! running anything twice leaves the same rows with the same hashes and reports zero changes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::str::FromStr;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{QueryBuilder, Row, Sqlite, SqlitePool};

use super::table::{EntityKind, TableDef, TableRow, Value, WriteMode};
use crate::error::Result;
use crate::hashing;

/// What a partition write did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct WriteStats {
    pub written: u32,
    pub unchanged: u32,
    pub removed: u32,
    pub players_changed: BTreeSet<String>,
    pub teams_changed: BTreeSet<String>,
    pub games_changed: BTreeSet<String>,
    /// Order-independent hash over the partition's row hashes after the write.
    pub output_hash: String,
}

/// Narrows a partition write to some entities (incremental reruns, prediction batches): rows
/// of other entities are neither compared nor touched.
#[derive(Debug, Clone)]
pub struct Scope {
    pub column: &'static str,
    pub values: Vec<Value>,
    /// Further equalities the scope is narrowed by: a prediction system's batch owns only its
    /// own system's rows of those players.
    pub equals: Vec<(&'static str, Value)>,
}

/// Stamps that are not business data: never hashed.
#[derive(Debug, Clone)]
pub struct WriteMeta {
    pub correlation_id: String,
    /// UTC RFC 3339.
    pub now: String,
}

#[derive(Clone, Debug)]
pub struct Warehouse {
    pool: SqlitePool,
    /// Parsed partitions behind [`Warehouse::select_window`], shared by the clones.
    windows: std::sync::Arc<super::window::WindowCache>,
}

impl Warehouse {
    /// Opens (creating if needed) the SQLite file and applies the migrations.
    pub async fn open(path: &Path) -> Result<Self> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| {
                crate::error::PipelineError::Internal(format!(
                    "cannot create {}: {e}",
                    parent.display()
                ))
            })?;
        }
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(std::time::Duration::from_secs(30))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        // Two processes opening a new warehouse at once (a worker and the CLI) race through
        // the migrations: the loser finds a table the winner just created. SQLite has no
        // migration lock; once the winner has recorded its migrations, a retry skips them.
        let mut attempt = 0;
        loop {
            match sqlx::migrate!("./migrations").run(&pool).await {
                Ok(()) => break,
                Err(e) if attempt < 5 => {
                    attempt += 1;
                    tracing::debug!("warehouse migration raced another process ({e}); retrying");
                    tokio::time::sleep(std::time::Duration::from_millis(300 * attempt)).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(Self {
            pool,
            windows: Default::default(),
        })
    }

    /// Rows of a table's partition (`nbaprops status`).
    pub async fn count_partition(&self, def: &TableDef, partition: &str) -> Result<i64> {
        let sql = format!(
            "SELECT COUNT(*) FROM {} WHERE {} = ?",
            def.name, def.partition_column
        );
        Ok(sqlx::query_scalar(&sql)
            .bind(partition)
            .fetch_one(&self.pool)
            .await?)
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Replaces the rows of one partition (and optional entity scope) with `rows`, in one
    /// transaction, touching only rows whose hash changed.
    pub async fn write_partition<R: TableRow>(
        &self,
        partition: &str,
        scope: Option<&Scope>,
        rows: &[R],
        meta: &WriteMeta,
    ) -> Result<WriteStats> {
        let def = R::TABLE;
        let key_idx: Vec<usize> = def
            .key_columns
            .iter()
            .map(|c| def.column_index(c))
            .collect();
        let part_idx = def.column_index(def.partition_column);

        // New rows by key, with their hashes.
        let mut incoming: BTreeMap<Vec<String>, (Vec<Value>, String)> = BTreeMap::new();
        for row in rows {
            let values = row.values();
            debug_assert_eq!(values.len(), def.columns.len(), "{}", def.name);
            if values[part_idx].key_string() != partition {
                return Err(crate::error::PipelineError::Internal(format!(
                    "{}: row for {} written to partition {partition}",
                    def.name,
                    values[part_idx].key_string()
                )));
            }
            let key: Vec<String> = key_idx.iter().map(|i| values[*i].key_string()).collect();
            let hash = hashing::row_hash(&values);
            if incoming.insert(key.clone(), (values, hash)).is_some() {
                return Err(crate::error::PipelineError::Internal(format!(
                    "{}: duplicate key {key:?} in one write",
                    def.name
                )));
            }
        }

        // IMMEDIATE takes the write lock up front: a deferred transaction that reads first and
        // writes later fails with SQLITE_BUSY when another writer committed in between.
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;

        // What is stored now (live rows only), by key.
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(format!(
            "SELECT {}, row_hash FROM {} WHERE {} = ",
            def.select_list(),
            def.name,
            def.partition_column
        ));
        q.push_bind(partition.to_string());
        push_scope(&mut q, scope);
        if def.mode == WriteMode::Supersede {
            q.push(" AND superseded_at IS NULL");
        }
        let existing_rows = q.build().fetch_all(&mut *tx).await?;
        let mut existing: BTreeMap<Vec<String>, (Vec<Value>, String)> = BTreeMap::new();
        for r in existing_rows {
            let values: Vec<Value> = (0..def.columns.len())
                .map(|i| read_value(&r, i))
                .collect::<Result<_>>()?;
            let hash: String = r.try_get(def.columns.len())?;
            let key: Vec<String> = key_idx.iter().map(|i| values[*i].key_string()).collect();
            existing.insert(key, (values, hash));
        }

        let mut stats = WriteStats::default();
        let mut to_retire: Vec<&Vec<Value>> = Vec::new();
        let mut to_insert: Vec<(&Vec<Value>, &String)> = Vec::new();
        for (key, (values, hash)) in &incoming {
            match existing.get(key) {
                Some((_, old_hash)) if old_hash == hash => stats.unchanged += 1,
                Some((old_values, _)) => {
                    to_retire.push(old_values);
                    to_insert.push((values, hash));
                    note_entities(def, values, &mut stats);
                }
                None => {
                    to_insert.push((values, hash));
                    note_entities(def, values, &mut stats);
                }
            }
        }
        for (key, (values, _)) in &existing {
            if !incoming.contains_key(key) {
                to_retire.push(values);
                stats.removed += 1;
                note_entities(def, values, &mut stats);
            }
        }

        for old in &to_retire {
            let mut q: QueryBuilder<Sqlite> = match def.mode {
                WriteMode::Replace => QueryBuilder::new(format!("DELETE FROM {} WHERE ", def.name)),
                WriteMode::Supersede => {
                    let mut q =
                        QueryBuilder::new(format!("UPDATE {} SET superseded_at = ", def.name));
                    q.push_bind(meta.now.clone());
                    q.push(" WHERE superseded_at IS NULL AND ");
                    q
                }
            };
            q.push(def.partition_column).push(" = ");
            q.push_bind(partition.to_string());
            for (n, i) in key_idx.iter().enumerate() {
                let _ = n;
                q.push(" AND ").push(def.columns[*i]).push(" = ");
                bind_value(&mut q, &old[*i]);
            }
            q.build().execute(&mut *tx).await?;
        }
        for (values, hash) in &to_insert {
            let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(format!(
                "INSERT INTO {} ({}, row_hash, ",
                def.name,
                def.select_list()
            ));
            match def.mode {
                WriteMode::Replace => q.push("written_at) VALUES ("),
                WriteMode::Supersede => q.push("correlation_id, created_at) VALUES ("),
            };
            {
                let mut sep = q.separated(", ");
                for v in values.iter() {
                    match v {
                        Value::Null => sep.push_bind(None::<String>),
                        Value::Int(i) => sep.push_bind(*i),
                        Value::Real(f) => sep.push_bind(*f),
                        Value::Text(s) => sep.push_bind(s.clone()),
                    };
                }
                sep.push_bind((*hash).clone());
                if def.mode == WriteMode::Supersede {
                    sep.push_bind(meta.correlation_id.clone());
                }
                sep.push_bind(meta.now.clone());
            }
            q.push(")");
            q.build().execute(&mut *tx).await?;
        }
        stats.written = to_insert.len() as u32;

        // The partition's hash after the write, for the result's output_hash.
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(format!(
            "SELECT row_hash FROM {} WHERE {} = ",
            def.name, def.partition_column
        ));
        q.push_bind(partition.to_string());
        push_scope(&mut q, scope);
        if def.mode == WriteMode::Supersede {
            q.push(" AND superseded_at IS NULL");
        }
        let hashes: Vec<String> = q
            .build()
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| r.try_get::<String, _>(0))
            .collect::<std::result::Result<_, _>>()?;
        stats.output_hash = hashing::combine(hashes.iter().map(String::as_str));

        tx.commit().await?;
        Ok(stats)
    }

    /// The live rows of a table whose partition date is in `[from, before)`, by date then key,
    /// with the window's input hash; partitions unchanged since an earlier read in this
    /// process are not parsed again (`storage::window`).
    pub async fn select_window<R>(
        &self,
        from: &str,
        before: &str,
    ) -> Result<super::window::Window<R>>
    where
        R: TableRow + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + Send + Sync + 'static,
    {
        super::window::read(&self.pool, &self.windows, from, before).await
    }

    /// Loads typed rows of a table with a caller-given WHERE clause over its business columns.
    /// Live rows only for append-only tables.
    pub async fn select<R>(&self, where_sql: &str, binds: &[Value]) -> Result<Vec<R>>
    where
        R: TableRow + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + Send + Unpin,
    {
        let def = R::TABLE;
        let live = if def.mode == WriteMode::Supersede {
            " AND superseded_at IS NULL"
        } else {
            ""
        };
        let sql = format!(
            "SELECT {} FROM {} WHERE ({where_sql}){live}",
            def.select_list(),
            def.name
        );
        let mut q = sqlx::query_as::<_, R>(&sql);
        for b in binds {
            q = match b {
                Value::Null => q.bind(None::<String>),
                Value::Int(i) => q.bind(*i),
                Value::Real(f) => q.bind(*f),
                Value::Text(s) => q.bind(s.clone()),
            };
        }
        Ok(q.fetch_all(&self.pool).await?)
    }
}

fn push_scope(q: &mut QueryBuilder<Sqlite>, scope: Option<&Scope>) {
    if let Some(scope) = scope {
        if scope.values.is_empty() {
            q.push(" AND 0");
            return;
        }
        q.push(" AND ").push(scope.column).push(" IN (");
        let mut sep = q.separated(", ");
        for v in &scope.values {
            match v {
                Value::Null => sep.push_bind(None::<String>),
                Value::Int(i) => sep.push_bind(*i),
                Value::Real(f) => sep.push_bind(*f),
                Value::Text(s) => sep.push_bind(s.clone()),
            };
        }
        q.push(")");
        for (column, value) in &scope.equals {
            q.push(" AND ").push(*column).push(" = ");
            bind_value(q, value);
        }
    }
}

fn bind_value(q: &mut QueryBuilder<Sqlite>, v: &Value) {
    match v {
        Value::Null => q.push_bind(None::<String>),
        Value::Int(i) => q.push_bind(*i),
        Value::Real(f) => q.push_bind(*f),
        Value::Text(s) => q.push_bind(s.clone()),
    };
}

fn note_entities(def: &TableDef, values: &[Value], stats: &mut WriteStats) {
    for (column, kind) in def.entities {
        let v = values[def.column_index(column)].key_string();
        match kind {
            EntityKind::Player => stats.players_changed.insert(v),
            EntityKind::Team => stats.teams_changed.insert(v),
            EntityKind::Game => stats.games_changed.insert(v),
        };
    }
}

/// Reads a column back as the `Value` it was written from (SQLite keeps the storage class).
fn read_value(row: &sqlx::sqlite::SqliteRow, i: usize) -> Result<Value> {
    use sqlx::{TypeInfo, ValueRef};
    let raw = row.try_get_raw(i)?;
    if raw.is_null() {
        return Ok(Value::Null);
    }
    let ty = raw.type_info().name().to_string();
    Ok(match ty.as_str() {
        "INTEGER" => Value::Int(row.try_get(i)?),
        "REAL" => Value::Real(row.try_get(i)?),
        _ => Value::Text(row.try_get(i)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, sqlx::FromRow)]
    struct Cache {
        cache_date: String,
        player_id: i64,
        games_played: i64,
        last_game_date: String,
        points_avg_l5: f64,
        points_avg_l10: f64,
        points_avg_season: f64,
        points_std_l10: f64,
        minutes_avg_l10: Option<f64>,
    }

    static CACHE: TableDef = TableDef {
        name: "player_daily_cache",
        partition_column: "cache_date",
        key_columns: &["player_id"],
        columns: &[
            "cache_date",
            "player_id",
            "games_played",
            "last_game_date",
            "points_avg_l5",
            "points_avg_l10",
            "points_avg_season",
            "points_std_l10",
            "minutes_avg_l10",
        ],
        entities: &[("player_id", EntityKind::Player)],
        mode: WriteMode::Replace,
    };

    impl TableRow for Cache {
        const TABLE: &'static TableDef = &CACHE;
        fn values(&self) -> Vec<Value> {
            vec![
                self.cache_date.clone().into(),
                self.player_id.into(),
                self.games_played.into(),
                self.last_game_date.clone().into(),
                self.points_avg_l5.into(),
                self.points_avg_l10.into(),
                self.points_avg_season.into(),
                self.points_std_l10.into(),
                self.minutes_avg_l10.into(),
            ]
        }
    }

    fn row(player_id: i64, avg: f64) -> Cache {
        Cache {
            cache_date: "2025-01-02".into(),
            player_id,
            games_played: 3,
            last_game_date: "2025-01-01".into(),
            points_avg_l5: avg,
            points_avg_l10: avg,
            points_avg_season: avg,
            points_std_l10: 1.5,
            minutes_avg_l10: None,
        }
    }

    fn meta() -> WriteMeta {
        WriteMeta {
            correlation_id: "test".into(),
            now: "2025-01-02T12:00:00Z".into(),
        }
    }

    async fn temp_warehouse() -> (tempfile::TempDir, Warehouse) {
        let dir = tempfile::tempdir().unwrap();
        let w = Warehouse::open(&dir.path().join("w.sqlite")).await.unwrap();
        (dir, w)
    }

    #[tokio::test]
    async fn rewriting_the_same_rows_changes_nothing() {
        let (_d, w) = temp_warehouse().await;
        let rows = vec![row(1, 10.0), row(2, 20.0)];
        let first = w
            .write_partition("2025-01-02", None, &rows, &meta())
            .await
            .unwrap();
        assert_eq!((first.written, first.unchanged, first.removed), (2, 0, 0));
        let again = w
            .write_partition("2025-01-02", None, &rows, &meta())
            .await
            .unwrap();
        assert_eq!((again.written, again.unchanged, again.removed), (0, 2, 0));
        assert!(again.players_changed.is_empty());
        assert_eq!(first.output_hash, again.output_hash);
    }

    #[tokio::test]
    async fn only_changed_and_vanished_rows_are_touched() {
        let (_d, w) = temp_warehouse().await;
        w.write_partition(
            "2025-01-02",
            None,
            &[row(1, 10.0), row(2, 20.0), row(3, 30.0)],
            &meta(),
        )
        .await
        .unwrap();
        let s = w
            .write_partition("2025-01-02", None, &[row(1, 10.0), row(2, 21.0)], &meta())
            .await
            .unwrap();
        assert_eq!((s.written, s.unchanged, s.removed), (1, 1, 1));
        assert_eq!(
            s.players_changed.into_iter().collect::<Vec<_>>(),
            vec!["2".to_string(), "3".to_string()]
        );
        let stored: Vec<Cache> = w
            .select("cache_date = ?", &["2025-01-02".into()])
            .await
            .unwrap();
        assert_eq!(stored.len(), 2);
        assert!(stored
            .iter()
            .any(|r| r.player_id == 2 && r.points_avg_l10 == 21.0));
    }

    #[tokio::test]
    async fn a_scope_leaves_other_entities_alone() {
        let (_d, w) = temp_warehouse().await;
        w.write_partition("2025-01-02", None, &[row(1, 10.0), row(2, 20.0)], &meta())
            .await
            .unwrap();
        let scope = Scope {
            column: "player_id",
            values: vec![Value::Int(2)],
            equals: vec![],
        };
        let s = w
            .write_partition("2025-01-02", Some(&scope), &[row(2, 25.0)], &meta())
            .await
            .unwrap();
        assert_eq!((s.written, s.removed), (1, 0));
        let stored: Vec<Cache> = w.select("1 = 1", &[]).await.unwrap();
        assert_eq!(
            stored.len(),
            2,
            "player 1 must survive a write scoped to player 2"
        );
    }

    #[tokio::test]
    async fn a_row_outside_the_partition_is_refused() {
        let (_d, w) = temp_warehouse().await;
        let err = w
            .write_partition("2025-01-03", None, &[row(1, 10.0)], &meta())
            .await
            .unwrap_err();
        assert!(err.to_string().contains("partition"));
    }
}
