//! `gbm`: gradient-boosted trees over the `ml_feature_store` vector, trained walk-forward.
//!
//! The model for game date D is trained on every `ml_feature_store` row before D whose player
//! then played (`player_game_summary`, minutes > 0). Its target is the residual
//! `actual_points − line`: the market line is the strongest prior, so the trees only learn
//! corrections to it, and the predicted points are `line + predicted residual`, clamped to
//! `0..=80`. Training sets are small (hundreds to tens of thousands of rows) and noisy, so the
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
//!   guaranteed the same bytes on every machine.
//! - `forust-ml` (chosen): maintained (0.8.0 is recent), XGBoost's algorithm with explicit
//!   depth, learning rate, L2, minimum leaf weight and seeded subsampling; NaN is the missing
//!   value and each split learns where missing values go; the booster serialises with serde
//!   (JSON); and its own tests check that trees are identical for any number of threads.
//!   Pinned exactly because stored artifacts depend on its serialisation.

use std::cmp::Ordering;
use std::sync::Arc;

use bytes::Bytes;
use forust_ml::gradientbooster::GradientBooster;
use forust_ml::objective::ObjectiveType;
use forust_ml::sampler::SampleMethod;
use forust_ml::Matrix;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, PutMode, PutOptions, PutPayload};
use serde::{Deserialize, Serialize};

use crate::error::{PipelineError, Result};
use crate::precompute::ml_feature_store::{FEATURE_NAMES, FEATURE_VERSION};
use crate::Deps;

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
pub const TARGET: &str = "actual_points - line (predicted points = line + prediction)";

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

/// A trained model: the booster and what it was trained on. Serialised by [`to_bytes`].
#[derive(Serialize, Deserialize)]
pub struct GbmModel {
    /// [`ARTIFACT_FORMAT`].
    pub format: String,
    pub feature_version: i64,
    pub feature_names: Vec<String>,
    /// The game date the model predicts; it was trained on dates before it.
    pub trained_for: String,
    pub training_rows: i64,
    pub first_training_date: String,
    pub last_training_date: String,
    /// [`TARGET`].
    pub target: String,
    /// Mean absolute error in points of the model on its training rows.
    pub in_sample_mae: f64,
    /// The same for the line alone.
    pub line_mae: f64,
    booster: GradientBooster,
}

impl std::fmt::Debug for GbmModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GbmModel")
            .field("feature_version", &self.feature_version)
            .field("trained_for", &self.trained_for)
            .field("training_rows", &self.training_rows)
            .field("first_training_date", &self.first_training_date)
            .field("last_training_date", &self.last_training_date)
            .field("in_sample_mae", &self.in_sample_mae)
            .field("line_mae", &self.line_mae)
            .field("trees", &self.booster.trees.len())
            .finish()
    }
}

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
    /// True when this call recorded a new model for the date; false when the same model was
    /// already recorded (and always false from [`load_for_date`]).
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

/// Why there is no model for `date` with `rows` training rows, if there is none.
pub fn too_few_rows(rows: usize, date: &str) -> Option<String> {
    (rows < MIN_TRAINING_ROWS).then(|| {
        format!(
            "{SYSTEM}: {rows} training rows before {date} (feature rows of players who then \
             played); {MIN_TRAINING_ROWS} needed, so no model for {date}"
        )
    })
}

/// The booster with this module's settings, untrained.
fn booster() -> GradientBooster {
    GradientBooster::default()
        .set_objective_type(ObjectiveType::SquaredLoss)
        .set_iterations(ITERATIONS)
        .set_learning_rate(LEARNING_RATE)
        .set_max_depth(MAX_DEPTH)
        .set_l2(L2)
        .set_min_leaf_weight(MIN_LEAF_WEIGHT)
        .set_initialize_base_score(true)
        .set_nbins(NBINS)
        .set_parallel(true)
        .set_num_threads(None)
        .set_allow_missing_splits(true)
        .set_create_missing_branch(false)
        .set_missing(f64::NAN)
        .set_sample_method(SampleMethod::Random)
        .set_subsample(SUBSAMPLE)
        .set_colsample_bytree(COLSAMPLE)
        .set_seed(SEED)
}

/// A feature as the booster reads it: missing (and non-finite) is NaN.
fn value(v: Option<f64>) -> f64 {
    v.filter(|x| x.is_finite()).unwrap_or(f64::NAN)
}

fn clamp_points(x: f64) -> f64 {
    if x.is_nan() {
        0.0
    } else {
        x.clamp(0.0, MAX_POINTS)
    }
}

/// A total order over rows, so training does not depend on the order they came in.
fn row_order(a: &TrainingRow, b: &TrainingRow) -> Ordering {
    a.game_date
        .cmp(&b.game_date)
        .then(a.player_id.cmp(&b.player_id))
        .then(a.line.total_cmp(&b.line))
        .then(a.actual_points.total_cmp(&b.actual_points))
        .then_with(|| {
            let key = |r: &TrainingRow| -> Vec<(bool, f64)> {
                r.features
                    .iter()
                    .map(|v| (v.is_some(), v.unwrap_or(0.0)))
                    .collect()
            };
            let (ka, kb) = (key(a), key(b));
            ka.iter()
                .zip(&kb)
                .map(|(x, y)| x.0.cmp(&y.0).then(x.1.total_cmp(&y.1)))
                .find(|o| o.is_ne())
                .unwrap_or(ka.len().cmp(&kb.len()))
        })
}

/// The column-major matrix of the rows' features.
fn matrix_data(rows: &[&TrainingRow], cols: usize) -> Vec<f64> {
    let n = rows.len();
    let mut data = vec![f64::NAN; n * cols];
    for (i, r) in rows.iter().enumerate() {
        for (j, v) in r.features.iter().enumerate() {
            data[j * n + i] = value(*v);
        }
    }
    data
}

/// Trains the model for `trained_for` on `rows` (all before that date). Deterministic: the
/// same rows in any order give the same model and the same [`to_bytes`].
pub fn train<'a>(
    rows: impl IntoIterator<Item = &'a TrainingRow>,
    trained_for: &str,
) -> Result<GbmModel> {
    let rows: Vec<&TrainingRow> = rows.into_iter().collect();
    if let Some(reason) = too_few_rows(rows.len(), trained_for) {
        return Err(PipelineError::QualityCheck {
            processor: SYSTEM.to_string(),
            date: trained_for.to_string(),
            reason,
        });
    }
    let cols = FEATURE_NAMES.len();
    for r in &rows {
        let problem = if r.features.len() != cols {
            Some(format!("{} features, expected {cols}", r.features.len()))
        } else if !r.line.is_finite() || !r.actual_points.is_finite() {
            Some(format!(
                "line {} and actual points {} must be numbers",
                r.line, r.actual_points
            ))
        } else if r.game_date.as_str() >= trained_for {
            Some(format!(
                "a row of {} cannot train the model for {trained_for} (point in time)",
                r.game_date
            ))
        } else {
            None
        };
        if let Some(problem) = problem {
            return Err(PipelineError::Internal(format!(
                "{SYSTEM}: training row of player {} on {}: {problem}",
                r.player_id, r.game_date
            )));
        }
    }

    let mut sorted = rows;
    sorted.sort_by(|a, b| row_order(a, b));
    let n = sorted.len();
    let data = matrix_data(&sorted, cols);
    let matrix = Matrix::new(&data, n, cols);
    let y: Vec<f64> = sorted.iter().map(|r| r.actual_points - r.line).collect();
    let weights = vec![1.0; n];

    let mut booster = booster();
    booster.fit(&matrix, &y, &weights, None).map_err(|e| {
        PipelineError::Internal(format!(
            "{SYSTEM}: training the model for {trained_for} on {n} rows failed: {e}"
        ))
    })?;

    let residuals = booster.predict(&matrix, true);
    let (mut model_err, mut line_err) = (0.0, 0.0);
    for (r, res) in sorted.iter().zip(&residuals) {
        model_err += (clamp_points(r.line + res) - r.actual_points).abs();
        line_err += (r.line - r.actual_points).abs();
    }
    Ok(GbmModel {
        format: ARTIFACT_FORMAT.to_string(),
        feature_version: FEATURE_VERSION,
        feature_names: FEATURE_NAMES.iter().map(|s| s.to_string()).collect(),
        trained_for: trained_for.to_string(),
        training_rows: n as i64,
        first_training_date: sorted[0].game_date.clone(),
        last_training_date: sorted[n - 1].game_date.clone(),
        target: TARGET.to_string(),
        in_sample_mae: model_err / n as f64,
        line_mae: line_err / n as f64,
        booster,
    })
}

/// Predicted points for one player: `line +` the predicted residual, clamped to `0..=80` and
/// rounded to hundredths. `features` are the [`FEATURE_NAMES`] values in order (`None` =
/// missing).
pub fn predict(model: &GbmModel, features: &[Option<f64>], line: f64) -> Result<f64> {
    if features.len() != model.feature_names.len() {
        return Err(PipelineError::Internal(format!(
            "{SYSTEM}: {} features given, the model for {} reads {}",
            features.len(),
            model.trained_for,
            model.feature_names.len()
        )));
    }
    if !line.is_finite() {
        return Err(PipelineError::InvalidRequest(format!(
            "{SYSTEM}: line {line} is not a number"
        )));
    }
    let row: Vec<f64> = features.iter().map(|v| value(*v)).collect();
    let residual = model
        .booster
        .predict(&Matrix::new(&row, 1, row.len()), false)[0];
    Ok((clamp_points(line + residual) * 100.0).round() / 100.0)
}

/// The artifact's bytes (canonical JSON: same model, same bytes).
pub fn to_bytes(model: &GbmModel) -> Result<Vec<u8>> {
    serde_json::to_vec(model).map_err(|e| {
        PipelineError::Internal(format!(
            "{SYSTEM} model artifact for {}: cannot serialise: {e}",
            model.trained_for
        ))
    })
}

/// A model back from its artifact's bytes.
pub fn from_bytes(bytes: &[u8]) -> Result<GbmModel> {
    let bad = |reason: String| {
        PipelineError::Internal(format!("bad model artifact ({SYSTEM}): {reason}"))
    };
    let model: GbmModel = serde_json::from_slice(bytes)
        .map_err(|e| bad(format!("not a {ARTIFACT_FORMAT} artifact: {e}")))?;
    if model.format != ARTIFACT_FORMAT {
        return Err(bad(format!(
            "format {:?}, this code reads {ARTIFACT_FORMAT:?}",
            model.format
        )));
    }
    if model.feature_names.is_empty() || model.booster.trees.is_empty() {
        return Err(bad("no features or no trees".to_string()));
    }
    Ok(model)
}

/// The hex blake3 of an artifact's bytes (the same hash the raw store keys payloads by).
pub fn content_hash(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
}

/// `gbm-<first 12 hex of the hash>`.
pub fn model_version(content_hash: &str) -> String {
    format!("{SYSTEM}-{}", &content_hash[..12.min(content_hash.len())])
}

/// Where an artifact's bytes are kept in the object store.
pub fn object_key(content_hash: &str) -> String {
    format!("models/{SYSTEM}/{content_hash}.bin")
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
    rows.sort_by(row_order);
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

#[derive(Debug, sqlx::FromRow)]
struct ArtifactRecord {
    model_version: String,
    content_hash: String,
    object_key: String,
    training_rows: i64,
}

async fn recorded(deps: &Deps, date: &str) -> Result<Option<ArtifactRecord>> {
    Ok(sqlx::query_as::<_, ArtifactRecord>(
        "SELECT model_version, content_hash, object_key, training_rows FROM model_artifacts \
         WHERE system = ? AND trained_for = ?",
    )
    .bind(SYSTEM)
    .bind(date)
    .fetch_optional(deps.warehouse.pool())
    .await?)
}

/// Keeps the bytes at `key` unless an intact copy is already there (a damaged one is replaced).
async fn put_artifact(deps: &Deps, key: &str, hash: &str, body: Bytes) -> Result<()> {
    let store = deps.raw.object_store();
    let path = ObjectPath::from(key);
    let create = PutOptions {
        mode: PutMode::Create,
        ..Default::default()
    };
    match store
        .put_opts(&path, PutPayload::from(body.clone()), create)
        .await
    {
        Ok(_) => Ok(()),
        Err(object_store::Error::AlreadyExists { .. }) => {
            let existing = store.get(&path).await?.bytes().await?;
            if content_hash(&existing) != hash {
                tracing::warn!(key, "replacing a damaged model artifact");
                store.put(&path, PutPayload::from(body)).await?;
            }
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
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
    put_artifact(deps, &key, &hash, trained.bytes.clone()).await?;

    let created = match recorded(deps, date).await? {
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
        sqlx::query(
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
        .bind(SYSTEM)
        .bind(date)
        .bind(&version)
        .bind(&hash)
        .bind(&key)
        .bind(model.feature_version)
        .bind(model.training_rows)
        .bind(&model.first_training_date)
        .bind(&model.last_training_date)
        .bind(model.in_sample_mae)
        .bind(model.line_mae)
        .bind(row_hash)
        .bind(now)
        .execute(deps.warehouse.pool())
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
    let Some(rec) = recorded(deps, date).await? else {
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
    let store = deps.raw.object_store();
    let bytes = match store.get(&ObjectPath::from(rec.object_key.as_str())).await {
        Ok(got) => got.bytes().await?,
        Err(object_store::Error::NotFound { .. }) => {
            return Err(bad("missing from the object store".to_string()))
        }
        Err(e) => return Err(e.into()),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::player_game_summary::GameSummaryRow;
    use crate::precompute::ml_feature_store::{feature_hash, FeatureRow};
    use crate::raw::test_support::temp_deps;
    use crate::storage::warehouse::WriteMeta;

    /// The feature the synthetic target depends on: `l10_minus_line`.
    const K: usize = 7;

    /// splitmix64: a small deterministic generator for synthetic data.
    struct Rng(u64);
    impl Rng {
        fn uniform(&mut self) -> f64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            (z >> 11) as f64 / (1u64 << 53) as f64
        }
        fn normal(&mut self) -> f64 {
            (0..12).map(|_| self.uniform()).sum::<f64>() - 6.0
        }
    }

    fn date(day: usize) -> String {
        (chrono::NaiveDate::from_ymd_opt(2024, 10, 22).unwrap() + chrono::Days::new(day as u64))
            .format("%Y-%m-%d")
            .to_string()
    }

    /// `n` rows, `per_day` players a date: actual = line + 3·feature K + noise (sd 3), other
    /// features noise with a tenth missing, the line always present as feature 0.
    fn synthetic(n: usize, per_day: usize, seed: u64) -> Vec<TrainingRow> {
        let mut rng = Rng(seed);
        (0..n)
            .map(|i| {
                let line = (8.0 + 22.0 * rng.uniform()).round() + 0.5;
                let signal = 4.0 * rng.uniform() - 2.0;
                let mut features: Vec<Option<f64>> = (0..FEATURE_NAMES.len())
                    .map(|_| (rng.uniform() >= 0.1).then(|| rng.normal()))
                    .collect();
                features[0] = Some(line);
                features[K] = Some(signal);
                let actual = (line + 3.0 * signal + 3.0 * rng.normal()).round().max(0.0);
                TrainingRow {
                    game_date: date(i / per_day),
                    player_id: 1000 + (i % per_day) as i64,
                    features,
                    line,
                    actual_points: actual,
                }
            })
            .collect()
    }

    fn features_with(k_value: f64, line: f64) -> Vec<Option<f64>> {
        let mut f = vec![None; FEATURE_NAMES.len()];
        f[0] = Some(line);
        f[K] = Some(k_value);
        f
    }

    #[test]
    fn gbm_learns_the_correction_and_beats_the_line() {
        let rows = synthetic(3000, 30, 7);
        let model = train(&rows, &date(200)).unwrap();
        assert_eq!(model.training_rows, 3000);
        assert_eq!(model.first_training_date, date(0));
        assert_eq!(model.last_training_date, date(99));
        assert!(model.in_sample_mae < model.line_mae, "{model:?}");

        // The prediction moves with the feature, in the right direction, about 3 points a unit.
        let low = predict(&model, &features_with(-1.5, 20.5), 20.5).unwrap();
        let mid = predict(&model, &features_with(0.0, 20.5), 20.5).unwrap();
        let high = predict(&model, &features_with(1.5, 20.5), 20.5).unwrap();
        assert!(low < mid && mid < high, "{low} {mid} {high}");
        assert!(high - low > 5.0, "{low} {high}");
        assert!((mid - 20.5).abs() < 1.5, "{mid}");

        // Out of sample, the model is closer to what happened than the line.
        let test = synthetic(1000, 30, 99);
        let (mut model_err, mut line_err) = (0.0, 0.0);
        for r in &test {
            let p = predict(&model, &r.features, r.line).unwrap();
            assert!((0.0..=MAX_POINTS).contains(&p));
            model_err += (p - r.actual_points).abs();
            line_err += (r.line - r.actual_points).abs();
        }
        assert!(
            model_err < 0.85 * line_err,
            "model MAE {} vs line MAE {}",
            model_err / 1000.0,
            line_err / 1000.0
        );

        // Clamped to 0..=80, and a wrong vector is refused.
        assert_eq!(
            predict(&model, &features_with(-2.0, 0.5), 0.5).unwrap(),
            0.0
        );
        assert_eq!(
            predict(&model, &features_with(2.0, 95.5), 95.5).unwrap(),
            80.0
        );
        assert!(predict(&model, &[Some(1.0)], 20.5).is_err());
        assert!(predict(&model, &features_with(0.0, 20.5), f64::NAN).is_err());
    }

    #[test]
    fn gbm_training_is_deterministic_in_any_row_order() {
        let rows = synthetic(600, 20, 3);
        let a = to_bytes(&train(&rows, &date(100)).unwrap()).unwrap();
        let mut shuffled = rows.clone();
        shuffled.reverse();
        let mut rng = Rng(11);
        for i in (1..shuffled.len()).rev() {
            let j = (rng.uniform() * (i + 1) as f64) as usize;
            shuffled.swap(i, j);
        }
        let b = to_bytes(&train(&shuffled, &date(100)).unwrap()).unwrap();
        assert!(a == b, "shuffled rows gave different bytes");
        assert_eq!(content_hash(&a), content_hash(&b));
        // Different data: a different model.
        let c = to_bytes(&train(&rows[1..], &date(100)).unwrap()).unwrap();
        assert_ne!(content_hash(&a), content_hash(&c));
    }

    #[test]
    fn gbm_too_few_rows_and_bad_rows_are_refused() {
        let rows = synthetic(MIN_TRAINING_ROWS - 1, 20, 5);
        let e = train(&rows, &date(100)).unwrap_err().to_string();
        assert!(
            e.contains("199 training rows") && e.contains("200 needed"),
            "{e}"
        );
        assert!(too_few_rows(MIN_TRAINING_ROWS, "2025-01-01").is_none());

        // A row on or after the date it trains for breaks point in time.
        let rows = synthetic(300, 20, 5);
        let e = train(&rows, &date(10)).unwrap_err().to_string();
        assert!(e.contains("point in time"), "{e}");
        let mut rows = synthetic(300, 20, 5);
        rows[3].features.pop();
        assert!(train(&rows, &date(100)).is_err());
    }

    #[test]
    fn gbm_artifact_round_trips() {
        let rows = synthetic(400, 20, 9);
        let model = train(&rows, &date(100)).unwrap();
        let bytes = to_bytes(&model).unwrap();
        let back = from_bytes(&bytes).unwrap();
        assert_eq!(to_bytes(&back).unwrap(), bytes);
        assert_eq!(back.trained_for, date(100));
        assert_eq!(back.feature_version, FEATURE_VERSION);
        assert_eq!(back.feature_names.len(), FEATURE_NAMES.len());
        for r in rows.iter().take(50) {
            assert_eq!(
                predict(&model, &r.features, r.line).unwrap(),
                predict(&back, &r.features, r.line).unwrap()
            );
        }
        let e = from_bytes(b"{\"format\":1}").unwrap_err().to_string();
        assert!(e.contains("bad model artifact"), "{e}");
        let e = from_bytes(&bytes[..bytes.len() / 2])
            .unwrap_err()
            .to_string();
        assert!(e.contains("bad model artifact"), "{e}");
        assert_eq!(model_version("0123456789abcdef"), "gbm-0123456789ab");
        assert_eq!(object_key("ab"), "models/gbm/ab.bin");
    }

    fn meta() -> WriteMeta {
        WriteMeta {
            correlation_id: "test".into(),
            now: "2025-01-01T00:00:00Z".into(),
        }
    }

    /// Writes the synthetic rows into `ml_feature_store` and `player_game_summary`, a date at a
    /// time. Player 1000 of each date did not play (0 minutes) and player 1001 has no game.
    async fn seed(deps: &Deps, rows: &[TrainingRow]) {
        let mut dates: Vec<&str> = rows.iter().map(|r| r.game_date.as_str()).collect();
        dates.dedup();
        for d in dates {
            let day: Vec<&TrainingRow> = rows.iter().filter(|r| r.game_date == d).collect();
            let features: Vec<FeatureRow> = day
                .iter()
                .map(|r| FeatureRow {
                    game_date: d.to_string(),
                    player_id: r.player_id,
                    player_name: format!("p{}", r.player_id),
                    team: "BOS".into(),
                    opponent: Some("NYK".into()),
                    feature_version: FEATURE_VERSION,
                    feature_count: r.features.len() as i64,
                    features: serde_json::to_string(&r.features).unwrap(),
                    missing_count: r.features.iter().filter(|v| v.is_none()).count() as i64,
                    feature_hash: feature_hash(&r.features),
                })
                .collect();
            let games: Vec<GameSummaryRow> = day
                .iter()
                .filter(|r| r.player_id != 1001)
                .map(|r| {
                    let minutes = if r.player_id == 1000 { 0.0 } else { 30.0 };
                    GameSummaryRow::sample(d, r.player_id, r.actual_points as i64, minutes)
                })
                .collect();
            deps.warehouse
                .write_partition(d, None, &features, &meta())
                .await
                .unwrap();
            deps.warehouse
                .write_partition(d, None, &games, &meta())
                .await
                .unwrap();
        }
    }

    #[tokio::test]
    async fn gbm_loads_point_in_time_rows_of_players_who_played() {
        let (_dir, deps) = temp_deps().await;
        let rows = synthetic(20 * 12, 12, 21);
        seed(&deps, &rows).await;
        let got = load_training_rows(&deps, &date(10)).await.unwrap();
        // 10 dates before, 12 players a date, less the one who did not play and the one
        // without a game.
        assert_eq!(got.len(), 10 * 10);
        assert!(got.iter().all(|r| r.game_date < date(10)));
        assert!(got
            .iter()
            .all(|r| r.player_id != 1000 && r.player_id != 1001));
        let expected: Vec<&TrainingRow> = rows
            .iter()
            .filter(|r| r.game_date < date(10) && r.player_id > 1001)
            .collect();
        assert_eq!(got.iter().collect::<Vec<_>>(), expected);
        assert!(load_training_rows(&deps, "not a date").await.is_err());
    }

    #[tokio::test]
    async fn gbm_train_for_date_is_idempotent_point_in_time_and_checked() {
        let (_dir, deps) = temp_deps().await;
        let per_day = 25;
        let rows = synthetic(40 * per_day, per_day, 42);
        seed(&deps, &rows[..30 * per_day]).await;
        let d = date(30);

        // Too few rows before an early date: no model, and a reason.
        let early = train_for_date(&deps, &date(5), "2025-01-02T00:00:00Z", Cadence::Daily)
            .await
            .unwrap();
        match &early {
            TrainOutcome::Skipped {
                training_rows,
                reason,
            } => {
                assert_eq!(*training_rows, 5 * (per_day - 2));
                assert!(reason.contains("200 needed"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        assert!(early.artifact().is_none());
        assert!(load_for_date(&deps, &date(5)).await.unwrap().is_none());

        let first = train_for_date(&deps, &d, "2025-01-02T00:00:00Z", Cadence::Daily)
            .await
            .unwrap();
        let first = first.artifact().unwrap().clone();
        assert!(first.created);
        assert_eq!(first.training_rows, 30 * (per_day - 2) as i64);
        assert_eq!(
            first.model_version,
            format!("gbm-{}", &first.content_hash[..12])
        );
        assert_eq!(first.object_key, object_key(&first.content_hash));

        // Another warehouse with the same data: the same artifact and the same row hash.
        let (_dir2, other) = temp_deps().await;
        seed(&other, &rows[..30 * per_day]).await;
        let twin = train_for_date(&other, &d, "2025-02-01T00:00:00Z", Cadence::Daily)
            .await
            .unwrap();
        assert_eq!(twin.artifact().unwrap().content_hash, first.content_hash);
        let row_hash = |deps: Deps| async move {
            sqlx::query_scalar::<_, String>("SELECT row_hash FROM model_artifacts")
                .fetch_one(deps.warehouse.pool())
                .await
                .unwrap()
        };
        assert_eq!(row_hash(other).await, row_hash(deps.clone()).await);

        // Again on the same data: the same artifact, nothing new written.
        let again = train_for_date(&deps, &d, "2025-01-03T00:00:00Z", Cadence::Daily)
            .await
            .unwrap();
        let again = again.artifact().unwrap().clone();
        assert!(!again.created);
        assert_eq!(again.content_hash, first.content_hash);
        let created_at: String = sqlx::query_scalar(
            "SELECT created_at FROM model_artifacts WHERE system = 'gbm' AND trained_for = ?",
        )
        .bind(&d)
        .fetch_one(deps.warehouse.pool())
        .await
        .unwrap();
        assert_eq!(created_at, "2025-01-02T00:00:00Z");

        // Point in time: rows on and after the date change nothing.
        seed(&deps, &rows[30 * per_day..]).await;
        let later = train_for_date(&deps, &d, "2025-01-04T00:00:00Z", Cadence::Daily)
            .await
            .unwrap();
        assert_eq!(later.artifact().unwrap().content_hash, first.content_hash);
        assert!(!later.artifact().unwrap().created);

        // The recorded model loads, checked, and predicts.
        let (artifact, model) = load_for_date(&deps, &d).await.unwrap().unwrap();
        assert_eq!(artifact.content_hash, first.content_hash);
        assert_eq!(artifact.model_version, first.model_version);
        assert!(!artifact.created);
        assert_eq!(model.trained_for, d);
        assert_eq!(model.last_training_date, date(29));
        let p = predict(&model, &rows[0].features, rows[0].line).unwrap();
        assert!((0.0..=MAX_POINTS).contains(&p));

        // Changed data before the date: a new model replaces the date's row; the old artifact
        // stays in the store.
        let mut changed = rows[..per_day].to_vec();
        for r in &mut changed {
            r.actual_points += 5.0;
        }
        seed(&deps, &changed).await;
        let retrained = train_for_date(&deps, &d, "2025-01-05T00:00:00Z", Cadence::Daily)
            .await
            .unwrap();
        let retrained = retrained.artifact().unwrap().clone();
        assert!(retrained.created);
        assert_ne!(retrained.content_hash, first.content_hash);
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM model_artifacts")
            .fetch_one(deps.warehouse.pool())
            .await
            .unwrap();
        assert_eq!(count, 1);
        let store = deps.raw.object_store();
        for key in [&first.object_key, &retrained.object_key] {
            store.head(&ObjectPath::from(key.as_str())).await.unwrap();
        }
        let (loaded, _) = load_for_date(&deps, &d).await.unwrap().unwrap();
        assert_eq!(loaded.content_hash, retrained.content_hash);

        // Tampered bytes: a clear error naming the date and the key.
        let path = ObjectPath::from(retrained.object_key.as_str());
        let mut bytes = store
            .get(&path)
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()
            .to_vec();
        let at = bytes.len() / 2;
        bytes[at] = if bytes[at] == b'1' { b'2' } else { b'1' };
        store.put(&path, PutPayload::from(bytes)).await.unwrap();
        let e = load_for_date(&deps, &d).await.unwrap_err().to_string();
        assert!(e.contains("bad model artifact"), "{e}");
        assert!(e.contains(&d) && e.contains(&retrained.object_key), "{e}");

        // Training again repairs the damaged object.
        let repaired = train_for_date(&deps, &d, "2025-01-06T00:00:00Z", Cadence::Daily)
            .await
            .unwrap();
        assert!(!repaired.artifact().unwrap().created);
        assert!(load_for_date(&deps, &d).await.unwrap().is_some());

        // A missing object is an error too.
        store.delete(&path).await.unwrap();
        let e = load_for_date(&deps, &d).await.unwrap_err().to_string();
        assert!(
            e.contains("bad model artifact") && e.contains("missing"),
            "{e}"
        );
    }

    #[tokio::test]
    async fn gbm_weekly_cadence_shares_the_monday_model_across_the_week() {
        let (_dir, deps) = temp_deps().await;
        let per_day = 25;
        let rows = synthetic(31 * per_day, per_day, 42);
        seed(&deps, &rows).await;
        // date(0) is Tuesday 2024-10-22: date(27) is Monday 2024-11-18, date(30) its Thursday.
        let monday = date(27);
        assert_eq!(training_date(&date(30), Cadence::Weekly).unwrap(), monday);
        assert_eq!(training_date(&monday, Cadence::Weekly).unwrap(), monday);
        assert_eq!(training_date(&date(30), Cadence::Daily).unwrap(), date(30));

        let now = "2025-01-02T00:00:00Z";
        let live_monday = train_for_date(&deps, &monday, now, Cadence::Daily)
            .await
            .unwrap();
        let live_monday = live_monday.artifact().unwrap().clone();
        for day in [28, 30] {
            let weekly = train_for_date(&deps, &date(day), now, Cadence::Weekly)
                .await
                .unwrap();
            let weekly = weekly.artifact().unwrap().clone();
            // The week's dates get the bytes the live Monday got, recorded as their own.
            assert_eq!(weekly.content_hash, live_monday.content_hash);
            assert_eq!(weekly.trained_for, date(day));
            assert!(weekly.created);
            let (artifact, model) = load_for_date(&deps, &date(day)).await.unwrap().unwrap();
            assert_eq!(artifact.content_hash, live_monday.content_hash);
            assert_eq!(model.trained_for, monday);
            assert_eq!(model.last_training_date, date(26));
        }
        // The daily model of a weekday is a different one, trained on the days since Monday too.
        let daily = train_for_date(&deps, &date(30), now, Cadence::Daily)
            .await
            .unwrap();
        assert_ne!(
            daily.artifact().unwrap().content_hash,
            live_monday.content_hash
        );
        // Too little history before the week's Monday: no model, the reason names the week.
        let early = train_for_date(&deps, &date(8), now, Cadence::Weekly)
            .await
            .unwrap();
        match early {
            TrainOutcome::Skipped { reason, .. } => {
                assert!(reason.contains("week"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
    }

    /// Training time on 2,000 and 20,000 rows: `cargo test -p nbaprops-activities
    /// gbm_training_time -- --ignored --nocapture`. The artifact hashes printed must not depend
    /// on the machine or on `RAYON_NUM_THREADS`.
    #[test]
    #[ignore]
    fn gbm_training_time() {
        for n in [2_000, 20_000] {
            let rows = synthetic(n, 100, 1);
            let start = std::time::Instant::now();
            let model = train(&rows, &date(1000)).unwrap();
            let elapsed = start.elapsed();
            let test = synthetic(2_000, 100, 2);
            let out_of_sample = test
                .iter()
                .map(|r| (predict(&model, &r.features, r.line).unwrap() - r.actual_points).abs())
                .sum::<f64>()
                / test.len() as f64;
            let line = test
                .iter()
                .map(|r| (r.line - r.actual_points).abs())
                .sum::<f64>()
                / test.len() as f64;
            println!(
                "{n} rows: trained in {elapsed:.2?}; MAE in sample {:.3} (line {:.3}), \
                 out of sample {out_of_sample:.3} (line {line:.3}); artifact {}",
                model.in_sample_mae,
                model.line_mae,
                content_hash(&to_bytes(&model).unwrap())
            );
        }
    }
}
