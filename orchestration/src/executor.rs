//! What runs the tasks. Two implementations: Temporal (`nbaprops_workflows::executor`: each task
//! an activity of the workflow, recorded in its history, retried by Temporal) and in-process
//! (`nbaprops_activities::inprocess`: each task a call into the runner). The loop in `run.rs`
//! is the same for both, so they run the same tasks in the same order.

use nbaprops_proto::{GateReport, Phase, PredictionPlan, ProcessorResult, RunContext};

use crate::task::{Output, Task};

/// Runs a date's tasks for the loop in `run.rs`. Errors are readable sentences naming the
/// source or processor, the date and the reason.
#[allow(async_fn_in_trait)] // Temporal's workflow futures are not `Send`; neither is this.
pub trait Executor {
    /// The run every task belongs to: its date, mode and correlation id.
    fn context(&self) -> &RunContext;

    /// Runs `tasks` at once; one outcome per task, in the tasks' order.
    async fn run_window(&self, tasks: &[Task]) -> Vec<Result<Output, String>>;

    /// Phase 5's plan: the players with a line on the date.
    async fn plan_predictions(&self) -> Result<PredictionPlan, String>;

    /// The phase's quality gate on the date.
    async fn check_gate(
        &self,
        phase: Phase,
        results: &[ProcessorResult],
    ) -> Result<GateReport, String>;
}
