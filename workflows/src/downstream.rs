//! Phases 2-5 of a run of a day, written once for the main run and every injury rerun: Phase 2
//! over the run's payloads; in incremental mode, the entities Phase 2 changed expanded to
//! their dependents (none changed: the run stops there); then Phases 3-5 over those entities.
//! Each phase is a child workflow (PhaseWorkflow, PredictionWorkflow for Phase 5), awaited
//! before the next starts: awaiting a child is the fan-in.

use std::cell::Cell;
use std::time::Duration;

use nbaprops_proto::activities::ExpandDependents;
use nbaprops_proto::{
    DayPlan, DependentsRequest, EntitySet, Mode, Phase, PhaseInput, PhaseResult, RawPayloadRef,
    RunContext,
};
use temporalio_sdk::{ChildWorkflowOptions, WorkflowContext};

use crate::failures::{describe_activity_error, describe_child_error};
use crate::phase::PhaseWorkflow;
use crate::prediction::PredictionWorkflow;
use crate::{ids, options, search};

/// One run of Phases 2-5 under the day.
pub(crate) struct Downstream<'a, W> {
    pub ctx: &'a WorkflowContext<W>,
    /// The run's context: the day's for the main run, incremental for a rerun.
    pub context: &'a RunContext,
    pub plan: &'a DayPlan,
    /// The phase children are `{parent_id}-phase-{n}` and `{parent_id}-predict`.
    pub parent_id: String,
    /// The id of the `expand_dependents` activity.
    pub dependents_activity_id: String,
    /// Which phases check their quality gate.
    pub gated: fn(Phase) -> bool,
    /// The phase children's execution timeout (None: `options::PHASE_TIMEOUT`).
    pub phase_timeout: Option<Duration>,
    /// Set to the phase running now, for the SLA alert.
    pub current: Option<&'a Cell<u32>>,
    /// Told of each phase as it starts (the day's state and Web UI details).
    pub on_phase: Option<&'a dyn Fn(Phase)>,
}

/// What a run of Phases 2-5 did.
#[derive(Debug, Default)]
pub(crate) struct DownstreamRun {
    /// The results of the phases that ran, in order.
    pub phases: Vec<PhaseResult>,
    /// Incremental runs: the entities Phases 3-5 recomputed.
    pub expanded: Option<EntitySet>,
}

impl DownstreamRun {
    /// Phase 5's result, when it ran.
    pub fn predictions(&self) -> Option<&PhaseResult> {
        self.phases
            .iter()
            .find(|p| p.phase == Phase::Predict.number())
    }
}

/// Why a run of Phases 2-5 stopped.
#[derive(Debug)]
pub(crate) struct StageFailure {
    pub phase: Phase,
    /// Readable, naming the phase, the date and the reason.
    pub message: String,
    /// The phase child ran past its execution timeout (stuck).
    pub timed_out: bool,
}

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

impl<W> Downstream<'_, W> {
    /// Phases 2-5 of the plan in order (a phase the plan leaves out is skipped).
    pub async fn run(&self, payloads: Vec<RawPayloadRef>) -> Result<DownstreamRun, StageFailure> {
        let incremental = self.context.mode() == Mode::Incremental;
        let mut out = DownstreamRun::default();
        for phase in Phase::DOWNSTREAM {
            let Some(plan) = self
                .plan
                .phases
                .iter()
                .find(|p| p.phase == phase.number() && !p.levels.is_empty())
            else {
                continue;
            };
            let input = PhaseInput {
                context: Some(self.context.clone()),
                phase: phase.number(),
                raw_payloads: if phase == Phase::Raw {
                    payloads.clone()
                } else {
                    vec![]
                },
                entity_filter: out.expanded.clone(),
                plan: Some(plan.clone()),
                gate: (self.gated)(phase),
            };
            let result = self.child(phase, input).await?;
            let changed = changed_entities(&result);
            out.phases.push(result);
            if incremental && phase == Phase::Raw {
                // Nothing changed upstream: nothing downstream to recompute.
                if changed.is_empty() {
                    return Ok(out);
                }
                let expanded = self.expand(phase, changed).await?;
                if expanded.is_empty() {
                    return Ok(out);
                }
                out.expanded = Some(expanded);
            }
        }
        Ok(out)
    }

    /// The entities that depend on what Phase 2 changed (a player's teammates, his team).
    async fn expand(&self, phase: Phase, changed: EntitySet) -> Result<EntitySet, StageFailure> {
        self.ctx
            .execute_activity(
                ExpandDependents,
                DependentsRequest {
                    context: Some(self.context.clone()),
                    changed: Some(changed),
                },
                options::process(self.dependents_activity_id.clone()),
            )
            .await
            .map_err(|e| StageFailure {
                phase,
                message: format!(
                    "expanding what {phase} of {} changed to its dependents failed: {}",
                    self.context.game_date,
                    describe_activity_error(&e)
                ),
                timed_out: false,
            })
    }

    fn child_options(&self, id: String, phase: Phase) -> ChildWorkflowOptions {
        let summary = format!(
            "{phase} of {}: {} ({})",
            self.context.game_date,
            phase.prefix(),
            search::mode_value(self.context.mode())
        );
        let mut opts = options::phase_child(
            id,
            search::attributes(self.context, Some(phase.number())),
            summary,
        );
        if let Some(t) = self.phase_timeout {
            opts.execution_timeout = Some(t);
        }
        opts
    }

    /// Runs one phase as a child workflow and waits for it.
    async fn child(&self, phase: Phase, input: PhaseInput) -> Result<PhaseResult, StageFailure> {
        let start_failed = |e: String| StageFailure {
            phase,
            message: format!("{phase} of {} could not start: {e}", self.context.game_date),
            timed_out: false,
        };
        let result = if phase == Phase::Predict {
            let opts = self.child_options(ids::prediction_workflow_id(&self.parent_id), phase);
            let child = self
                .ctx
                .start_child_workflow(PredictionWorkflow::run, input, opts)
                .await
                .map_err(|e| start_failed(e.to_string()))?;
            self.mark_current(phase);
            child.result().await
        } else {
            let id = ids::phase_workflow_id(&self.parent_id, phase.number());
            let opts = self.child_options(id, phase);
            let child = self
                .ctx
                .start_child_workflow(PhaseWorkflow::run, input, opts)
                .await
                .map_err(|e| start_failed(e.to_string()))?;
            self.mark_current(phase);
            child.result().await
        };
        result.map_err(|e| {
            let timed_out = e.as_timeout().is_some();
            StageFailure {
                phase,
                message: if timed_out {
                    let timeout = self.phase_timeout.unwrap_or(options::PHASE_TIMEOUT);
                    format!(
                        "{phase} of {} timed out: it did not finish within its timeout of \
                         {timeout:?}",
                        self.context.game_date
                    )
                } else {
                    describe_child_error(&e)
                },
                timed_out,
            }
        })
    }

    fn mark_current(&self, phase: Phase) {
        if let Some(current) = self.current {
            current.set(phase.number());
        }
        if let Some(on_phase) = self.on_phase {
            on_phase(phase);
        }
    }
}
