//! PredictionWorkflow: Phase 5 of a day or of an injury rerun (`run_planned_phase`, as
//! PhaseWorkflow). It plans the players with a line, then runs the plan's levels: training
//! once for the date, every system over batches of `registry::PREDICTION_BATCH_SIZE`
//! players, the ensemble over the same batches last, and the quality gate. Progress lives in
//! the workflow's history: a worker that dies mid-batch loses nothing, and the finished
//! batches are not rerun. A workflow type of its own so the Web UI and `temporal workflow
//! list` tell the predictions from the other phases.

use nbaprops_proto::{PhaseInput, PhaseResult};
use temporalio_macros::{workflow, workflow_methods};
use temporalio_sdk::{WorkflowContext, WorkflowResult};

use crate::phase::run_planned_phase;

#[workflow]
#[derive(Default)]
pub struct PredictionWorkflow;

#[workflow_methods]
impl PredictionWorkflow {
    #[run]
    pub async fn run(
        ctx: &mut WorkflowContext<Self>,
        input: PhaseInput,
    ) -> WorkflowResult<PhaseResult> {
        run_planned_phase(ctx, input, "PredictionWorkflow").await
    }
}
