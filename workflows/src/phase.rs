//! PhaseWorkflow: one phase (2, 3 or 4) of a day or of an injury rerun, and the shared body of
//! PredictionWorkflow (Phase 5). Runs the phase's plan through the one loop
//! (`nbaprops_orchestration::run_phase`): the levels in order, a level's processors at once,
//! then the phase's quality gate when the input asks for it. In incremental mode every
//! processor gets the run's entity filter and recomputes only those entities.

use nbaprops_orchestration::{planner, run_phase, PhaseOptions};
use nbaprops_proto::{Phase, PhaseInput, PhaseResult};
use temporalio_macros::{workflow, workflow_methods};
use temporalio_sdk::{WorkflowContext, WorkflowResult};

use crate::executor::TemporalExecutor;
use crate::failures::fail;

#[workflow]
#[derive(Default)]
pub struct PhaseWorkflow;

/// A phase child's work: its plan through the loop, as activities of the child `ctx`.
pub(crate) async fn run_planned_phase<W>(
    ctx: &WorkflowContext<W>,
    input: PhaseInput,
    workflow: &str,
) -> WorkflowResult<PhaseResult> {
    let Some(context) = input.context.clone() else {
        return Err(fail(format!("{workflow}: input has no run context")));
    };
    let Some(phase) = Phase::from_number(input.phase) else {
        return Err(fail(format!(
            "{workflow}: there is no phase {}",
            input.phase
        )));
    };
    let planned = input
        .plan
        .as_ref()
        .map(|p| p.levels.as_slice())
        .unwrap_or(&[]);
    let levels = planner::resolve(phase, planned).map_err(fail)?;
    let game_date = context.game_date.clone();
    ctx.set_current_details(format!("{phase} of {game_date} · running"));
    let exec = TemporalExecutor::new(ctx, context);
    let run = run_phase(
        &exec,
        phase,
        &levels,
        &input.raw_payloads,
        input.entity_filter.as_ref(),
        PhaseOptions::day(input.gate),
        &phase.to_string(),
    )
    .await
    .map_err(|e| {
        ctx.set_current_details(format!("{phase} of {game_date} · failed: {e}"));
        fail(e)
    })?;
    let mut processors = run.results;
    // What the Web UI shows for the phase: its processors and their rows.
    ctx.set_current_details(format!(
        "{phase} of {game_date} · {} processor runs · {} rows written, {} unchanged",
        processors.len(),
        processors.iter().map(|r| r.rows_written).sum::<u32>(),
        processors.iter().map(|r| r.rows_unchanged).sum::<u32>(),
    ));
    // The plan's warnings (names that matched no player) travel with the first system.
    if let Some(first) = processors.first_mut() {
        first.warnings.splice(0..0, run.plan_warnings);
    }
    Ok(PhaseResult {
        phase: input.phase,
        processors,
        scrapes: run.scrapes,
    })
}

#[workflow_methods]
impl PhaseWorkflow {
    #[run]
    pub async fn run(
        ctx: &mut WorkflowContext<Self>,
        input: PhaseInput,
    ) -> WorkflowResult<PhaseResult> {
        run_planned_phase(ctx, input, "PhaseWorkflow").await
    }
}
