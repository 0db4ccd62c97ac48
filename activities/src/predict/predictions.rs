//! The `predictions` table: append-only. A rerun that changes a player's prediction marks the
//! old row superseded and inserts the new one; an unchanged prediction is left alone.

crate::warehouse_table! {
    pub struct PredictionRow in "predictions" {
        partition: game_date,
        key: [player_id, system],
        entities: [(player_id, Player)],
        mode: Supersede,
    } {
        game_date: String,
        player_id: i64,
        system: String,
        model_version: String,
        player_name: String,
        predicted_points: f64,
        line: f64,
        line_source: String,
        line_snapshot_time: String,
        over_price: Option<i64>,
        under_price: Option<i64>,
        recommendation: String,
        edge: f64,
        confidence: f64,
        feature_hash: String,
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

/// A date's predictions: how many are live and how many an injury rerun superseded.
pub async fn prediction_counts(
    warehouse: &crate::storage::Warehouse,
    date: &str,
) -> crate::error::Result<(i64, i64)> {
    crate::storage::queries::predict::prediction_counts(warehouse, date).await
}

/// Live predictions of a date, for the CLI and the tests.
pub async fn live_predictions(
    warehouse: &crate::storage::Warehouse,
    date: &str,
) -> crate::error::Result<Vec<PredictionRow>> {
    let mut rows: Vec<PredictionRow> = warehouse
        .rows(&crate::storage::Filter::new().eq("game_date", date))
        .await?;
    rows.sort_by(|a, b| {
        b.edge
            .abs()
            .total_cmp(&a.edge.abs())
            .then(a.player_id.cmp(&b.player_id))
            .then(a.system.cmp(&b.system))
    });
    Ok(rows)
}
