//! The two databases behind [`super::Warehouse`], as native sqlx backends: a SQLite file (the
//! embedded default) and PostgreSQL (a shared warehouse for many workers). Everything above
//! this module speaks [`Sql`] and [`Value`]; only here do the backends differ: how a URL
//! connects, how a write transaction excludes other writers, how a read sees one snapshot, and
//! how values are bound and decoded.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, PgPool, Postgres, Sqlite, SqlitePool};

use super::sql::{Arg, Kind, Sql};
use super::table::Value;
use crate::error::{PipelineError, Result};

/// Which database a warehouse runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        })
    }
}

/// A connection pool to either database.
#[derive(Debug, Clone)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// An open transaction on either database.
pub enum Tx {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

/// Where a database URL points, without its password: for errors and logs.
pub fn describe_url(url: &str) -> String {
    if let Some(path) = sqlite_path(url) {
        return format!("sqlite file {path}");
    }
    match PgConnectOptions::from_str(url) {
        Ok(o) => format!(
            "postgres database {:?} on {}:{} as {:?}",
            o.get_database().unwrap_or("(default)"),
            o.get_host(),
            o.get_port(),
            o.get_username()
        ),
        Err(_) => "an unparseable database URL".to_string(),
    }
}

/// The file path of a `sqlite://path` or `sqlite:path` URL.
pub fn sqlite_path(url: &str) -> Option<&str> {
    let rest = url.strip_prefix("sqlite:")?;
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    Some(rest.split('?').next().unwrap_or(rest))
}

fn config_error(url: &str, reason: impl std::fmt::Display) -> PipelineError {
    PipelineError::Config(format!("warehouse ({}): {reason}", describe_url(url)))
}

impl Db {
    /// Connects to the database a URL names: `sqlite://path` (the file and its folder are
    /// created) or `postgres://user:pass@host:port/db`.
    pub async fn connect(url: &str) -> Result<Db> {
        if let Some(path) = sqlite_path(url) {
            let path = std::path::Path::new(path);
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(|e| {
                    config_error(url, format!("cannot create {}: {e}", parent.display()))
                })?;
            }
            let options = SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(30))
                .foreign_keys(true);
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .connect_with(options)
                .await
                .map_err(|e| config_error(url, e))?;
            return Ok(Db::Sqlite(pool));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url).map_err(|e| config_error(url, e))?;
            // One direct connection first: the pool would retry an unreachable server until
            // its acquire timeout, and a wrong URL should fail at once with its reason.
            let first = options.connect().await.map_err(|e| config_error(url, e))?;
            first.close().await.ok();
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(30))
                .connect_lazy_with(options);
            return Ok(Db::Postgres(pool));
        }
        Err(PipelineError::Config(format!(
            "warehouse URL {url:?}: expected sqlite://PATH or postgres://USER:PASS@HOST:PORT/DB"
        )))
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// Rows of a query, each decoded by `kinds`.
    pub async fn fetch(&self, sql: &Sql, kinds: &[Kind]) -> Result<Vec<Vec<Value>>> {
        match self {
            Db::Sqlite(pool) => sqlite::fetch(pool, sql, kinds).await,
            Db::Postgres(pool) => postgres::fetch(pool, sql, kinds).await,
        }
    }

    /// Runs a statement; the rows it affected.
    pub async fn execute(&self, sql: &Sql) -> Result<u64> {
        match self {
            Db::Sqlite(pool) => sqlite::execute(pool, sql).await,
            Db::Postgres(pool) => postgres::execute(pool, sql).await,
        }
    }

    /// A transaction that writes `lock`'s rows with no other writer of them in between:
    /// SQLite takes its one write lock up front (a deferred transaction that reads first fails
    /// with SQLITE_BUSY when another writer commits in between); PostgreSQL takes an advisory
    /// lock on `lock` (a table and partition), held until commit, so two workers replacing one
    /// partition run one after the other while other partitions go on in parallel.
    pub async fn begin_write(&self, lock: &str) -> Result<Tx> {
        match self {
            Db::Sqlite(pool) => Ok(Tx::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?)),
            Db::Postgres(pool) => {
                let mut tx = Tx::Postgres(pool.begin().await?);
                tx.execute(&Sql::new("SELECT pg_advisory_xact_lock(?)").bind(lock_key(lock)))
                    .await?;
                Ok(tx)
            }
        }
    }

    /// A read transaction whose statements all see one snapshot: SQLite's deferred
    /// transaction does under WAL; PostgreSQL needs REPEATABLE READ (under READ COMMITTED each
    /// statement sees the latest commit).
    pub async fn begin_snapshot(&self) -> Result<Tx> {
        match self {
            Db::Sqlite(pool) => Ok(Tx::Sqlite(pool.begin().await?)),
            Db::Postgres(pool) => Ok(Tx::Postgres(
                pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    .await?,
            )),
        }
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(pool) => pool.close().await,
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

impl Tx {
    pub async fn fetch(&mut self, sql: &Sql, kinds: &[Kind]) -> Result<Vec<Vec<Value>>> {
        match self {
            Tx::Sqlite(tx) => sqlite::fetch(&mut **tx, sql, kinds).await,
            Tx::Postgres(tx) => postgres::fetch(&mut **tx, sql, kinds).await,
        }
    }

    pub async fn execute(&mut self, sql: &Sql) -> Result<u64> {
        match self {
            Tx::Sqlite(tx) => sqlite::execute(&mut **tx, sql).await,
            Tx::Postgres(tx) => postgres::execute(&mut **tx, sql).await,
        }
    }

    pub async fn commit(self) -> Result<()> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await?,
            Tx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

/// The advisory-lock key of a name: the first 8 bytes of its blake3, as PostgreSQL's bigint.
fn lock_key(name: &str) -> i64 {
    let hash = blake3::hash(name.as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&hash.as_bytes()[..8]);
    i64::from_le_bytes(bytes)
}

/// One backend's binding, execution and decoding, written once for both: the macro is
/// instantiated with each database's concrete types.
macro_rules! backend {
    ($module:ident, $db:ty, $numbered:expr) => {
        mod $module {
            use sqlx::Row;

            use super::*;

            fn query<'q>(
                text: &'q str,
                args: &[Arg],
            ) -> sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments<'q>> {
                let mut q = sqlx::query::<$db>(text);
                for arg in args {
                    q = match (&arg.value, arg.kind) {
                        (Value::Null, Kind::Int) => q.bind(None::<i64>),
                        (Value::Null, Kind::Real) => q.bind(None::<f64>),
                        (Value::Null, Kind::Text) => q.bind(None::<String>),
                        (Value::Int(i), _) => q.bind(*i),
                        (Value::Real(f), _) => q.bind(*f),
                        (Value::Text(s), _) => q.bind(s.clone()),
                    };
                }
                q
            }

            pub async fn fetch<'e, E>(
                executor: E,
                sql: &Sql,
                kinds: &[Kind],
            ) -> Result<Vec<Vec<Value>>>
            where
                E: sqlx::Executor<'e, Database = $db>,
            {
                let text = sql.text_for($numbered);
                let rows = query(&text, sql.args()).fetch_all(executor).await?;
                rows.iter()
                    .map(|row| {
                        kinds
                            .iter()
                            .enumerate()
                            .map(|(i, kind)| {
                                Ok(match kind {
                                    Kind::Int => row.try_get::<Option<i64>, _>(i)?.map(Value::Int),
                                    Kind::Real => {
                                        row.try_get::<Option<f64>, _>(i)?.map(Value::Real)
                                    }
                                    Kind::Text => {
                                        row.try_get::<Option<String>, _>(i)?.map(Value::Text)
                                    }
                                }
                                .unwrap_or(Value::Null))
                            })
                            .collect()
                    })
                    .collect()
            }

            pub async fn execute<'e, E>(executor: E, sql: &Sql) -> Result<u64>
            where
                E: sqlx::Executor<'e, Database = $db>,
            {
                let text = sql.text_for($numbered);
                Ok(query(&text, sql.args())
                    .execute(executor)
                    .await?
                    .rows_affected())
            }
        }
    };
}

backend!(sqlite, Sqlite, false);
backend!(postgres, Postgres, true);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_described_without_their_password() {
        let d = describe_url("postgres://nba:secret@db.example:5433/warehouse");
        assert_eq!(
            d,
            "postgres database \"warehouse\" on db.example:5433 as \"nba\""
        );
        assert!(!d.contains("secret"));
        assert_eq!(
            describe_url("sqlite://data/w.sqlite"),
            "sqlite file data/w.sqlite"
        );
        assert_eq!(sqlite_path("sqlite:/tmp/x.db?mode=rwc"), Some("/tmp/x.db"));
    }

    #[tokio::test]
    async fn an_unknown_scheme_and_an_unreachable_server_are_refused_by_name() {
        let err = Db::connect("mysql://x/y").await.unwrap_err().to_string();
        assert!(
            err.contains("sqlite://") && err.contains("postgres://"),
            "{err}"
        );
        let err = Db::connect("postgres://u:p@127.0.0.1:1/nowhere")
            .await
            .unwrap_err()
            .to_string();
        assert!(err.contains("\"nowhere\" on 127.0.0.1:1"), "{err}");
    }
}
