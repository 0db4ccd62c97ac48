//! DayWorkflow (id `day-{date}`): one game date through all five phases.
//!
//! The day first takes its plan (which processors run, by phase and level) from the registry
//! through a local activity, so the plan is part of its history. Phase 1 scrapes the sources
//! level by level in the day itself; Phases 2-5 run as children (`downstream.rs`), each
//! checking its quality gate: a failed gate stops the day. The SLA timer runs beside them
//! (`sla.rs`). After the main run the day listens for injury news (`injury.rs`).
//!
//! In incremental mode (`mode: MODE_INCREMENTAL`), Phases 1-2 run in full (their writes are
//! hash-diffed, so only what really changed is reported), then the entities Phase 2 changed
//! are expanded to their dependents and Phases 3-5 recompute only those. When nothing changed,
//! the day stops after Phase 2.

use std::cell::Cell;
use std::time::Duration;

use futures::future::Either;
use nbaprops_orchestration::{planner, run_phase, PhaseOptions};
use nbaprops_proto::activities::PlanDay;
use nbaprops_proto::{
    AlertKind, DayInput, DayPlan, DayResult, DayState, Mode, Phase, PhaseResult, RunContext,
    Trigger,
};
use temporalio_common::data_converters::RawValue;
use temporalio_macros::{workflow, workflow_methods};
use temporalio_sdk::{
    LocalActivityOptions, SyncWorkflowContext, WorkflowContext, WorkflowContextView,
    WorkflowResult, WorkflowTermination,
};

use crate::downstream::Downstream;
use crate::executor::TemporalExecutor;
use crate::failures::fail;
use crate::{details, injury, report, search, sla};

#[workflow]
#[derive(Default)]
pub struct DayWorkflow {
    /// What the `state` query shows; `pending_updates` is the queue of `injury_update` signals.
    pub(crate) state: DayState,
}

/// The run context of a day: the workflow id is the correlation id of everything it starts.
pub fn run_context(workflow_id: &str, input: &DayInput) -> RunContext {
    RunContext {
        lines_as_of: String::new(),
        correlation_id: workflow_id.to_string(),
        game_date: input.game_date.clone(),
        mode: match input.mode() {
            Mode::Unspecified => Mode::Full,
            m => m,
        } as i32,
        trigger: match input.trigger() {
            Trigger::Unspecified => Trigger::Manual,
            t => t,
        } as i32,
    }
}

#[workflow_methods]
impl DayWorkflow {
    #[run]
    pub async fn run(
        ctx: &mut WorkflowContext<Self>,
        input: DayInput,
    ) -> WorkflowResult<DayResult> {
        if let Err(e) = nbaprops_proto::validate_game_date(&input.game_date) {
            return Err(fail(format!("DayWorkflow input: {e}")));
        }
        let context = run_context(ctx.workflow_id(), &input);
        ctx.upsert_search_attributes(search::updates(&context, None));
        let phase_timeout = (input.phase_timeout_ms > 0)
            .then(|| Duration::from_millis(input.phase_timeout_ms as u64));
        ctx.state_mut(|s| {
            s.state.game_date = input.game_date.clone();
            s.state.stage = "main run".to_string();
            s.state
                .pending_updates
                .extend(input.pending_updates.iter().cloned());
        });
        // A day that continued as new while listening: its main run is done.
        if let Some(main) = input.main.clone() {
            return injury::listen(ctx, &context, &input, main, phase_timeout).await;
        }
        match Self::main_run(ctx, &input, &context, phase_timeout).await {
            Ok(main) => {
                ctx.state_mut(|s| s.state.phase = 0);
                ctx.set_current_details(details::main_summary(&main));
                report::write_morning(ctx, &context, "report.morning".to_string()).await;
                injury::listen(ctx, &context, &input, main, phase_timeout).await
            }
            Err(e @ WorkflowTermination::Failed(_)) => {
                ctx.state_mut(|s| s.state.phase = 0);
                ctx.set_current_details(format!("{} · failed: {e}", context.game_date));
                // Whatever stopped the day (a source, a processor, a gate, a stuck phase), the
                // people who wait for its predictions hear about it.
                alert(
                    ctx,
                    &context,
                    AlertKind::DayFailed,
                    "day",
                    format!(
                        "{} ({}) failed; no new predictions came from it. {e} \
                         (docs/runbook.md)",
                        context.game_date, context.correlation_id
                    ),
                )
                .await;
                ctx.state_mut(|s| s.state.stage = "failed".to_string());
                Err(e)
            }
            // Cancelled, continued as new, evicted: nothing to tell anyone.
            Err(e) => Err(e),
        }
    }

    /// The `injury_update` signal (an `InjuryUpdate` as JSON): queued, applied after the main
    /// run (or after the rerun running now) as an incremental rerun of the player and his
    /// teammates. A payload that does not decode is refused (`signals.rs`): kept in the state
    /// and alerted as `injury_update_rejected` while the day goes on.
    #[signal]
    pub fn injury_update(&mut self, _ctx: &mut SyncWorkflowContext<Self>, input: RawValue) {
        match crate::signals::injury_update(&input) {
            Ok(update) => self.state.pending_updates.push(update),
            Err(why) => self.state.malformed_updates.push(why),
        }
    }

    /// Close the day before its deadline (a postponed slate, an operator's call): the updates
    /// already queued are applied first. Any input is ignored.
    #[signal]
    pub fn stop_listening(&mut self, _ctx: &mut SyncWorkflowContext<Self>, _input: RawValue) {
        self.state.stop_requested = true;
    }

    /// Where the day is (main run, listening, a rerun, closed), its main result, the queued
    /// updates and every rerun so far.
    #[query]
    pub fn state(&self, _ctx: &WorkflowContextView) -> DayState {
        self.state.clone()
    }
}

impl AsRef<DayState> for DayWorkflow {
    fn as_ref(&self) -> &DayState {
        &self.state
    }
}

impl AsMut<DayState> for DayWorkflow {
    fn as_mut(&mut self) -> &mut DayState {
        &mut self.state
    }
}

impl DayWorkflow {
    /// Phases 1-5 once, with the SLA timer beside them.
    async fn main_run(
        ctx: &mut WorkflowContext<Self>,
        input: &DayInput,
        context: &RunContext,
        phase_timeout: Option<Duration>,
    ) -> WorkflowResult<DayResult> {
        let plan: DayPlan = ctx
            .execute_local_activity(
                PlanDay,
                context.clone(),
                LocalActivityOptions::builder()
                    .start_to_close_timeout(Duration::from_secs(10))
                    .build(),
            )
            .await?;
        let ctx: &WorkflowContext<Self> = ctx;
        let current = Cell::new(Phase::Scrape.number());
        let pipeline = phases(ctx, context, &plan, phase_timeout, &current);
        // The SLA: predictions complete by the deadline, or an alert while the day goes on.
        let deadline = sla::deadline(input).map_err(|e| fail(format!("DayWorkflow input: {e}")))?;
        let now = ctx.workflow_time().unwrap_or(deadline);
        let mut pipeline = std::pin::pin!(pipeline);
        let late = match sla::plan(now, deadline, context) {
            sla::Plan::Timer(delay) => {
                let timer = std::pin::pin!(ctx.timer(delay));
                match futures::future::select(pipeline.as_mut(), timer).await {
                    Either::Left((done, _)) => return done,
                    Either::Right(_) => false,
                }
            }
            sla::Plan::AlreadyLate => true,
            sla::Plan::None => return pipeline.await,
        };
        let alert = alert(
            ctx,
            context,
            AlertKind::SlaMissed,
            "predictions",
            sla::missed_message(context, deadline, current.get(), late),
        );
        futures::future::join(alert, pipeline).await.1
    }
}

/// Phases 1-5 in order: Phase 1's sources level by level in the day (the schedule first: the
/// others check their answers against it), then Phases 2-5 as children.
async fn phases(
    ctx: &WorkflowContext<DayWorkflow>,
    context: &RunContext,
    plan: &DayPlan,
    phase_timeout: Option<Duration>,
    current: &Cell<u32>,
) -> WorkflowResult<DayResult> {
    let show = |phase: Phase| details::show_phase(ctx, context, phase);
    show(Phase::Scrape);
    let scrape_levels = planner::levels_of(plan, Phase::Scrape);
    let levels = planner::resolve(Phase::Scrape, scrape_levels).map_err(fail)?;
    let exec = TemporalExecutor::new(ctx, context.clone());
    let scraped = run_phase(
        &exec,
        Phase::Scrape,
        &levels,
        &[],
        None,
        PhaseOptions::day(false),
        "phase 1",
    )
    .await
    .map_err(|e| fail(format!("{e}; nothing downstream ran")))?;
    let payloads = scraped
        .scrapes
        .iter()
        .flat_map(|s| s.payloads.clone())
        .collect();
    let mut phases = vec![PhaseResult {
        phase: Phase::Scrape.number(),
        processors: vec![],
        scrapes: scraped.scrapes,
    }];

    // Phases 2-5 read the lines as they stand at the end of Phase 1.
    let context = &crate::lines_as_of::reading_lines_at(context, ctx.workflow_time());
    let downstream = Downstream {
        ctx,
        context,
        plan,
        parent_id: ctx.workflow_id().to_string(),
        dependents_activity_id: "incremental.dependents".to_string(),
        gated: |_| true,
        phase_timeout,
        current: Some(current),
        on_phase: Some(&show),
    };
    let run = match downstream.run(payloads).await {
        Ok(run) => run,
        Err(stopped) => {
            if stopped.timed_out {
                alert(
                    ctx,
                    context,
                    AlertKind::PhaseStuck,
                    &stopped.phase.to_string(),
                    format!(
                        "{} ({}); the day stopped and the phases after it did not run. Its \
                         history shows the activity it was waiting on (docs/runbook.md: a \
                         phase stuck past its timeout)",
                        stopped.message, context.correlation_id
                    ),
                )
                .await;
            }
            return Err(fail(format!(
                "{}; the phases after it did not run",
                stopped.message
            )));
        }
    };
    let (written, unchanged) = run.predictions().map_or((0, 0), |p| {
        (
            p.processors.iter().map(|r| r.rows_written).sum(),
            p.processors.iter().map(|r| r.rows_unchanged).sum(),
        )
    });
    phases.extend(run.phases);
    Ok(DayResult {
        game_date: context.game_date.clone(),
        correlation_id: context.correlation_id.clone(),
        phases,
        predictions_written: written,
        predictions_unchanged: unchanged,
        reruns: vec![],
        lines_as_of: context.lines_as_of.clone(),
    })
}

/// Raises a critical alert of the day's (`sla::raise_alert`).
async fn alert(
    ctx: &WorkflowContext<DayWorkflow>,
    context: &RunContext,
    kind: AlertKind,
    subject: &str,
    message: String,
) {
    let activity_id = format!("alert.{kind}.{subject}").replace(' ', "-");
    sla::raise_alert(
        ctx,
        context,
        kind,
        "critical",
        subject,
        message,
        activity_id,
    )
    .await;
}
