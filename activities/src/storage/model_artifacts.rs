//! `model_artifacts`: the model recorded for each prediction system and date (the artifact's
//! bytes live in the object store; this table says which ones are the date's model).

use super::sql::Sql;
use super::Warehouse;
use crate::error::Result;

/// A date's recorded model, as the loader needs it.
#[derive(Debug)]
pub struct RecordedArtifact {
    pub model_version: String,
    pub content_hash: String,
    pub object_key: String,
    pub training_rows: i64,
}

/// The model recorded for `system` on `date`, if any.
pub async fn recorded(
    warehouse: &Warehouse,
    system: &str,
    date: &str,
) -> Result<Option<RecordedArtifact>> {
    let row: Option<(String, String, String, i64)> = warehouse
        .fetch_optional(
            &Sql::new(
                "SELECT model_version, content_hash, object_key, training_rows \
                 FROM model_artifacts WHERE system = ? AND trained_for = ?",
            )
            .bind(system)
            .bind(date),
        )
        .await?;
    Ok(row.map(
        |(model_version, content_hash, object_key, training_rows)| RecordedArtifact {
            model_version,
            content_hash,
            object_key,
            training_rows,
        },
    ))
}

/// One row of `model_artifacts`.
#[derive(Debug)]
pub struct ModelArtifactRecord<'a> {
    pub system: &'a str,
    pub trained_for: &'a str,
    pub model_version: &'a str,
    pub content_hash: &'a str,
    pub object_key: &'a str,
    pub feature_version: i64,
    pub training_rows: i64,
    pub first_training_date: &'a str,
    pub last_training_date: &'a str,
    pub in_sample_mae: f64,
    pub line_mae: f64,
    pub row_hash: &'a str,
    /// UTC RFC 3339.
    pub created_at: &'a str,
}

/// Records `row` as its system's model for its date, replacing the date's earlier row.
pub async fn record(warehouse: &Warehouse, row: &ModelArtifactRecord<'_>) -> Result<()> {
    let sql = Sql::new(
        "INSERT INTO model_artifacts (system, trained_for, model_version, content_hash, \
         object_key, feature_version, training_rows, first_training_date, \
         last_training_date, in_sample_mae, line_mae, row_hash, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (system, trained_for) DO UPDATE SET \
         model_version = excluded.model_version, content_hash = excluded.content_hash, \
         object_key = excluded.object_key, feature_version = excluded.feature_version, \
         training_rows = excluded.training_rows, \
         first_training_date = excluded.first_training_date, \
         last_training_date = excluded.last_training_date, \
         in_sample_mae = excluded.in_sample_mae, line_mae = excluded.line_mae, \
         row_hash = excluded.row_hash, created_at = excluded.created_at",
    )
    .bind(row.system)
    .bind(row.trained_for)
    .bind(row.model_version)
    .bind(row.content_hash)
    .bind(row.object_key)
    .bind(row.feature_version)
    .bind(row.training_rows)
    .bind(row.first_training_date)
    .bind(row.last_training_date)
    .bind(row.in_sample_mae)
    .bind(row.line_mae)
    .bind(row.row_hash)
    .bind(row.created_at);
    warehouse.execute(&sql).await?;
    Ok(())
}
