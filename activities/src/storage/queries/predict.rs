//! The prediction tables' reads that join or aggregate: the labelled history the models learn
//! from, the graded history the ensemble fits on (each with the digest its cache is keyed by,
//! read in the same snapshot as its rows), and the counts the CLI and the backtest report.

use std::collections::BTreeSet;

use crate::error::Result;
use crate::storage::db::Backend;
use crate::storage::sql::Sql;
use crate::storage::warehouse::Snapshot;
use crate::storage::Warehouse;

/// The database's ordered string aggregate of `expr` separated by `sep` (a SQL string literal).
fn aggregate(backend: Backend, expr: &str, sep: &str, order: &str) -> String {
    match backend {
        Backend::Sqlite => format!("group_concat({expr}, {sep} ORDER BY {order})"),
        Backend::Postgres => format!("string_agg({expr}, {sep} ORDER BY {order})"),
    }
}

const LABELLED_FROM_WHERE: &str = "FROM ml_feature_store f \
     JOIN player_game_summary g ON g.game_date = f.game_date AND g.player_id = f.player_id \
     WHERE f.game_date >= ? AND f.game_date < ? AND g.minutes > 0";

/// Per game date in `[from, before)`: the player-games with features and minutes played, as
/// one string of `player_id feature_hash summary_hash` by player (what a date's cache entry is
/// keyed by).
pub async fn labelled_digests(
    snapshot: &mut Snapshot,
    from: &str,
    before: &str,
) -> Result<Vec<(String, String)>> {
    let agg = aggregate(
        snapshot.backend(),
        "CAST(f.player_id AS TEXT) || ' ' || f.row_hash || ' ' || g.row_hash",
        "','",
        "f.player_id",
    );
    snapshot
        .fetch(
            &Sql::new(format!(
                "SELECT f.game_date, {agg} {LABELLED_FROM_WHERE} \
                 GROUP BY f.game_date ORDER BY f.game_date"
            ))
            .bind(from)
            .bind(before),
        )
        .await
}

/// A labelled player-game: (date, player, feature version, features JSON, points).
pub type LabelledRow = (String, i64, i64, String, i64);

/// The labelled player-games of `[first, last]` (inside `[first, before)`), by date and player.
pub async fn labelled_rows(
    snapshot: &mut Snapshot,
    first: &str,
    before: &str,
    last: &str,
) -> Result<Vec<LabelledRow>> {
    snapshot
        .fetch(
            &Sql::new(format!(
                "SELECT f.game_date, f.player_id, f.feature_version, f.features, g.points \
                 {LABELLED_FROM_WHERE} AND f.game_date <= ? ORDER BY f.game_date, f.player_id"
            ))
            .bind(first)
            .bind(before)
            .bind(last),
        )
        .await
}

const GRADED_FROM_WHERE: &str = "FROM predictions p \
     JOIN player_game_summary g ON g.game_date = p.game_date AND g.player_id = p.player_id \
     WHERE p.game_date >= ? AND p.game_date < ? AND p.superseded_at IS NULL \
       AND g.minutes > 0 AND p.system IN ('moving_average', 'matchup', 'similarity', 'gbm')";

/// The digest of the members' graded history in `[from, before)`: every prediction's and box
/// score's row hash, in order.
pub async fn graded_digest(snapshot: &mut Snapshot, from: &str, before: &str) -> Result<String> {
    let agg = aggregate(
        snapshot.backend(),
        "p.row_hash || ' ' || g.row_hash",
        "','",
        "p.game_date, p.player_id, p.system",
    );
    let rows: Vec<(Option<String>,)> = snapshot
        .fetch(
            &Sql::new(format!("SELECT {agg} {GRADED_FROM_WHERE}"))
                .bind(from)
                .bind(before),
        )
        .await?;
    Ok(rows
        .into_iter()
        .next()
        .and_then(|(r,)| r)
        .unwrap_or_default())
}

/// A member's graded prediction: (date, player, system, predicted, line, points).
pub type GradedRow = (String, i64, String, f64, f64, i64);

/// The members' graded predictions in `[from, before)`, by date, player and system.
pub async fn graded_rows(
    snapshot: &mut Snapshot,
    from: &str,
    before: &str,
) -> Result<Vec<GradedRow>> {
    snapshot
        .fetch(
            &Sql::new(format!(
                "SELECT p.game_date, p.player_id, p.system, p.predicted_points, p.line, g.points \
                 {GRADED_FROM_WHERE} ORDER BY p.game_date, p.player_id, p.system"
            ))
            .bind(from)
            .bind(before),
        )
        .await
}

/// A date's predictions: how many are live and how many an injury rerun superseded.
pub async fn prediction_counts(warehouse: &Warehouse, date: &str) -> Result<(i64, i64)> {
    warehouse
        .fetch_one(
            &Sql::new(
                "SELECT \
                 CAST(COALESCE(SUM(CASE WHEN superseded_at IS NULL THEN 1 ELSE 0 END), 0) AS BIGINT), \
                 CAST(COALESCE(SUM(CASE WHEN superseded_at IS NULL THEN 0 ELSE 1 END), 0) AS BIGINT) \
                 FROM predictions WHERE game_date = ?",
            )
            .bind(date),
        )
        .await
}

/// The players with a live prediction of `system` on a date.
pub async fn predicted_players(
    warehouse: &Warehouse,
    date: &str,
    system: &str,
) -> Result<BTreeSet<i64>> {
    Ok(warehouse
        .fetch::<(i64,)>(
            &Sql::new(
                "SELECT player_id FROM predictions WHERE game_date = ? AND system = ? \
                 AND superseded_at IS NULL",
            )
            .bind(date)
            .bind(system),
        )
        .await?
        .into_iter()
        .map(|(p,)| p)
        .collect())
}

/// The players of a date with a live prediction written by a day workflow (correlation id
/// `day-{date}`, `nbaprops_workflows::ids::day_workflow_id`): the ones the team sees.
pub async fn players_with_day_predictions(
    warehouse: &Warehouse,
    date: &str,
) -> Result<BTreeSet<i64>> {
    Ok(warehouse
        .fetch::<(i64,)>(
            &Sql::new(
                "SELECT DISTINCT player_id FROM predictions WHERE game_date = ? \
                 AND superseded_at IS NULL AND correlation_id = ?",
            )
            .bind(date)
            .bind(format!("day-{date}")),
        )
        .await?
        .into_iter()
        .map(|(p,)| p)
        .collect())
}

/// A graded pick: (game date, system, predicted, line, edge, recommendation, over price,
/// under price, actual points).
pub type GradedPick = (
    String,
    String,
    f64,
    f64,
    f64,
    String,
    Option<i64>,
    Option<i64>,
    Option<i64>,
);

/// Every graded prediction in `[from, to]`, by date, player and system.
pub async fn graded_picks(warehouse: &Warehouse, from: &str, to: &str) -> Result<Vec<GradedPick>> {
    warehouse
        .fetch(
            &Sql::new(
                "SELECT game_date, system, predicted_points, line, edge, recommendation, \
                 over_price, under_price, actual_points \
                 FROM prediction_grades WHERE game_date >= ? AND game_date <= ? \
                 ORDER BY game_date, player_id, system",
            )
            .bind(from)
            .bind(to),
        )
        .await
}
