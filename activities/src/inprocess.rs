//! The pipeline run in-process, without Temporal: the same registry plans, the same loop
//! (`nbaprops_orchestration::run`) and the same runner, each task a call instead of an
//! activity. For tests over real history, the backtest, the benchmark's baseline (Temporal's
//! orchestration overhead is the time through it divided by this), and tools. The Temporal
//! workflows remain the way production runs; this never retries or records histories.

use nbaprops_orchestration::{planner, Executor, Output, PhaseOptions, PhaseRun, Task};
use nbaprops_proto::registry;
use nbaprops_proto::{GateReport, Phase, PredictionPlan, ProcessorResult, RunContext};

use crate::ops::run_history::RunOrigin;
use crate::{ops, runner, Deps};

/// Runs a date's tasks as calls into the runner, a window's tasks at once.
pub struct InProcessExecutor<'a> {
    deps: &'a Deps,
    context: RunContext,
    origin: RunOrigin,
}

impl<'a> InProcessExecutor<'a> {
    pub fn new(deps: &'a Deps, context: RunContext) -> Self {
        InProcessExecutor {
            deps,
            context,
            origin: RunOrigin::in_process(),
        }
    }

    async fn run_task(&self, task: &Task, now: &str) -> Result<Output, String> {
        let (deps, ctx, origin) = (self.deps, &self.context, &self.origin);
        match task {
            Task::Scrape(spec) => {
                runner::scrape_recorded(deps, &Task::scrape_request(ctx, spec), now, origin)
                    .await
                    .map(Output::scraped)
                    .map_err(|e| e.to_string())
            }
            Task::Process {
                spec,
                payloads,
                filter,
                ..
            } => {
                let req = Task::process_request(ctx, spec, payloads, filter.as_ref());
                runner::run_processor_from(deps, &req, now, origin)
                    .await
                    .map(Output::processed)
                    .map_err(|e| e.to_string())
            }
            Task::Step { phase, names } => {
                let req = Task::step_request(ctx, *phase, names);
                let outcomes = runner::run_step_each(deps, &req, now, origin).await;
                Output::stepped(
                    outcomes
                        .into_iter()
                        .map(|(name, outcome)| (name, outcome.map_err(|e| e.to_string()))),
                )
            }
        }
    }
}

impl Executor for InProcessExecutor<'_> {
    fn context(&self) -> &RunContext {
        &self.context
    }

    async fn run_window(&self, tasks: &[Task]) -> Vec<Result<Output, String>> {
        let now = now_utc();
        futures::future::join_all(tasks.iter().map(|t| self.run_task(t, &now))).await
    }

    async fn plan_predictions(&self) -> Result<PredictionPlan, String> {
        runner::plan_predictions(self.deps, &self.context)
            .await
            .map_err(|e| e.to_string())
    }

    /// The gate's checks, as the `check_quality` activity runs them (without its alert).
    async fn check_gate(
        &self,
        phase: Phase,
        _results: &[ProcessorResult],
    ) -> Result<GateReport, String> {
        ops::quality::check(self.deps, &self.context, phase.number())
            .await
            .map_err(|e| e.to_string())
    }
}

fn now_utc() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// One phase of the context's date as a day runs it (the registry's levels; Phase 5 over
/// batches of the players with a line), and its gate when `gate`.
pub async fn run_phase(
    deps: &Deps,
    ctx: &RunContext,
    phase: Phase,
    gate: bool,
) -> Result<PhaseRun, String> {
    let levels = planner::resolve(phase, planner::levels_of(&registry::day_plan(), phase))?;
    let exec = InProcessExecutor::new(deps, ctx.clone());
    nbaprops_orchestration::run_phase(
        &exec,
        phase,
        &levels,
        &[],
        None,
        PhaseOptions::day(gate),
        &phase.to_string(),
    )
    .await
}

/// Phases `from..=to` of the context's date, each gated, as the day workflow's main run in
/// full mode runs them. Phase 1 hands its payloads to Phase 2; from Phase 2 on, without Phase
/// 1, Phase 2 reads the payloads the raw store already keeps. A failed phase or gate stops
/// the date, naming what failed.
pub async fn run_phases(
    deps: &Deps,
    ctx: &RunContext,
    from: Phase,
    to: Phase,
) -> Result<Vec<(Phase, PhaseRun)>, String> {
    let plan = registry::day_plan();
    let exec = InProcessExecutor::new(deps, ctx.clone());
    let mut payloads = Vec::new();
    let mut out = Vec::new();
    for phase in Phase::DAY.into_iter().filter(|p| (from..=to).contains(p)) {
        let levels = planner::resolve(phase, planner::levels_of(&plan, phase))?;
        let run = nbaprops_orchestration::run_phase(
            &exec,
            phase,
            &levels,
            &payloads,
            None,
            PhaseOptions::day(phase.has_gate()),
            &phase.to_string(),
        )
        .await?;
        payloads = run
            .scrapes
            .iter()
            .flat_map(|s| s.payloads.iter().cloned())
            .collect();
        out.push((phase, run));
    }
    Ok(out)
}
