//! Reads for tests: a test checks what landed with a query of its own. Pipeline code never
//! calls these (`scripts/sql-boundary` checks that SQL stays in `storage/`).

use crate::error::Result;
use crate::storage::sql::{FromValues, Sql};
use crate::storage::Warehouse;

/// The rows of a test's query, decoded as `T`.
pub async fn query<T: FromValues>(warehouse: &Warehouse, sql: Sql) -> Result<Vec<T>> {
    warehouse.fetch(&sql).await
}

/// The one value of a test's aggregate query (`SELECT COUNT(*) …`).
pub async fn scalar<T: crate::storage::sql::Decode>(warehouse: &Warehouse, sql: Sql) -> Result<T> {
    Ok(warehouse.fetch_one::<(T,)>(&sql).await?.0)
}

/// Runs a test's statement (setting up a case the pipeline cannot produce on its own).
pub async fn execute(warehouse: &Warehouse, sql: Sql) -> Result<u64> {
    warehouse.execute(&sql).await
}

/// Holds the write lock a replace of `table`'s `partition` takes, for `duration`, then lets go
/// without writing: SQLite's one database-wide write lock, PostgreSQL's advisory lock on that
/// partition (`{table}/{partition}`, as `Warehouse::write_partition` names it). A test holds it
/// to make a writer wait.
pub async fn hold_write_lock(
    warehouse: &Warehouse,
    table: &str,
    partition: &str,
    duration: std::time::Duration,
) -> Result<()> {
    let tx = warehouse
        .db()
        .begin_write(&format!("{table}/{partition}"))
        .await?;
    tokio::time::sleep(duration).await;
    drop(tx);
    Ok(())
}
