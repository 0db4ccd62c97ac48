//! Labelled history for the systems that learn from earlier games (`similarity`, `gbm`,
//! `ensemble`): each earlier player-game's feature vector as it stood that morning, with the
//! points he then scored. Strictly before the date: a system predicting D never sees D.

use crate::error::Result;
use crate::precompute::ml_feature_store::{FeatureRow, FEATURE_NAMES, FEATURE_VERSION};
use crate::Deps;

/// One earlier player-game: what was known that morning, and what happened.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelledGame {
    pub game_date: String,
    pub player_id: i64,
    pub features: Vec<Option<f64>>,
    pub line: f64,
    pub actual_points: f64,
}

/// The player-games in `[from, before)` that have a feature row of this code's version and
/// a box-score row with minutes played, ordered by date and player (deterministic).
pub async fn labelled_games(deps: &Deps, from: &str, before: &str) -> Result<Vec<LabelledGame>> {
    let rows: Vec<(String, i64, i64, String, i64)> = sqlx::query_as(
        "SELECT f.game_date, f.player_id, f.feature_version, f.features, g.points \
         FROM ml_feature_store f \
         JOIN player_game_summary g ON g.game_date = f.game_date AND g.player_id = f.player_id \
         WHERE f.game_date >= ? AND f.game_date < ? AND g.minutes > 0 \
         ORDER BY f.game_date, f.player_id",
    )
    .bind(from)
    .bind(before)
    .fetch_all(deps.warehouse.pool())
    .await?;
    let line_at = FEATURE_NAMES.iter().position(|n| *n == "line").unwrap_or(0);
    let mut out = Vec::with_capacity(rows.len());
    for (game_date, player_id, version, features, points) in rows {
        if version != FEATURE_VERSION {
            continue;
        }
        let row = FeatureRow {
            game_date: game_date.clone(),
            player_id,
            player_name: String::new(),
            team: String::new(),
            opponent: None,
            feature_version: version,
            feature_count: FEATURE_NAMES.len() as i64,
            features,
            missing_count: 0,
            feature_hash: String::new(),
        };
        let features = row.vector()?;
        let Some(line) = features[line_at] else {
            continue;
        };
        out.push(LabelledGame {
            game_date,
            player_id,
            features,
            line,
            actual_points: points as f64,
        });
    }
    Ok(out)
}
