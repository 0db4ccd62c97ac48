//! The warehouse: SQLite (WAL, the embedded default) or PostgreSQL through sqlx (`db`), with
//! the migrations of each embedded from `activities/migrations/{sqlite,postgres}`.
//!
//! Processors never write SQL. They hand typed rows to [`Warehouse::write_partition`], which
//! compares row hashes with what is stored and, in one transaction, replaces only what changed:
//! running anything twice leaves the same rows with the same hashes and reports zero changes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use sqlx::migrate::Migrator;

use super::db::{Backend, Db};
use super::sql::{decode_all, Arg, Bind, FromValues, Kind, Sql};
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

/// How a process treats the warehouse schema when it connects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaPolicy {
    /// Apply this build's migrations (`nbaprops migrate`; every process on the embedded SQLite
    /// file, which one machine owns).
    Apply,
    /// Refuse to start unless the schema is exactly this build's (workers and the CLI on a
    /// shared PostgreSQL, where `nbaprops migrate` runs once before them).
    Require,
}

impl SchemaPolicy {
    /// The default for a backend: SQLite applies, PostgreSQL requires.
    pub fn default_for(url: &str) -> Self {
        if super::db::sqlite_path(url).is_some() {
            SchemaPolicy::Apply
        } else {
            SchemaPolicy::Require
        }
    }
}

/// The migrations of each database (one folder per database; `schema` tests they agree).
static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Clone, Debug)]
pub struct Warehouse {
    db: Db,
    /// The URL without its password, for errors.
    described: String,
    /// Parsed partitions behind [`Warehouse::select_window`], shared by the clones.
    windows: std::sync::Arc<super::window::WindowCache>,
}

impl Warehouse {
    /// Connects to the warehouse a URL names (`sqlite://PATH` or `postgres://…`) and applies
    /// or checks its schema as `policy` says.
    pub async fn connect(url: &str, policy: SchemaPolicy) -> Result<Self> {
        let db = Db::connect(url).await?;
        let warehouse = Self {
            db,
            described: super::db::describe_url(url),
            windows: Default::default(),
        };
        match policy {
            SchemaPolicy::Apply => warehouse.apply_migrations().await?,
            SchemaPolicy::Require => warehouse.check_schema().await?,
        }
        Ok(warehouse)
    }

    /// Opens (creating if needed) a SQLite file and applies the migrations.
    pub async fn open(path: &Path) -> Result<Self> {
        Self::connect(&format!("sqlite://{}", path.display()), SchemaPolicy::Apply).await
    }

    pub fn backend(&self) -> Backend {
        self.db.backend()
    }

    /// Where the warehouse is, without a password.
    pub fn describe(&self) -> &str {
        &self.described
    }

    pub(crate) fn db(&self) -> &Db {
        &self.db
    }

    fn migrator(&self) -> &'static Migrator {
        match self.db {
            Db::Sqlite(_) => &SQLITE_MIGRATIONS,
            Db::Postgres(_) => &POSTGRES_MIGRATIONS,
        }
    }

    /// The newest schema version this build knows.
    pub fn known_version(&self) -> i64 {
        self.migrator().iter().map(|m| m.version).max().unwrap_or(0)
    }

    /// Applies the migrations not yet applied. PostgreSQL's migrator holds an advisory lock
    /// while it runs, so concurrent starts apply each migration once; SQLite has no migration
    /// lock, so two processes opening a new file at once may race (the loser finds a table the
    /// winner just created) and the loser retries once the winner has recorded its migrations.
    pub async fn apply_migrations(&self) -> Result<()> {
        let mut attempt = 0;
        loop {
            let result = match &self.db {
                Db::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await,
                Db::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await,
            };
            match result {
                Ok(()) => return Ok(()),
                Err(e) if attempt < 5 && self.backend() == Backend::Sqlite => {
                    attempt += 1;
                    tracing::debug!("warehouse migration raced another process ({e}); retrying");
                    tokio::time::sleep(std::time::Duration::from_millis(300 * attempt)).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// The applied migrations, by version with their checksums (empty before the first).
    async fn applied(&self) -> Result<BTreeMap<i64, Vec<u8>>> {
        use sqlx::migrate::Migrate;
        let applied = match &self.db {
            Db::Sqlite(pool) => {
                let mut conn = pool.acquire().await?;
                conn.ensure_migrations_table().await?;
                conn.list_applied_migrations().await?
            }
            Db::Postgres(pool) => {
                let mut conn = pool.acquire().await?;
                conn.ensure_migrations_table().await?;
                conn.list_applied_migrations().await?
            }
        };
        Ok(applied
            .into_iter()
            .map(|m| (m.version, m.checksum.into_owned()))
            .collect())
    }

    /// Refuses a schema that is not exactly this build's: migrations missing (run
    /// `nbaprops migrate`), applied migrations this build does not know (a newer build
    /// migrated it), or an applied migration whose text differs from this build's.
    pub async fn check_schema(&self) -> Result<()> {
        let applied = self.applied().await?;
        let known: BTreeMap<i64, &[u8]> = self
            .migrator()
            .iter()
            .map(|m| (m.version, m.checksum.as_ref()))
            .collect();
        let refuse = |reason: String| {
            Err(crate::error::PipelineError::Config(format!(
                "warehouse ({}): {reason}",
                self.described
            )))
        };
        if let Some(unknown) = applied.keys().find(|v| !known.contains_key(v)) {
            return refuse(format!(
                "schema version {unknown} is applied, but this build knows versions up to {}: \
                 a newer nbaprops migrated it; run that version",
                self.known_version()
            ));
        }
        if let Some((v, _)) = applied.iter().find(|(v, sum)| known[*v] != sum.as_slice()) {
            return refuse(format!(
                "schema version {v} was applied from a different migration than this build's"
            ));
        }
        let missing: Vec<i64> = known
            .keys()
            .filter(|v| !applied.contains_key(v))
            .copied()
            .collect();
        if !missing.is_empty() {
            return refuse(format!(
                "schema versions {missing:?} are not applied: run `nbaprops migrate` first"
            ));
        }
        Ok(())
    }

    /// A read transaction over one snapshot.
    pub async fn snapshot(&self) -> Result<Snapshot> {
        Ok(Snapshot {
            tx: self.db.begin_snapshot().await?,
            backend: self.backend(),
        })
    }

    /// Rows of a query, decoded as `T` (a tuple or a table row).
    pub(crate) async fn fetch<T: FromValues>(&self, sql: &Sql) -> Result<Vec<T>> {
        decode_all(self.db.fetch(sql, &T::kinds()).await?)
    }

    /// The single row of a query (an aggregate).
    pub(crate) async fn fetch_one<T: FromValues>(&self, sql: &Sql) -> Result<T> {
        self.fetch_optional(sql).await?.ok_or_else(|| {
            crate::error::PipelineError::Internal(format!(
                "warehouse: no row from {:?}",
                sql.text_for(false)
            ))
        })
    }

    /// The first row of a query, if any.
    pub(crate) async fn fetch_optional<T: FromValues>(&self, sql: &Sql) -> Result<Option<T>> {
        Ok(self.fetch(sql).await?.into_iter().next())
    }

    /// Runs a statement; the rows it touched.
    pub(crate) async fn execute(&self, sql: &Sql) -> Result<u64> {
        self.db.execute(sql).await
    }

    /// Rows of a table's partition (`nbaprops status`).
    pub async fn count_partition(&self, def: &TableDef, partition: &str) -> Result<i64> {
        let sql = Sql::new(format!(
            "SELECT COUNT(*) FROM {} WHERE {} = ?",
            def.name, def.partition_column
        ))
        .bind(partition);
        Ok(self.fetch_one::<(i64,)>(&sql).await?.0)
    }

    /// The live rows of `R`'s table in one partition.
    pub async fn partition<R: TableRow>(&self, partition: &str) -> Result<Vec<R>> {
        self.rows(&Filter::new().eq(R::TABLE.partition_column, partition))
            .await
    }

    /// The live rows of `R`'s table that `filter` selects (live only for append-only tables).
    pub async fn rows<R: TableRow>(&self, filter: &Filter) -> Result<Vec<R>> {
        let def = R::TABLE;
        let mut sql = Sql::new(format!(
            "SELECT {} FROM {} WHERE 1 = 1",
            def.select_list(),
            def.name
        ));
        filter.push_to(def, &mut sql)?;
        if def.mode == WriteMode::Supersede {
            sql.push(" AND superseded_at IS NULL");
        }
        let rows = self.db.fetch(&sql, def.kinds).await?;
        rows.into_iter()
            .map(|values| R::from_values(values).map_err(decode_error))
            .collect()
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

        let mut tx = self
            .db
            .begin_write(&format!("{}/{partition}", def.name))
            .await?;

        // What is stored now (live rows only), by key.
        let mut sql = Sql::new(format!(
            "SELECT {}, row_hash FROM {} WHERE {} = ?",
            def.select_list(),
            def.name,
            def.partition_column
        ))
        .bind(partition);
        push_scope(def, &mut sql, scope);
        if def.mode == WriteMode::Supersede {
            sql.push(" AND superseded_at IS NULL");
        }
        let kinds: Vec<Kind> = def.kinds.iter().copied().chain([Kind::Text]).collect();
        let mut existing: BTreeMap<Vec<String>, (Vec<Value>, String)> = BTreeMap::new();
        for mut values in tx.fetch(&sql, &kinds).await? {
            let hash = match values.pop() {
                Some(Value::Text(h)) => h,
                other => {
                    return Err(crate::error::PipelineError::Internal(format!(
                        "{}: row_hash is {other:?}",
                        def.name
                    )))
                }
            };
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
            let mut sql = match def.mode {
                WriteMode::Replace => Sql::new(format!("DELETE FROM {} WHERE ", def.name)),
                WriteMode::Supersede => {
                    let mut sql = Sql::new(format!("UPDATE {} SET superseded_at = ", def.name));
                    sql.push_arg(meta.now.as_str());
                    sql.push(" WHERE superseded_at IS NULL AND ");
                    sql
                }
            };
            sql.push(def.partition_column).push(" = ");
            sql.push_arg(partition);
            for i in &key_idx {
                sql.push(" AND ").push(def.columns[*i]).push(" = ");
                sql.push_arg(typed(def, *i, &old[*i]));
            }
            tx.execute(&sql).await?;
        }
        for (values, hash) in &to_insert {
            let mut sql = Sql::new(format!(
                "INSERT INTO {} ({}, row_hash, {}) VALUES (",
                def.name,
                def.select_list(),
                match def.mode {
                    WriteMode::Replace => "written_at",
                    WriteMode::Supersede => "correlation_id, created_at",
                }
            ));
            for (i, v) in values.iter().enumerate() {
                sql.push_arg(typed(def, i, v)).push(", ");
            }
            sql.push_arg(hash.as_str());
            if def.mode == WriteMode::Supersede {
                sql.push(", ").push_arg(meta.correlation_id.as_str());
            }
            sql.push(", ").push_arg(meta.now.as_str()).push(")");
            tx.execute(&sql).await?;
        }
        stats.written = to_insert.len() as u32;

        // The partition's hash after the write, for the result's output_hash.
        let mut sql = Sql::new(format!(
            "SELECT row_hash FROM {} WHERE {} = ?",
            def.name, def.partition_column
        ))
        .bind(partition);
        push_scope(def, &mut sql, scope);
        if def.mode == WriteMode::Supersede {
            sql.push(" AND superseded_at IS NULL");
        }
        let hashes: Vec<String> = tx
            .fetch(&sql, &[Kind::Text])
            .await?
            .into_iter()
            .map(|mut v| v.pop().map(|h| h.key_string()).unwrap_or_default())
            .collect();
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
        R: TableRow + Send + Sync + 'static,
    {
        super::window::read(&self.db, &self.windows, from, before).await
    }
}

/// A read transaction in which every query sees the same commit: a digest and the rows it
/// digests, read in one snapshot, agree (`Db::begin_snapshot`).
pub struct Snapshot {
    tx: super::db::Tx,
    backend: Backend,
}

impl Snapshot {
    pub(crate) async fn fetch<T: FromValues>(&mut self, sql: &Sql) -> Result<Vec<T>> {
        decode_all(self.tx.fetch(sql, &T::kinds()).await?)
    }

    pub(crate) fn backend(&self) -> Backend {
        self.backend
    }

    /// Ends the read.
    pub async fn finish(self) -> Result<()> {
        self.tx.commit().await
    }
}

/// Which rows of a table a read selects, by column: equalities, lists and date ranges. Column
/// names are checked against the table's definition when the read runs.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    conditions: Vec<(&'static str, Condition)>,
}

#[derive(Debug, Clone)]
enum Condition {
    Eq(Arg),
    In(Vec<Arg>),
    /// `[from, before)`.
    Range(Arg, Arg),
    /// `[from, to]`.
    Between(Arg, Arg),
}

impl Filter {
    pub fn new() -> Self {
        Self::default()
    }

    /// `column = value`.
    pub fn eq(mut self, column: &'static str, value: impl Bind) -> Self {
        self.conditions.push((column, Condition::Eq(value.arg())));
        self
    }

    /// `column IN (values)`; an empty list selects nothing.
    pub fn is_in<T: Bind>(
        mut self,
        column: &'static str,
        values: impl IntoIterator<Item = T>,
    ) -> Self {
        self.conditions.push((
            column,
            Condition::In(values.into_iter().map(Bind::arg).collect()),
        ));
        self
    }

    /// `from <= column <= to`.
    pub fn between(mut self, column: &'static str, from: impl Bind, to: impl Bind) -> Self {
        self.conditions
            .push((column, Condition::Between(from.arg(), to.arg())));
        self
    }

    /// `from <= column < before`.
    pub fn range(mut self, column: &'static str, from: impl Bind, before: impl Bind) -> Self {
        self.conditions
            .push((column, Condition::Range(from.arg(), before.arg())));
        self
    }

    fn push_to(&self, def: &TableDef, sql: &mut Sql) -> Result<()> {
        for (column, condition) in &self.conditions {
            if def.find_column(column).is_none() {
                return Err(crate::error::PipelineError::Internal(format!(
                    "{} has no column {column}",
                    def.name
                )));
            }
            sql.push(" AND ").push(column);
            match condition {
                Condition::Eq(v) => {
                    sql.push(" = ").push_arg(v.clone());
                }
                Condition::In(vs) => {
                    sql.push(" IN ").push_list(vs.iter().cloned());
                }
                Condition::Range(from, before) => {
                    sql.push(" >= ").push_arg(from.clone());
                    sql.push(" AND ")
                        .push(column)
                        .push(" < ")
                        .push_arg(before.clone());
                }
                Condition::Between(from, to) => {
                    sql.push(" >= ").push_arg(from.clone());
                    sql.push(" AND ")
                        .push(column)
                        .push(" <= ")
                        .push_arg(to.clone());
                }
            }
        }
        Ok(())
    }
}

fn decode_error(e: String) -> crate::error::PipelineError {
    crate::error::PipelineError::Warehouse(sqlx::Error::Decode(e.into()))
}

/// A column's value as an argument of the column's declared kind (a NULL stays typed).
fn typed(def: &TableDef, column: usize, value: &Value) -> Arg {
    Arg {
        value: value.clone(),
        kind: def.kinds[column],
    }
}

fn push_scope(def: &TableDef, sql: &mut Sql, scope: Option<&Scope>) {
    if let Some(scope) = scope {
        let column = def.column_index(scope.column);
        sql.push(" AND ").push(scope.column).push(" IN ");
        sql.push_list(scope.values.iter().map(|v| typed(def, column, v)));
        for (name, value) in &scope.equals {
            let i = def.column_index(name);
            sql.push(" AND ").push(name).push(" = ");
            sql.push_arg(typed(def, i, value));
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    crate::warehouse_table! {
        struct Cache in "player_daily_cache" {
            partition: cache_date, key: [player_id], entities: [(player_id, Player)], mode: Replace,
        } {
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
        let stored: Vec<Cache> = w.partition("2025-01-02").await.unwrap();
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
        let stored: Vec<Cache> = w.rows(&Filter::new()).await.unwrap();
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
