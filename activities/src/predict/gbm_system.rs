//! `gbm`: the gradient-boosted model `gbm_train` fitted for the date, applied to each
//! player's feature vector. It predicts his miss against the line; predicted points are the
//! line plus that. The model version is its artifact's content hash, so every prediction names
//! the exact bytes that made it. No model for the date (too little history): no prediction,
//! with the reason.

use nbaprops_proto::{ProcessorRequest, ProcessorResult};

use super::gbm::{self, GbmModel};
use super::inputs::{load_batch, Candidate};
use super::system::{run_system, Estimate, System};
use crate::error::Result;
use crate::storage::warehouse::WriteMeta;
use crate::Deps;

pub const NAME: &str = gbm::SYSTEM;
pub const EDGE_THRESHOLD: f64 = 1.0;

pub fn estimate(model: &GbmModel, c: &Candidate) -> std::result::Result<Estimate, String> {
    let Some(features) = &c.features else {
        return Err("no feature row for the date".to_string());
    };
    let points = gbm::predict(model, &features.values, c.line.line).map_err(|e| e.to_string())?;
    Ok(Estimate {
        points,
        confidence: ((points - c.line.line).abs() / 4.0).min(1.0),
    })
}

pub async fn run(
    deps: &Deps,
    req: &ProcessorRequest,
    date: &str,
    meta: &WriteMeta,
) -> Result<ProcessorResult> {
    let batch = load_batch(deps, req, date).await?;
    match gbm::load_for_date(deps, date).await? {
        Some((artifact, model)) => {
            let system = System {
                name: NAME,
                model_version: artifact.model_version.clone(),
                edge_threshold: EDGE_THRESHOLD,
            };
            run_system(deps, &batch, &system, &artifact.content_hash, meta, |c| {
                estimate(&model, c)
            })
            .await
        }
        None => {
            let system = System {
                name: NAME,
                model_version: "none".to_string(),
                edge_threshold: EDGE_THRESHOLD,
            };
            run_system(deps, &batch, &system, "no-model", meta, |_| {
                Err(format!(
                    "no gbm model for the date (fewer than {} earlier training rows)",
                    gbm::MIN_TRAINING_ROWS
                ))
            })
            .await
        }
    }
}
