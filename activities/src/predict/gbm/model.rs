//! The model: the booster's settings, training on labelled rows and predicting one player.

use std::cmp::Ordering;

use forust_ml::gradientbooster::GradientBooster;
use forust_ml::objective::ObjectiveType;
use forust_ml::sampler::SampleMethod;
use forust_ml::Matrix;
use serde::{Deserialize, Serialize};

use super::{
    TrainingRow, ARTIFACT_FORMAT, COLSAMPLE, ITERATIONS, L2, LEARNING_RATE, MAX_DEPTH, MAX_POINTS,
    MEDIAN_REFITS, MEDIAN_WEIGHT_FLOOR, MIN_LEAF_WEIGHT, MIN_TRAINING_ROWS, NBINS, SEED, SUBSAMPLE,
    SYSTEM, TARGET,
};
use crate::error::{PipelineError, Result};
use crate::precompute::ml_feature_store::{FEATURE_NAMES, FEATURE_VERSION};

/// A trained model: the booster and its training set's summary. Serialised by
/// [`super::artifact::to_bytes`].
#[derive(Serialize, Deserialize)]
pub struct GbmModel {
    /// [`ARTIFACT_FORMAT`].
    pub format: String,
    pub feature_version: i64,
    pub feature_names: Vec<String>,
    /// The game date the model predicts; its training rows all come from earlier dates.
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
    pub(super) booster: GradientBooster,
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
pub(super) fn row_order(a: &TrainingRow, b: &TrainingRow) -> Ordering {
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

/// One least-squares fit of the booster with these row weights.
fn fit(
    matrix: &Matrix<f64>,
    y: &[f64],
    weights: &[f64],
    trained_for: &str,
) -> Result<GradientBooster> {
    let mut booster = booster();
    booster.fit(matrix, y, weights, None).map_err(|e| {
        PipelineError::Internal(format!(
            "{SYSTEM}: training the model for {trained_for} on {} rows failed: {e}",
            y.len()
        ))
    })?;
    Ok(booster)
}

/// The IRLS weights for least absolute deviation: `1 / max(|y − fitted|, floor)`, scaled to a
/// mean of 1 so that [`MIN_LEAF_WEIGHT`] keeps meaning about that many rows.
pub(super) fn median_weights(y: &[f64], fitted: &[f64]) -> Vec<f64> {
    let raw: Vec<f64> = y
        .iter()
        .zip(fitted)
        .map(|(y, f)| 1.0 / (y - f).abs().max(MEDIAN_WEIGHT_FLOOR))
        .collect();
    let mean = raw.iter().sum::<f64>() / raw.len().max(1) as f64;
    raw.into_iter().map(|w| w / mean).collect()
}

/// Trains the model for `trained_for` on `rows` (all before that date). Deterministic: the
/// same rows in any order give the same model and the same [`super::artifact::to_bytes`].
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

    // Least absolute deviation by iteratively reweighted least squares: each refit weighs a
    // row by 1 / |its miss| under the previous fit, so a blow-out night counts for less and
    // the fit moves from the conditional mean toward the conditional median.
    let mut weights = vec![1.0; n];
    let mut booster = fit(&matrix, &y, &weights, trained_for)?;
    for _ in 0..MEDIAN_REFITS {
        let fitted = booster.predict(&matrix, true);
        weights = median_weights(&y, &fitted);
        booster = fit(&matrix, &y, &weights, trained_for)?;
    }

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
