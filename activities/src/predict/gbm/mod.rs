//! `gbm`: gradient-boosted trees over the `ml_feature_store` vector, trained walk-forward.
//!
//! The model for game date D is trained on every `ml_feature_store` row before D whose player
//! then played (`player_game_summary`, minutes > 0). Its target is the residual
//! `actual_points − line`: the market line is the strongest prior, so the trees only learn
//! corrections to it, and the predicted points are `line + predicted residual`, clamped to
//! `0..=80`. The team scores predictions by absolute error and the line sits at the median
//! of the outcome, so the model aims at the conditional median of the residual, not its mean:
//! forust-ml has only squared and log loss, so training is iteratively reweighted least
//! squares, the classic route to least absolute deviation (one plain fit, then
//! [`MEDIAN_REFITS`] refits, each weighing a row by `1 / max(|miss|, MEDIAN_WEIGHT_FLOOR)`
//! under the previous fit). Training sets are small (hundreds to tens of thousands of rows) and noisy, so the
//! ensemble is kept conservative: shallow trees, a small learning rate, L2 on the leaf
//! weights, at least [`MIN_LEAF_WEIGHT`] rows in a leaf and row and column subsampling.
//!
//! A trained model is one artifact: JSON of the metadata (format, feature version and names,
//! date, rows, target, training dates, in-sample errors) and the booster. Training is
//! deterministic: the rows are sorted first, the crate's randomness is seeded and its trees do
//! not depend on the thread count, so the same rows in any order give the same bytes. The bytes
//! are stored content-addressed at `models/gbm/<blake3>.bin` in the object store and recorded
//! in `model_artifacts` (one row per system and date), so a retrain on the same data writes
//! nothing and a loaded model is checked against its recorded hash.
//!
//! ## The crate: `forust-ml` 0.8.0 (pinned `=0.8.0`)
//!
//! Evaluated on crates.io: `perpetual` 2.3.0 (3.0 in release candidates), `forust-ml` 0.8.0,
//! `gbdt` 0.1.3. All three are pure Rust.
//! - `gbdt`: no release in years, `f32` features with a sentinel for missing values.
//! - `perpetual`: maintained, NaN as missing, serde. But it has no depth or learning-rate
//!   settings (one `budget` and its own stopping rule), sizes its working memory from the
//!   machine's free memory, and keeps tree nodes in hash maps, so the same rows are not
//!   guaranteed the same bytes on every machine. It does have absolute and quantile losses,
//!   but every 2.x release needs a nightly compiler (`#![feature]` in its lib.rs), and its
//!   sign-gradient leaves move a prediction by at most its step size per tree. The median aim
//!   therefore comes from reweighting forust-ml's squared loss (above).
//! - `forust-ml` (chosen): maintained (0.8.0 is recent), XGBoost's algorithm with explicit
//!   depth, learning rate, L2, minimum leaf weight and seeded subsampling; NaN is the missing
//!   value and each split learns where missing values go; the booster serialises with serde
//!   (JSON); and its own tests check that trees are identical for any number of threads.
//!   Pinned exactly because stored artifacts depend on its serialisation.
//!
//! [`model`] trains and predicts, [`artifact`] turns a model into its bytes and back,
//! [`artifact_store`] keeps the bytes in the object store, and `storage::model_artifacts`
//! records them in the warehouse; this module ties them together per date.

mod artifact;
mod artifact_store;
mod model;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use bytes::Bytes;

use crate::error::{PipelineError, Result};
use crate::precompute::ml_feature_store::FEATURE_VERSION;
use crate::storage::model_artifacts::{self, ModelArtifactRecord};
use crate::Deps;

pub use artifact::{content_hash, from_bytes, model_version, object_key, to_bytes};
pub use model::{predict, too_few_rows, train, GbmModel};

/// The prediction system's name (`predictions.system`, `model_artifacts.system`).
pub const SYSTEM: &str = "gbm";
/// Fewer training rows than this: no model for the date.
pub const MIN_TRAINING_ROWS: usize = 200;
/// The model learns from the labelled games of the last year before its training date (about
/// a season and the end of the one before): recent seasons say more about today's players, and
/// a training's cost stays bounded however long the history grows (a four-season backfill).
pub const TRAINING_DAYS: i64 = 365;
/// Predicted points are clamped to `0..=MAX_POINTS`.
pub const MAX_POINTS: f64 = 80.0;
/// The artifact format; bump when the layout of [`GbmModel`] changes.
pub const ARTIFACT_FORMAT: &str = "nbaprops-gbm/1";
/// What the booster predicts.
pub const TARGET: &str =
    "median of actual_points - line, by IRLS (predicted points = line + prediction)";
/// Reweighted refits after the first, plain one (each one more training's cost).
pub const MEDIAN_REFITS: usize = 3;
/// Misses smaller than this many points weigh as much as this one: no row dominates a refit.
pub const MEDIAN_WEIGHT_FLOOR: f64 = 1.0;

/// Boosting rounds.
pub const ITERATIONS: usize = 300;
/// Each tree's weights are scaled by this.
pub const LEARNING_RATE: f32 = 0.03;
/// Depth of each tree (at most 8 leaves).
pub const MAX_DEPTH: usize = 3;
/// L2 regularisation of the leaf weights.
pub const L2: f32 = 20.0;
/// Minimum hessian sum of a leaf; with squared loss, the minimum number of rows in a leaf.
pub const MIN_LEAF_WEIGHT: f32 = 50.0;
/// Share of rows each tree is fit on.
pub const SUBSAMPLE: f32 = 0.8;
/// Share of features each tree may split on.
pub const COLSAMPLE: f64 = 0.8;
/// Histogram bins per feature.
pub const NBINS: u16 = 64;
/// Seed of the subsampling.
pub const SEED: u64 = 20_240_601;

/// One training example: a player's feature vector on a date and what he then scored.
pub use super::history::LabelledGame as TrainingRow;

/// The model recorded for a date in `model_artifacts`.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelArtifact {
    /// `gbm-<first 12 hex of the content hash>`.
    pub model_version: String,
    /// blake3 of the artifact's bytes.
    pub content_hash: String,
    /// `models/gbm/<content hash>.bin` in the object store.
    pub object_key: String,
    pub trained_for: String,
    pub training_rows: i64,
    /// True when this call recorded a new model for the date; false when the date already has
    /// this model recorded (and always false from [`load_for_date`]).
    pub created: bool,
}

/// What [`train_for_date`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum TrainOutcome {
    Trained(ModelArtifact),
    /// Too few training rows: no model for the date (any earlier one recorded stays).
    Skipped {
        training_rows: usize,
        reason: String,
    },
}

impl TrainOutcome {
    pub fn artifact(&self) -> Option<&ModelArtifact> {
        match self {
            TrainOutcome::Trained(a) => Some(a),
            TrainOutcome::Skipped { .. } => None,
        }
    }
}

fn check_date(date: &str) -> Result<()> {
    chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .map(|_| ())
        .map_err(|e| PipelineError::InvalidRequest(format!("{SYSTEM}: date {date:?}: {e}")))
}

/// The training rows for a model of date `before`: every player-game of the
/// [`TRAINING_DAYS`] before it with a feature row of the current version, a line, and minutes
/// played (see [`super::history`]).
pub async fn load_training_rows(deps: &Deps, before: &str) -> Result<Vec<TrainingRow>> {
    check_date(before)?;
    let from = crate::analytics::upcoming_player_game_context::days_before(before, TRAINING_DAYS)?;
    let mut rows = super::history::labelled_games(deps, &from, before).await?;
    rows.sort_by(model::row_order);
    Ok(rows)
}

/// How often a new model is trained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cadence {
    /// Every date gets a model trained on every row before it (a live day).
    Daily,
    /// Every date gets the model of its week: trained on the rows before the week's Monday
    /// (ISO week), one training shared by the week's dates (a backfill).
    Weekly,
}

/// The date the model used on `date` is trained for: rows strictly before it train it.
pub fn training_date(date: &str, cadence: Cadence) -> Result<String> {
    let d = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .map_err(|e| PipelineError::InvalidRequest(format!("{SYSTEM}: date {date:?}: {e}")))?;
    Ok(match cadence {
        Cadence::Daily => date.to_string(),
        Cadence::Weekly => {
            use chrono::Datelike;
            let monday = d - chrono::Days::new(d.weekday().num_days_from_monday() as u64);
            monday.format("%Y-%m-%d").to_string()
        }
    })
}

/// A trained model, its artifact's bytes and their hash (kept per process: the dates that share
/// a training share one).
pub struct TrainedModel {
    pub model: GbmModel,
    pub bytes: Bytes,
    pub content_hash: String,
}

/// Trains the model for `date` on the warehouse's rows of the [`TRAINING_DAYS`] before it
/// (before its week's Monday with [`Cadence::Weekly`]), keeps the artifact and records it in `model_artifacts` as the
/// date's model (`now`: UTC RFC 3339, the row's `created_at`). The same data again gives the
/// same artifact and writes nothing (`created: false`); changed data replaces the date's row,
/// the old artifact staying in the store. A training is kept in the process, keyed by the date
/// it is for and the digest of its rows: the dates of a week, and a rerun over unchanged
/// history, do not train again.
pub async fn train_for_date(
    deps: &Deps,
    date: &str,
    now: &str,
    cadence: Cadence,
) -> Result<TrainOutcome> {
    let trained_for = training_date(date, cadence)?;
    let from =
        crate::analytics::upcoming_player_game_context::days_before(&trained_for, TRAINING_DAYS)?;
    let history = super::history::labelled_history(deps, &from, &trained_for).await?;
    if let Some(mut reason) = too_few_rows(history.len(), &trained_for) {
        if trained_for != date {
            reason = format!("{reason}, the model of {date}'s week");
        }
        tracing::info!(date, rows = history.len(), "{reason}");
        return Ok(TrainOutcome::Skipped {
            training_rows: history.len(),
            reason,
        });
    }
    let trained = deps
        .predict_cache
        .trained
        .get_or_try_init(&format!("{trained_for} {}", history.digest), || async {
            let rows = history.clone();
            let for_date = trained_for.clone();
            // Training is CPU work: keep it off the async runtime's threads.
            let model = tokio::task::spawn_blocking(move || train(rows.iter(), &for_date))
                .await
                .map_err(|e| {
                    PipelineError::Internal(format!(
                        "{SYSTEM}: training for {trained_for} panicked: {e}"
                    ))
                })??;
            let bytes = to_bytes(&model)?;
            Ok(TrainedModel {
                content_hash: content_hash(&bytes),
                bytes: Bytes::from(bytes),
                model,
            })
        })
        .await?;
    let model = &trained.model;
    let hash = trained.content_hash.clone();
    let key = object_key(&hash);
    let version = model_version(&hash);
    artifact_store::put(deps, &key, &hash, trained.bytes.clone()).await?;

    let created = match model_artifacts::recorded(&deps.warehouse, SYSTEM, date).await? {
        Some(r) => r.content_hash != hash,
        None => true,
    };
    if created {
        let row_hash = crate::hashing::row_hash(&[
            SYSTEM.into(),
            date.into(),
            version.as_str().into(),
            hash.as_str().into(),
            key.as_str().into(),
            model.feature_version.into(),
            model.training_rows.into(),
            model.first_training_date.as_str().into(),
            model.last_training_date.as_str().into(),
            model.in_sample_mae.into(),
            model.line_mae.into(),
        ]);
        model_artifacts::record(
            &deps.warehouse,
            &ModelArtifactRecord {
                system: SYSTEM,
                trained_for: date,
                model_version: &version,
                content_hash: &hash,
                object_key: &key,
                feature_version: model.feature_version,
                training_rows: model.training_rows,
                first_training_date: &model.first_training_date,
                last_training_date: &model.last_training_date,
                in_sample_mae: model.in_sample_mae,
                line_mae: model.line_mae,
                row_hash: &row_hash,
                created_at: now,
            },
        )
        .await?;
    }
    Ok(TrainOutcome::Trained(ModelArtifact {
        model_version: version,
        content_hash: hash,
        object_key: key,
        trained_for: date.to_string(),
        training_rows: model.training_rows,
        created,
    }))
}

/// The model recorded for `date`, read back from the object store and checked: its bytes must
/// hash to the recorded hash, parse, be trained for `date` or a date before it (its week's
/// Monday, [`Cadence::Weekly`]) and read the current feature version. `None` when no model is
/// recorded for the date. The parsed model is kept in the process by its content hash (the
/// batches of a date, the dates of a week share it); the bytes are read and checked every time.
pub async fn load_for_date(
    deps: &Deps,
    date: &str,
) -> Result<Option<(ModelArtifact, Arc<GbmModel>)>> {
    check_date(date)?;
    let Some(rec) = model_artifacts::recorded(&deps.warehouse, SYSTEM, date).await? else {
        return Ok(None);
    };
    let bad = |reason: String| PipelineError::QualityCheck {
        processor: SYSTEM.to_string(),
        date: date.to_string(),
        reason: format!(
            "bad model artifact for {date} at {}: {reason}",
            rec.object_key
        ),
    };
    let Some(bytes) = artifact_store::get(deps, &rec.object_key).await? else {
        return Err(bad("missing from the object store".to_string()));
    };
    let actual = content_hash(&bytes);
    if actual != rec.content_hash {
        return Err(bad(format!(
            "its bytes hash to {actual}, recorded {}",
            rec.content_hash
        )));
    }
    let model = deps
        .predict_cache
        .models
        .get_or_try_init(&actual, || async {
            from_bytes(&bytes).map_err(|e| bad(e.to_string()))
        })
        .await?;
    if model.trained_for.as_str() > date {
        return Err(bad(format!("it is the model for {}", model.trained_for)));
    }
    if model.feature_version != FEATURE_VERSION {
        return Err(bad(format!(
            "trained on feature version {}, this code reads {FEATURE_VERSION}: retrain it",
            model.feature_version
        )));
    }
    Ok(Some((
        ModelArtifact {
            model_version: rec.model_version,
            content_hash: rec.content_hash,
            object_key: rec.object_key,
            trained_for: date.to_string(),
            training_rows: rec.training_rows,
            created: false,
        },
        model,
    )))
}
