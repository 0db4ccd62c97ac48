//! `gbm_train`: Phase 5, level 1, once per date. Trains the gradient-boosted model for the
//! date on every earlier feature row whose player then played (walk-forward: never the date
//! itself), keeps the artifact in the object store under its content hash and records it in
//! `model_artifacts`. The same history trains the same bytes, so a rerun writes nothing.
//!
//! In backfill mode (a backfill, a backtest) the model is retrained weekly, not daily: every
//! date gets the model of its week, trained on the rows before the week's Monday
//! ([`gbm::Cadence::Weekly`]). Training on all history every date made a long backfill's cost
//! grow with the square of its length. A live day keeps its daily model.

use nbaprops_proto::{EntitySet, Mode, ProcessorRequest, ProcessorResult};

use super::gbm::{self, Cadence, TrainOutcome};
use crate::error::Result;
use crate::storage::warehouse::WriteMeta;
use crate::Deps;

pub const NAME: &str = "gbm_train";

pub async fn run(
    deps: &Deps,
    req: &ProcessorRequest,
    date: &str,
    meta: &WriteMeta,
) -> Result<ProcessorResult> {
    let mut result = ProcessorResult {
        processor: NAME.to_string(),
        data_date: date.to_string(),
        entities_changed: Some(EntitySet::default()),
        ..Default::default()
    };
    let cadence = match req.context.as_ref().map(|c| c.mode()) {
        Some(Mode::Backfill) => Cadence::Weekly,
        _ => Cadence::Daily,
    };
    match gbm::train_for_date(deps, date, &meta.now, cadence).await? {
        TrainOutcome::Trained(a) => {
            result.rows_read = a.training_rows as u32;
            if a.created {
                result.rows_written = 1;
            } else {
                result.rows_unchanged = 1;
            }
            // The bytes are a pure function of the training rows: one hash for both.
            result.input_hash = a.content_hash.clone();
            result.output_hash = a.content_hash;
        }
        TrainOutcome::Skipped {
            training_rows,
            reason,
        } => {
            result.rows_read = training_rows as u32;
            result.input_hash = format!("rows:{training_rows}");
            result.output_hash = "none".to_string();
            result.warnings.push(reason);
        }
    }
    Ok(result)
}
