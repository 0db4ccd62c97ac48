//! The `predictions` table: append-only. A rerun that changes a player's prediction marks the
//! old row superseded and inserts the new one; an unchanged prediction is left alone.

use crate::storage::warehouse::EntityKind;
use crate::storage::{TableDef, TableRow, Value, WriteMode};

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct PredictionRow {
    pub game_date: String,
    pub player_id: i64,
    pub system: String,
    pub model_version: String,
    pub player_name: String,
    pub predicted_points: f64,
    pub line: f64,
    pub line_source: String,
    pub line_snapshot_time: String,
    pub recommendation: String,
    pub edge: f64,
    pub confidence: f64,
    pub feature_hash: String,
}

pub static TABLE: TableDef = TableDef {
    name: "predictions",
    partition_column: "game_date",
    key_columns: &["player_id", "system"],
    columns: &[
        "game_date",
        "player_id",
        "system",
        "model_version",
        "player_name",
        "predicted_points",
        "line",
        "line_source",
        "line_snapshot_time",
        "recommendation",
        "edge",
        "confidence",
        "feature_hash",
    ],
    entities: &[("player_id", EntityKind::Player)],
    mode: WriteMode::Supersede,
};

impl TableRow for PredictionRow {
    const TABLE: &'static TableDef = &TABLE;
    fn values(&self) -> Vec<Value> {
        vec![
            self.game_date.clone().into(),
            self.player_id.into(),
            self.system.clone().into(),
            self.model_version.clone().into(),
            self.player_name.clone().into(),
            self.predicted_points.into(),
            self.line.into(),
            self.line_source.clone().into(),
            self.line_snapshot_time.clone().into(),
            self.recommendation.clone().into(),
            self.edge.into(),
            self.confidence.into(),
            self.feature_hash.clone().into(),
        ]
    }
}

/// OVER / UNDER when the edge clears the threshold, PASS otherwise.
pub fn recommendation(edge: f64, threshold: f64) -> &'static str {
    if edge >= threshold {
        "OVER"
    } else if edge <= -threshold {
        "UNDER"
    } else {
        "PASS"
    }
}

/// Live predictions of a date, for the CLI and the tests.
pub async fn live_predictions(
    warehouse: &crate::storage::Warehouse,
    date: &str,
) -> crate::error::Result<Vec<PredictionRow>> {
    let mut rows: Vec<PredictionRow> = warehouse.select("game_date = ?", &[date.into()]).await?;
    rows.sort_by(|a, b| {
        b.edge
            .abs()
            .total_cmp(&a.edge.abs())
            .then(a.player_id.cmp(&b.player_id))
            .then(a.system.cmp(&b.system))
    });
    Ok(rows)
}
