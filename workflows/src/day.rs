//! DayWorkflow (id `day-{date}`): one game date through all five phases.
//!
//! The day first takes its plan (which processors run, by phase and level) from the registry
//! through a local activity, so the plan is part of its history. Phase 1 scrapes the sources
//! level by level; Phases 2-4 each run as a PhaseWorkflow child and
//! Phase 5 as a PredictionWorkflow child, awaited in order: awaiting a child is the fan-in, so
//! no phase starts before the one it depends on has fully succeeded. After each of Phases 2-4
//! a quality gate (an activity) measures the phase's output; a failed gate stops the day.
//!
//! In incremental mode (`mode: MODE_INCREMENTAL`), Phases 1-2 run in full (their writes are
//! hash-diffed, so only what really changed is reported), then the entities Phase 2 changed
//! are expanded to their dependents and Phases 3-5 recompute only those. When nothing changed,
//! the day stops after Phase 2.

use std::time::Duration;

use std::cell::Cell;

use futures::future::Either;
use nbaprops_proto::activities::{CheckQuality, ExpandDependents, PlanDay, Scrape};
use nbaprops_proto::registry;
use nbaprops_proto::{
    AlertKind, DayInput, DayPlan, DayResult, DayState, DependentsRequest, EntitySet, GateRequest,
    InjuryUpdate, Mode, PhaseInput, PhaseResult, RunContext, ScrapeRequest, Trigger,
};
use temporalio_macros::{workflow, workflow_methods};
use temporalio_sdk::workflows::join_all;
use temporalio_sdk::{
    ChildWorkflowOptions, LocalActivityOptions, SyncWorkflowContext, WorkflowContext,
    WorkflowContextView, WorkflowResult, WorkflowTermination,
};

use crate::failures::{describe_activity_error, fail};
use crate::phase::PhaseWorkflow;
use crate::prediction::PredictionWorkflow;
use crate::{ids, injury, legacy, options, search, sla};

#[workflow]
#[derive(Default)]
pub struct DayWorkflow {
    /// What the `state` query shows; `pending_updates` is the queue of `injury_update` signals.
    pub(crate) state: DayState,
}

/// Phase 1 runs the registry's source levels in order (added after the first histories).
pub const PATCH_PHASE1_LEVELS: &str = "phase1-levels";

/// The day's plan (which processors run, by phase and level) comes from a local activity
/// recorded in history, so registry changes never change what an old history replays.
pub const PATCH_REGISTRY_PLAN: &str = "registry-plan";

/// Quality gates after Phases 2-4, and incremental mode (Phases 3-5 narrowed to what Phase 2
/// changed and its dependents).
pub const PATCH_QUALITY_GATES: &str = "quality-gates";

/// The day sets its search attributes (`search.rs`) itself, and its children start with theirs,
/// so a day started by a schedule or the `temporal` CLI is as searchable as one started by
/// `nbaprops run day`.
pub const PATCH_SEARCH_ATTRIBUTES: &str = "search-attributes";

/// The SLA timer (predictions complete by 09:45 America/New_York, else an alert), stuck-phase
/// alerts, and the `sla_deadline` / `phase_timeout_ms` inputs.
pub const PATCH_ALERTS: &str = "sla-alerts";

/// Every entity a phase's processors changed.
pub fn changed_entities(result: &PhaseResult) -> EntitySet {
    let mut players = std::collections::BTreeSet::new();
    let mut teams = std::collections::BTreeSet::new();
    let mut games = std::collections::BTreeSet::new();
    for p in &result.processors {
        if let Some(e) = &p.entities_changed {
            players.extend(e.players.iter().cloned());
            teams.extend(e.teams.iter().cloned());
            games.extend(e.games.iter().cloned());
        }
    }
    EntitySet {
        players: players.into_iter().collect(),
        teams: teams.into_iter().collect(),
        games: games.into_iter().collect(),
    }
}

/// The run context of a day: the workflow id is the correlation id of everything it starts.
pub fn run_context(workflow_id: &str, input: &DayInput) -> RunContext {
    RunContext {
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
        skip_downstream: input.skip_downstream,
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
        let searchable = ctx.patched(PATCH_SEARCH_ATTRIBUTES);
        if searchable {
            ctx.upsert_search_attributes(search::updates(&context, None));
        }
        let listening = ctx.patched(injury::PATCH_INJURY_UPDATES);
        let phase_timeout = (input.phase_timeout_ms > 0)
            .then(|| Duration::from_millis(input.phase_timeout_ms as u64));
        ctx.state_mut(|s| {
            s.state.game_date = input.game_date.clone();
            s.state.stage = "main run".to_string();
            s.state
                .pending_updates
                .extend(input.pending_updates.iter().cloned());
        });
        if listening {
            // A day that continued as new while listening: its main run is done.
            if let Some(main) = input.main.clone() {
                return injury::listen(ctx, &context, &input, main, phase_timeout).await;
            }
        }
        let main = Self::main_run(ctx, &input, &context, searchable).await;
        if !listening {
            return main;
        }
        match main {
            Ok(main) => injury::listen(ctx, &context, &input, main, phase_timeout).await,
            Err(e @ WorkflowTermination::Failed(_)) => {
                // Whatever stopped the day (a source, a processor, a gate, a stuck phase), the
                // people who wait for its predictions hear about it.
                let plan = DayPlan::default();
                let current = Cell::new(0);
                let run = Run {
                    ctx,
                    context: &context,
                    plan: &plan,
                    searchable,
                    alerting: true,
                    phase_timeout,
                    current: &current,
                };
                run.alert(
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

    /// The `injury_update` signal: queued, applied after the main run (or after the rerun
    /// running now) as an incremental rerun of the player and his teammates.
    #[signal]
    pub fn injury_update(&mut self, _ctx: &mut SyncWorkflowContext<Self>, update: InjuryUpdate) {
        self.state.pending_updates.push(update);
    }

    /// Close the day before its deadline (a postponed slate, an operator's call): the updates
    /// already queued are applied first.
    #[signal]
    pub fn stop_listening(&mut self, _ctx: &mut SyncWorkflowContext<Self>, _input: ()) {
        self.state.stop_requested = true;
    }

    /// Where the day is (main run, listening, a rerun, closed), its main result, the queued
    /// updates and every rerun so far.
    #[query]
    pub fn state(&self, _ctx: &WorkflowContextView) -> DayState {
        self.state.clone()
    }
}

impl DayWorkflow {
    /// Phases 1-5 once, with the SLA timer beside them.
    async fn main_run(
        ctx: &mut WorkflowContext<Self>,
        input: &DayInput,
        context: &RunContext,
        searchable: bool,
    ) -> WorkflowResult<DayResult> {
        let context = context.clone();
        let input = input.clone();

        let plan: DayPlan = if ctx.patched(PATCH_REGISTRY_PLAN) {
            ctx.execute_local_activity(
                PlanDay,
                context.clone(),
                LocalActivityOptions::builder()
                    .start_to_close_timeout(Duration::from_secs(10))
                    .build(),
            )
            .await?
        } else {
            legacy::day_plan(ctx.patched(PATCH_PHASE1_LEVELS))
        };

        let alerting = ctx.patched(PATCH_ALERTS);
        let ctx: &WorkflowContext<Self> = ctx;
        let current = Cell::new(1u32);
        let run = Run {
            ctx,
            context: &context,
            plan: &plan,
            searchable,
            alerting,
            phase_timeout: (alerting && input.phase_timeout_ms > 0)
                .then(|| Duration::from_millis(input.phase_timeout_ms as u64)),
            current: &current,
        };
        let pipeline = run.phases();
        if !alerting {
            return pipeline.await;
        }
        // The SLA: predictions complete by the deadline, or an alert while the day goes on.
        let deadline =
            sla::deadline(&input).map_err(|e| fail(format!("DayWorkflow input: {e}")))?;
        let now = ctx.workflow_time().unwrap_or(deadline);
        let mut pipeline = std::pin::pin!(pipeline);
        match sla::plan(now, deadline, &context) {
            sla::Plan::Timer(delay) => {
                let timer = std::pin::pin!(ctx.timer(delay));
                match futures::future::select(pipeline.as_mut(), timer).await {
                    Either::Left((done, _)) => done,
                    Either::Right(_) => {
                        let alert = run.alert(
                            AlertKind::SlaMissed,
                            "predictions",
                            sla::missed_message(&context, deadline, current.get(), false),
                        );
                        futures::future::join(alert, pipeline).await.1
                    }
                }
            }
            sla::Plan::AlreadyLate => {
                let alert = run.alert(
                    AlertKind::SlaMissed,
                    "predictions",
                    sla::missed_message(&context, deadline, current.get(), true),
                );
                futures::future::join(alert, pipeline).await.1
            }
            sla::Plan::None => pipeline.await,
        }
    }
}

/// One run of a day: what its phases share.
struct Run<'a> {
    ctx: &'a WorkflowContext<DayWorkflow>,
    context: &'a RunContext,
    plan: &'a DayPlan,
    searchable: bool,
    alerting: bool,
    /// The phase children's execution timeout (None: `options::PHASE_TIMEOUT`).
    phase_timeout: Option<Duration>,
    /// The phase running now, for the SLA alert.
    current: &'a Cell<u32>,
}

impl Run<'_> {
    fn child_options(&self, id: String, phase: u32) -> ChildWorkflowOptions {
        let mut opts = if self.searchable {
            options::phase_child_with(id, search::attributes(self.context, Some(phase)))
        } else {
            options::phase_child(id)
        };
        if let Some(t) = self.phase_timeout {
            opts.execution_timeout = Some(t);
        }
        opts
    }

    /// Raises a critical alert (`sla::raise_alert`).
    async fn alert(&self, kind: AlertKind, subject: &str, message: String) {
        let activity_id = format!("alert.{kind}.{subject}").replace(' ', "-");
        sla::raise_alert(
            self.ctx,
            self.context,
            kind,
            "critical",
            subject,
            message,
            activity_id,
        )
        .await;
    }

    /// A phase child's result; a child that timed out (stuck) raises `phase_stuck` first.
    async fn phase_result<T>(
        &self,
        phase: u32,
        result: Result<T, temporalio_workflow::ChildWorkflowExecutionError>,
    ) -> WorkflowResult<T> {
        match result {
            Ok(r) => Ok(r),
            Err(e) => {
                if self.alerting && e.as_timeout().is_some() {
                    let timeout = self.phase_timeout.unwrap_or(options::PHASE_TIMEOUT);
                    self.alert(
                        AlertKind::PhaseStuck,
                        &format!("phase {phase}"),
                        format!(
                            "phase {phase} of {} ({}) did not finish within its timeout of \
                             {timeout:?}; the day stopped and the phases after it did not run. \
                             Its history shows the activity it was waiting on \
                             (docs/runbook.md: a phase stuck past its timeout)",
                            self.context.game_date, self.context.correlation_id
                        ),
                    )
                    .await;
                }
                Err(e.into())
            }
        }
    }

    /// Phases 1-5 in order.
    async fn phases(&self) -> WorkflowResult<DayResult> {
        let ctx = self.ctx;
        let context = self.context;
        let plan = self.plan;
        let day_id = ctx.workflow_id().to_string();
        let mut phases: Vec<PhaseResult> = Vec::new();
        // Phase 1: the sources level by level (the schedule first: the others check their
        // answers against it), the sources of a level at once.
        let mut levels: Vec<Vec<registry::ProcessorSpec>> = Vec::new();
        for level in legacy::levels_of(plan, 1) {
            let mut specs = Vec::new();
            for name in &level.processors {
                match registry::get(name) {
                    Some(spec) => specs.push(spec),
                    None => {
                        return Err(fail(format!(
                            "source {name} of the day's plan is not in this worker's registry"
                        )))
                    }
                }
            }
            levels.push(specs);
        }
        let mut scraped = Vec::new();
        let mut failures = Vec::new();
        for level in &levels {
            let scrapes = level.iter().map(|spec| {
                let req = ScrapeRequest {
                    context: Some(context.clone()),
                    source: spec.name.to_string(),
                };
                ctx.execute_activity(Scrape, req, options::scrape(spec.activity_id()))
            });
            let results = join_all(scrapes).await;
            for (spec, r) in level.iter().zip(results) {
                match r {
                    Ok(s) => scraped.push(s),
                    Err(e) => {
                        failures.push(format!("{}: {}", spec.name, describe_activity_error(&e)))
                    }
                }
            }
            if !failures.is_empty() {
                break;
            }
        }
        if !failures.is_empty() {
            return Err(fail(format!(
                "phase 1 of {} failed; nothing downstream ran. {}",
                context.game_date,
                failures.join("; ")
            )));
        }
        let raw_payloads = scraped
            .iter()
            .flat_map(|s| s.payloads.clone())
            .collect::<Vec<_>>();
        phases.push(PhaseResult {
            phase: 1,
            processors: vec![],
            scrapes: scraped,
        });

        // Quality gates between phases and incremental reruns came after the first histories.
        let gated = ctx.patched(PATCH_QUALITY_GATES);
        let incremental = gated && context.mode() == Mode::Incremental;
        // Incremental mode: the entities Phase 2 changed and their dependents; None: all.
        let mut entity_filter: Option<EntitySet> = None;

        // Phases 2-4: one child each, in order, each followed by its quality gate.
        for phase in [2u32, 3, 4] {
            let child = ctx
                .start_child_workflow(
                    PhaseWorkflow::run,
                    PhaseInput {
                        context: Some(context.clone()),
                        phase,
                        raw_payloads: if phase == 2 {
                            raw_payloads.clone()
                        } else {
                            vec![]
                        },
                        levels: legacy::levels_of(plan, phase),
                        entity_filter: entity_filter.clone(),
                    },
                    self.child_options(ids::phase_workflow_id(&day_id, phase), phase),
                )
                .await?;
            self.current.set(phase);
            let result = self.phase_result(phase, child.result().await).await?;
            if gated {
                let report = ctx
                    .execute_activity(
                        CheckQuality,
                        GateRequest {
                            context: Some(context.clone()),
                            phase,
                            results: result.processors.clone(),
                        },
                        options::process(format!("gate.phase-{phase}")),
                    )
                    .await?;
                if !report.passed {
                    return Err(fail(format!(
                        "quality gate after phase {phase} of {} failed; the phases after it did \
                         not run. {}",
                        context.game_date,
                        report.describe_failures()
                    )));
                }
            }
            if incremental && phase == 2 {
                let changed = changed_entities(&result);
                let expanded = ctx
                    .execute_activity(
                        ExpandDependents,
                        DependentsRequest {
                            context: Some(context.clone()),
                            changed: Some(changed),
                        },
                        options::process("incremental.dependents".to_string()),
                    )
                    .await?;
                let nothing = expanded.players.is_empty()
                    && expanded.teams.is_empty()
                    && expanded.games.is_empty();
                phases.push(result);
                if nothing {
                    // Nothing changed upstream: nothing downstream to recompute.
                    return Ok(DayResult {
                        game_date: context.game_date.clone(),
                        correlation_id: context.correlation_id.clone(),
                        phases,
                        predictions_written: 0,
                        predictions_unchanged: 0,
                        reruns: vec![],
                    });
                }
                entity_filter = Some(expanded);
                continue;
            }
            phases.push(result);
        }

        // Phase 5: predictions.
        let child = ctx
            .start_child_workflow(
                PredictionWorkflow::run,
                PhaseInput {
                    context: Some(context.clone()),
                    phase: 5,
                    raw_payloads: vec![],
                    levels: legacy::levels_of(plan, 5),
                    entity_filter: entity_filter.clone(),
                },
                self.child_options(ids::prediction_workflow_id(&day_id), 5),
            )
            .await?;
        self.current.set(5);
        let predictions = self.phase_result(5, child.result().await).await?;
        let written = predictions.processors.iter().map(|p| p.rows_written).sum();
        let unchanged = predictions
            .processors
            .iter()
            .map(|p| p.rows_unchanged)
            .sum();
        phases.push(predictions);

        Ok(DayResult {
            game_date: context.game_date.clone(),
            correlation_id: context.correlation_id.clone(),
            phases,
            predictions_written: written,
            predictions_unchanged: unchanged,
            reruns: vec![],
        })
    }
}
