//! What the HTML report reads besides the run history and the alerts: a date's live and
//! superseded predictions, its players with a line and their injury status, which of them have
//! a feature row, the sportsbook names that matched no player, and the graded dates before it.

use std::collections::BTreeSet;

use crate::error::Result;
use crate::storage::sql::Sql;
use crate::storage::Warehouse;

crate::query_record! {
    /// A prediction of the date, live (`superseded_at` empty) or replaced by a rerun.
    #[derive(Debug, Clone)]
    pub struct PredictionRecord {
        pub player_id: i64,
        pub player_name: String,
        pub system: String,
        pub predicted_points: f64,
        pub line: f64,
        pub line_source: String,
        pub recommendation: String,
        pub edge: f64,
        pub created_at: String,
        pub superseded_at: Option<String>,
    }
}

/// Every prediction of `date`, live and superseded, oldest first.
pub async fn predictions_of_date(
    warehouse: &Warehouse,
    date: &str,
) -> Result<Vec<PredictionRecord>> {
    warehouse
        .fetch(
            &Sql::new(format!(
                "SELECT {} FROM predictions WHERE game_date = ? ORDER BY id",
                PredictionRecord::COLUMNS
            ))
            .bind(date),
        )
        .await
}

crate::query_record! {
    /// A player with a line on the date, as Phase 3 saw him.
    #[derive(Debug, Clone)]
    pub struct LinedPlayer {
        pub player_id: i64,
        pub player_name: String,
        pub team: String,
        pub opponent: Option<String>,
        pub current_line: f64,
        pub line_bookmaker: String,
        pub injury_status: Option<String>,
        pub injury_reason: Option<String>,
    }
}

/// The date's players with a line (`upcoming_player_game_context`), by name.
pub async fn lined_players(warehouse: &Warehouse, date: &str) -> Result<Vec<LinedPlayer>> {
    warehouse
        .fetch(
            &Sql::new(format!(
                "SELECT {} FROM upcoming_player_game_context WHERE game_date = ? \
                 ORDER BY player_name",
                LinedPlayer::COLUMNS
            ))
            .bind(date),
        )
        .await
}

/// The players with a feature row for `date`.
pub async fn players_with_features(warehouse: &Warehouse, date: &str) -> Result<BTreeSet<i64>> {
    let rows: Vec<(i64,)> = warehouse
        .fetch(&Sql::new("SELECT player_id FROM ml_feature_store WHERE game_date = ?").bind(date))
        .await?;
    Ok(rows.into_iter().map(|(p,)| p).collect())
}

/// The sportsbooks' spellings on `date` whose normalized name matched no known player.
pub async fn unmatched_line_names(warehouse: &Warehouse, date: &str) -> Result<Vec<String>> {
    let rows: Vec<(String,)> = warehouse
        .fetch(
            &Sql::new(
                "SELECT DISTINCT player_name FROM raw_oddsa_player_props \
                 WHERE game_date = ? \
                 AND player_lookup NOT IN (SELECT player_lookup FROM players) \
                 ORDER BY player_name",
            )
            .bind(date),
        )
        .await?;
    Ok(rows.into_iter().map(|(n,)| n).collect())
}

/// The last `limit` dates up to `date` with graded predictions, oldest first.
pub async fn graded_dates_through(
    warehouse: &Warehouse,
    date: &str,
    limit: i64,
) -> Result<Vec<String>> {
    let mut rows: Vec<(String,)> = warehouse
        .fetch(
            &Sql::new(
                "SELECT DISTINCT game_date FROM prediction_grades WHERE game_date <= ? \
                 ORDER BY game_date DESC LIMIT ?",
            )
            .bind(date)
            .bind(limit),
        )
        .await?;
    rows.reverse();
    Ok(rows.into_iter().map(|(d,)| d).collect())
}
