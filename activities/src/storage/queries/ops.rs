//! The run history (`processor_runs`), the alerts, and the counts the quality gates measure.

use std::collections::BTreeSet;

use crate::error::Result;
use crate::storage::sql::{Arg, Bind, Sql};
use crate::storage::Warehouse;

/// One run of a processor or gate, as `processor_runs` stores it.
#[derive(Debug, Clone)]
pub struct NewRun<'a> {
    pub processor: &'a str,
    pub phase: i64,
    pub game_date: &'a str,
    pub data_date: &'a str,
    pub correlation_id: &'a str,
    pub mode: &'a str,
    pub trigger_kind: &'a str,
    pub scope: &'a str,
    pub status: &'a str,
    pub rows_read: i64,
    pub rows_written: i64,
    pub rows_unchanged: i64,
    pub rows_removed: i64,
    pub input_hash: Option<&'a str>,
    pub output_hash: Option<&'a str>,
    pub error: Option<&'a str>,
    pub started_at: &'a str,
    pub duration_ms: i64,
    pub kind: &'a str,
    pub workflow_id: &'a str,
    pub run_id: &'a str,
    pub activity_id: &'a str,
    pub attempt: i64,
}

pub async fn insert_run(warehouse: &Warehouse, run: &NewRun<'_>) -> Result<()> {
    let args: Vec<Arg> = vec![
        run.processor.arg(),
        run.phase.arg(),
        run.game_date.arg(),
        run.data_date.arg(),
        run.correlation_id.arg(),
        run.mode.arg(),
        run.trigger_kind.arg(),
        run.scope.arg(),
        run.status.arg(),
        run.rows_read.arg(),
        run.rows_written.arg(),
        run.rows_unchanged.arg(),
        run.rows_removed.arg(),
        run.input_hash.arg(),
        run.output_hash.arg(),
        run.error.arg(),
        run.started_at.arg(),
        run.duration_ms.arg(),
        run.kind.arg(),
        run.workflow_id.arg(),
        run.run_id.arg(),
        run.activity_id.arg(),
        run.attempt.arg(),
    ];
    let mut sql = Sql::new(
        "INSERT INTO processor_runs (processor, phase, game_date, data_date, correlation_id, \
         mode, trigger_kind, scope, status, rows_read, rows_written, rows_unchanged, \
         rows_removed, input_hash, output_hash, error, started_at, duration_ms, kind, \
         workflow_id, run_id, activity_id, attempt) VALUES ",
    );
    sql.push_list(args);
    warehouse.execute(&sql).await?;
    Ok(())
}

crate::query_record! {
    /// The hashes of the last successful run of a processor over the same date and scope.
    #[derive(Debug, Clone, PartialEq)]
    pub struct PreviousRun {
        pub input_hash: Option<String>,
        pub output_hash: Option<String>,
        pub correlation_id: String,
    }
}

pub async fn previous_ok(
    warehouse: &Warehouse,
    processor: &str,
    data_date: &str,
    scope: &str,
) -> Result<Option<PreviousRun>> {
    warehouse
        .fetch_optional(
            &Sql::new(format!(
                "SELECT {} FROM processor_runs \
                 WHERE processor = ? AND data_date = ? AND scope = ? AND status = 'ok' \
                 ORDER BY id DESC LIMIT 1",
                PreviousRun::COLUMNS
            ))
            .bind(processor)
            .bind(data_date)
            .bind(scope),
        )
        .await
}

crate::query_record! {
    /// A row of the run history, as `nbaprops status` prints it.
    #[derive(Debug, Clone)]
    pub struct RunRow {
        pub kind: String,
        pub processor: String,
        pub phase: i64,
        pub data_date: String,
        pub correlation_id: String,
        pub mode: String,
        pub trigger_kind: String,
        pub scope: String,
        pub status: String,
        pub rows_read: i64,
        pub rows_written: i64,
        pub rows_unchanged: i64,
        pub rows_removed: i64,
        pub error: Option<String>,
        pub started_at: String,
        pub duration_ms: i64,
        pub workflow_id: String,
        pub run_id: String,
        pub activity_id: String,
        pub attempt: i64,
    }
}

/// Every run recorded for a game date, in the order they were recorded.
pub async fn runs_of_game_date(warehouse: &Warehouse, game_date: &str) -> Result<Vec<RunRow>> {
    warehouse
        .fetch(
            &Sql::new(format!(
                "SELECT {} FROM processor_runs WHERE game_date = ? ORDER BY id",
                RunRow::COLUMNS
            ))
            .bind(game_date),
        )
        .await
}

/// When the first recorded run of a workflow's children started (`started_at` of the earliest
/// row whose workflow id is `{parent_id}-…`), on a game date.
pub async fn first_run_start(
    warehouse: &Warehouse,
    game_date: &str,
    parent_id: &str,
) -> Result<Option<String>> {
    let (first,): (Option<String>,) = warehouse
        .fetch_one(
            &Sql::new(
                "SELECT MIN(started_at) FROM processor_runs \
                 WHERE game_date = ? AND workflow_id LIKE ?",
            )
            .bind(game_date)
            .bind(format!("{parent_id}-%")),
        )
        .await?;
    Ok(first)
}

/// An alert as `alerts` stores it.
#[derive(Debug, Clone)]
pub struct NewAlert<'a> {
    pub created_at: &'a str,
    pub kind: &'a str,
    pub severity: &'a str,
    pub game_date: &'a str,
    pub subject: &'a str,
    pub correlation_id: &'a str,
    pub message: &'a str,
    pub details: Option<String>,
}

pub async fn insert_alert(warehouse: &Warehouse, alert: &NewAlert<'_>) -> Result<()> {
    let mut sql = Sql::new(
        "INSERT INTO alerts (created_at, kind, severity, game_date, subject, correlation_id, \
         message, details) VALUES ",
    );
    sql.push_list([
        alert.created_at.arg(),
        alert.kind.arg(),
        alert.severity.arg(),
        alert.game_date.arg(),
        alert.subject.arg(),
        alert.correlation_id.arg(),
        alert.message.arg(),
        alert.details.clone().arg(),
    ]);
    warehouse.execute(&sql).await?;
    Ok(())
}

crate::query_record! {
    /// A stored alert, as `nbaprops status` and the tests read them.
    #[derive(Debug, Clone)]
    pub struct StoredAlert {
        pub created_at: String,
        pub kind: String,
        pub severity: String,
        pub game_date: String,
        pub subject: String,
        pub message: String,
    }
}

/// The alerts of a game date, oldest first.
pub async fn alerts_of_date(warehouse: &Warehouse, game_date: &str) -> Result<Vec<StoredAlert>> {
    warehouse
        .fetch(
            &Sql::new(format!(
                "SELECT {} FROM alerts WHERE game_date = ? ORDER BY id",
                StoredAlert::COLUMNS
            ))
            .bind(game_date),
        )
        .await
}

/// `SUM` of a condition as a count, the same in both databases.
fn count_if(condition: &str) -> String {
    format!("CAST(COALESCE(SUM(CASE WHEN {condition} THEN 1 ELSE 0 END), 0) AS BIGINT)")
}

/// A date's game-summary rows and how many of them have no minutes.
pub async fn game_summary_counts(warehouse: &Warehouse, date: &str) -> Result<(i64, i64)> {
    warehouse
        .fetch_one(
            &Sql::new(format!(
                "SELECT COUNT(*), {} FROM player_game_summary WHERE game_date = ?",
                count_if("minutes IS NULL")
            ))
            .bind(date),
        )
        .await
}

/// The players with a daily-cache row for a date.
pub async fn cached_players(warehouse: &Warehouse, date: &str) -> Result<BTreeSet<i64>> {
    ids(
        warehouse,
        Sql::new("SELECT player_id FROM player_daily_cache WHERE cache_date = ?").bind(date),
    )
    .await
}

/// The players whose context for a date has recent games (last season's count too).
pub async fn players_with_recent_games(warehouse: &Warehouse, date: &str) -> Result<BTreeSet<i64>> {
    ids(
        warehouse,
        Sql::new(
            "SELECT player_id FROM upcoming_player_game_context \
             WHERE game_date = ? AND points_avg_l5 IS NOT NULL",
        )
        .bind(date),
    )
    .await
}

/// The first date with a game summary: where the warehouse's history starts.
pub async fn first_game_date(warehouse: &Warehouse) -> Result<Option<String>> {
    let (first,): (Option<String>,) = warehouse
        .fetch_one(&Sql::new("SELECT MIN(game_date) FROM player_game_summary"))
        .await?;
    Ok(first)
}

/// The players with a game context on a date (those with a line).
pub async fn context_players(warehouse: &Warehouse, date: &str) -> Result<BTreeSet<i64>> {
    ids(
        warehouse,
        Sql::new("SELECT player_id FROM upcoming_player_game_context WHERE game_date = ?")
            .bind(date),
    )
    .await
}

/// The players with a game context on a date (those with a line) who played a game in
/// `[from, date)`.
pub async fn players_with_games_since(
    warehouse: &Warehouse,
    from: &str,
    date: &str,
) -> Result<BTreeSet<i64>> {
    ids(
        warehouse,
        Sql::new(
            "SELECT DISTINCT player_id FROM player_game_summary \
             WHERE game_date >= ? AND game_date < ? \
             AND player_id IN (SELECT player_id FROM upcoming_player_game_context \
             WHERE game_date = ?)",
        )
        .bind(from)
        .bind(date)
        .bind(date),
    )
    .await
}

async fn ids(warehouse: &Warehouse, sql: Sql) -> Result<BTreeSet<i64>> {
    Ok(warehouse
        .fetch::<(i64,)>(&sql)
        .await?
        .into_iter()
        .map(|(p,)| p)
        .collect())
}

/// The live predictions of a date as (player, system, points).
pub async fn live_points(warehouse: &Warehouse, date: &str) -> Result<Vec<(i64, String, f64)>> {
    warehouse
        .fetch(
            &Sql::new(
                "SELECT player_id, system, predicted_points FROM predictions \
                 WHERE game_date = ? AND superseded_at IS NULL ORDER BY player_id, system",
            )
            .bind(date),
        )
        .await
}

/// A date's feature vectors: (player, missing values) of each.
pub async fn feature_gaps(warehouse: &Warehouse, date: &str) -> Result<Vec<(i64, i64)>> {
    warehouse
        .fetch(
            &Sql::new(
                "SELECT player_id, missing_count FROM ml_feature_store WHERE game_date = ? \
                 ORDER BY player_id",
            )
            .bind(date),
        )
        .await
}

/// The game dates whose Phase 5 ran, in order.
pub async fn dates_with_phase(warehouse: &Warehouse, phase: i64) -> Result<Vec<String>> {
    Ok(warehouse
        .fetch::<(String,)>(
            &Sql::new(
                "SELECT DISTINCT game_date FROM processor_runs WHERE phase = ? AND kind <> 'gate' \
                 ORDER BY game_date",
            )
            .bind(phase),
        )
        .await?
        .into_iter()
        .map(|(d,)| d)
        .collect())
}

/// Milliseconds spent per (game date, phase, processor), over every recorded processor run and
/// scrape (the gates' checks left out: the in-process executor records none).
pub async fn durations(warehouse: &Warehouse) -> Result<Vec<(String, i64, String, i64)>> {
    warehouse
        .fetch(&Sql::new(
            "SELECT game_date, phase, processor, CAST(SUM(duration_ms) AS BIGINT) \
             FROM processor_runs WHERE kind <> 'gate' GROUP BY game_date, phase, processor \
             ORDER BY game_date, phase, processor",
        ))
        .await
}
