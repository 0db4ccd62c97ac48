//! The day after its main run: open until the date's last tip-off for `injury_update`
//! signals, each batch of them applied as an incremental rerun of only what they touch.
//!
//! A rerun (children `day-{date}-rerun-{n}-phase-{2,3,4}` and `…-rerun-{n}-predict`, mode
//! `incremental`, trigger `signal`):
//! 1. `record_injury_updates` keeps the batch in the raw store (source `injury_update`), or
//!    refuses an update naming no known player or an unknown status (an alert says which);
//! 2. the rerun's plan comes from the registry (`plan_rerun`, a local activity recorded in
//!    history): `raw_injury_updates` and every processor downstream of it;
//! 3. Phase 2 writes the updates; the players whose rows changed (none for an update already
//!    applied: a duplicate signal stops here) are expanded to their teammates
//!    (`expand_dependents`);
//! 4. Phases 3-5 recompute only those players and teams. Predictions that change are
//!    superseded (`predictions.superseded_at`), everyone else's are untouched.
//!
//! Signals that arrive during a rerun wait in the state and make the next batch. A rerun that
//! fails raises `rerun_failed` and the day keeps listening. After `RERUNS_PER_RUN` reruns (or
//! when Temporal suggests it) the day continues as new with its main result, its reruns and
//! the queued updates, so a long day's history stays small.

use std::time::{Duration, SystemTime};

use chrono::{DateTime, SecondsFormat, Utc};
use futures::future::Either;
use nbaprops_proto::activities::{ExpandDependents, PlanListening, PlanRerun, RecordInjuryUpdates};
use nbaprops_proto::{
    AlertKind, DayInput, DayPlan, DayResult, DependentsRequest, InjuryUpdate, InjuryUpdatesRequest,
    Mode, PhaseInput, RerunPlanRequest, RerunSummary, RunContext, Trigger,
};
use temporalio_sdk::{ChildWorkflowOptions, ContinueAsNewOptions, LocalActivityOptions};
use temporalio_sdk::{WorkflowContext, WorkflowResult};

use crate::day::{changed_entities, DayWorkflow};
use crate::failures::{describe_activity_error, describe_child_error};
use crate::phase::PhaseWorkflow;
use crate::prediction::PredictionWorkflow;
use crate::{ids, legacy, options, search, sla};

/// Listening for injury updates after the main run, the reruns, the `day_failed` alert and
/// the `listen_until` / `main` / `pending_updates` / `reruns_done` inputs.
pub const PATCH_INJURY_UPDATES: &str = "injury-updates";

/// Reruns one run of a day applies before it continues as new (about 60 events each).
pub const RERUNS_PER_RUN: u32 = 25;

/// The processor every injury rerun starts from.
pub const UPDATES_PROCESSOR: &str = "raw_injury_updates";

/// The context of a rerun: the day's, incremental, triggered by a signal.
pub fn rerun_context(day: &RunContext) -> RunContext {
    RunContext {
        mode: Mode::Incremental as i32,
        trigger: Trigger::Signal as i32,
        ..day.clone()
    }
}

/// When the day stops listening: `listen_until` when given, else the last tip-off; None when
/// neither is known (a date without games).
pub fn listen_deadline(
    listen_until: &str,
    last_tipoff: &str,
) -> Result<Option<SystemTime>, String> {
    let given = if listen_until.is_empty() {
        last_tipoff
    } else {
        listen_until
    };
    if given.is_empty() {
        return Ok(None);
    }
    DateTime::parse_from_rfc3339(given)
        .map(|t| Some(SystemTime::from(t)))
        .map_err(|e| format!("listen_until {given:?} is not RFC 3339: {e}"))
}

fn rfc3339(t: SystemTime) -> String {
    DateTime::<Utc>::from(t).to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn seconds(t: SystemTime) -> f64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// The day's rerun of a batch of updates, as a workflow of its own would be: what it needs.
struct Rerun<'a> {
    ctx: &'a WorkflowContext<DayWorkflow>,
    day: &'a RunContext,
    context: RunContext,
    number: u32,
    phase_timeout: Option<Duration>,
}

impl Rerun<'_> {
    fn child_options(&self, id: String, phase: u32) -> ChildWorkflowOptions {
        let mut opts =
            options::phase_child_with(id, search::attributes(&self.context, Some(phase)));
        if let Some(t) = self.phase_timeout {
            opts.execution_timeout = Some(t);
        }
        opts
    }

    fn activity_id(&self, what: &str) -> String {
        format!("rerun-{}.{what}", self.number)
    }

    async fn alert(&self, kind: AlertKind, severity: &str, message: String) {
        let subject = format!("rerun {}", self.number);
        let activity_id = self.activity_id(&format!("alert.{kind}"));
        sla::raise_alert(
            self.ctx,
            &self.context,
            kind,
            severity,
            &subject,
            message,
            activity_id,
        )
        .await;
    }

    async fn phase(
        &self,
        phase: u32,
        input: PhaseInput,
    ) -> Result<nbaprops_proto::PhaseResult, String> {
        let rerun_id = ids::rerun_workflow_id(&self.day.correlation_id, self.number);
        let result = if phase == 5 {
            let child = self
                .ctx
                .start_child_workflow(
                    PredictionWorkflow::run,
                    input,
                    self.child_options(ids::prediction_workflow_id(&rerun_id), 5),
                )
                .await
                .map_err(|e| format!("starting phase 5: {e}"))?;
            child.result().await
        } else {
            let child = self
                .ctx
                .start_child_workflow(
                    PhaseWorkflow::run,
                    input,
                    self.child_options(ids::phase_workflow_id(&rerun_id, phase), phase),
                )
                .await
                .map_err(|e| format!("starting phase {phase}: {e}"))?;
            child.result().await
        };
        result.map_err(|e| format!("phase {phase}: {}", describe_child_error(&e)))
    }

    fn input(&self, plan: &DayPlan, phase: u32) -> PhaseInput {
        PhaseInput {
            context: Some(self.context.clone()),
            phase,
            raw_payloads: vec![],
            levels: legacy::levels_of(plan, phase),
            entity_filter: None,
        }
    }

    /// Applies a batch of updates; the summary says what it did, failures included.
    async fn run(&self, updates: Vec<InjuryUpdate>) -> RerunSummary {
        let now = self.ctx.workflow_time().unwrap_or(SystemTime::UNIX_EPOCH);
        let mut summary = RerunSummary {
            number: self.number,
            updates: updates.clone(),
            started_at: seconds(now),
            ..Default::default()
        };
        summary.outcome = match self.apply(updates, now, &mut summary).await {
            Ok(outcome) => outcome,
            Err(error) => {
                self.alert(
                    AlertKind::RerunFailed,
                    "critical",
                    format!(
                        "injury rerun {} of {} ({}) failed; the day keeps listening and the \
                         predictions of the players it covers are as before it. {error}",
                        self.number, self.day.game_date, self.day.correlation_id
                    ),
                )
                .await;
                format!("failed: {error}")
            }
        };
        summary.finished_at = seconds(self.ctx.workflow_time().unwrap_or(now));
        summary
    }

    async fn apply(
        &self,
        updates: Vec<InjuryUpdate>,
        now: SystemTime,
        summary: &mut RerunSummary,
    ) -> Result<String, String> {
        let ctx = self.ctx;
        let kept = ctx
            .execute_activity(
                RecordInjuryUpdates,
                InjuryUpdatesRequest {
                    context: Some(self.context.clone()),
                    updates,
                    received_at: rfc3339(now),
                },
                options::process(self.activity_id("record")),
            )
            .await
            .map_err(|e| format!("keeping the updates: {}", describe_activity_error(&e)))?;
        if !kept.rejected.is_empty() {
            self.alert(
                AlertKind::InjuryUpdateRejected,
                "warning",
                kept.rejected.join("; "),
            )
            .await;
        }
        if kept.payloads.is_empty() {
            return Ok(if kept.rejected.is_empty() {
                format!(
                    "no change (already applied: {})",
                    kept.duplicates.join("; ")
                )
            } else {
                format!("rejected: {}", kept.rejected.join("; "))
            });
        }
        let plan = ctx
            .execute_local_activity(
                PlanRerun,
                RerunPlanRequest {
                    context: Some(self.context.clone()),
                    changed_processors: vec![UPDATES_PROCESSOR.to_string()],
                },
                LocalActivityOptions::builder()
                    .start_to_close_timeout(Duration::from_secs(10))
                    .build(),
            )
            .await
            .map_err(|e| format!("planning the rerun: {}", describe_activity_error(&e)))?;

        let mut phase2 = self.input(&plan, 2);
        phase2.raw_payloads = kept.payloads;
        let written = self.phase(2, phase2).await?;
        let changed = changed_entities(&written);
        if changed.players.is_empty() && changed.teams.is_empty() && changed.games.is_empty() {
            return Ok("no change (already applied)".to_string());
        }
        let expanded = ctx
            .execute_activity(
                ExpandDependents,
                DependentsRequest {
                    context: Some(self.context.clone()),
                    changed: Some(changed),
                },
                options::process(self.activity_id("dependents")),
            )
            .await
            .map_err(|e| format!("expanding to teammates: {}", describe_activity_error(&e)))?;
        summary.players = expanded.players.len() as u32;
        summary.teams = expanded.teams.len() as u32;
        for phase in [3u32, 4, 5] {
            let mut input = self.input(&plan, phase);
            if input.levels.is_empty() {
                continue;
            }
            input.entity_filter = Some(expanded.clone());
            let result = self.phase(phase, input).await?;
            if phase == 5 {
                summary.predictions_written =
                    result.processors.iter().map(|p| p.rows_written).sum();
                summary.predictions_unchanged =
                    result.processors.iter().map(|p| p.rows_unchanged).sum();
            }
        }
        Ok("applied".to_string())
    }
}

/// After the main run: listen until the deadline, rerunning each batch of updates; the main
/// result with every rerun of the day.
pub async fn listen(
    ctx: &WorkflowContext<DayWorkflow>,
    day: &RunContext,
    input: &DayInput,
    main: DayResult,
    phase_timeout: Option<Duration>,
) -> WorkflowResult<DayResult> {
    // A backfill never listens; a day without games listens to nothing. The last tip-off is
    // asked for only when the input does not say until when.
    let deadline = if day.mode() == Mode::Backfill {
        None
    } else {
        let last_tipoff = if input.listen_until.is_empty() {
            ctx.execute_activity(
                PlanListening,
                day.clone(),
                options::process("listen.plan".to_string()),
            )
            .await?
            .last_tipoff
        } else {
            String::new()
        };
        listen_deadline(&input.listen_until, &last_tipoff)
            .map_err(|e| crate::failures::fail(format!("DayWorkflow input: {e}")))?
    };
    let listen_until = deadline.map(rfc3339).unwrap_or_default();
    ctx.state_mut(|s| {
        s.state.main = Some(main.clone());
        s.state.listen_until = listen_until.clone();
        s.state.reruns = main.reruns.clone();
        s.state.stage = "listening".to_string();
    });
    let per_run = match input.reruns_per_run {
        0 => RERUNS_PER_RUN,
        n => n,
    };
    let mut applied_this_run = 0u32;
    loop {
        let pending = ctx.state(|s| s.state.pending_updates.len());
        if pending == 0 {
            let now = ctx.workflow_time().unwrap_or(SystemTime::UNIX_EPOCH);
            let left = deadline.and_then(|d| d.duration_since(now).ok());
            let stop = ctx.state(|s| s.state.stop_requested);
            let Some(left) = left.filter(|l| !l.is_zero() && !stop) else {
                break;
            };
            let timer = std::pin::pin!(ctx.timer(left));
            let news = std::pin::pin!(ctx.wait_condition(|s| {
                !s.state.pending_updates.is_empty() || s.state.stop_requested
            }));
            if let Either::Left(_) = futures::future::select(timer, news).await {
                // Past the deadline: updates that raced the timer still get their rerun.
                if ctx.state(|s| s.state.pending_updates.is_empty()) {
                    break;
                }
            }
            continue;
        }
        let stopping = ctx.state(|s| s.state.stop_requested);
        if !stopping && (applied_this_run >= per_run || ctx.continue_as_new_suggested()) {
            let (reruns, pending) =
                ctx.state(|s| (s.state.reruns.clone(), s.state.pending_updates.clone()));
            let carried = DayInput {
                main: Some(DayResult {
                    reruns: reruns.clone(),
                    ..main.clone()
                }),
                pending_updates: pending,
                listen_until: if listen_until.is_empty() {
                    // No deadline: nothing more to listen for after this batch.
                    rfc3339(ctx.workflow_time().unwrap_or(SystemTime::UNIX_EPOCH))
                } else {
                    listen_until.clone()
                },
                ..input.clone()
            };
            ctx.continue_as_new(carried, ContinueAsNewOptions::default())?;
        }
        let batch: Vec<InjuryUpdate> =
            ctx.state_mut(|s| std::mem::take(&mut s.state.pending_updates));
        let number = ctx.state(|s| s.state.reruns.len() as u32) + 1;
        ctx.state_mut(|s| s.state.stage = format!("rerun {number}"));
        let rerun = Rerun {
            ctx,
            day,
            context: rerun_context(day),
            number,
            phase_timeout,
        };
        let summary = rerun.run(batch).await;
        applied_this_run += 1;
        ctx.state_mut(|s| {
            s.state.reruns.push(summary);
            s.state.stage = "listening".to_string();
        });
    }
    ctx.state_mut(|s| s.state.stage = "closed".to_string());
    Ok(DayResult {
        reruns: ctx.state(|s| s.state.reruns.clone()),
        ..main
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deadline_is_the_input_else_the_last_tipoff() {
        let t = |s: &str| SystemTime::from(DateTime::parse_from_rfc3339(s).unwrap());
        assert_eq!(
            listen_deadline("", "2025-11-29T03:30:00Z").unwrap(),
            Some(t("2025-11-29T03:30:00Z"))
        );
        assert_eq!(
            listen_deadline("2025-11-28T20:00:00Z", "2025-11-29T03:30:00Z").unwrap(),
            Some(t("2025-11-28T20:00:00Z"))
        );
        assert_eq!(listen_deadline("", "").unwrap(), None);
        assert!(listen_deadline("8pm", "").is_err());
    }

    #[test]
    fn a_rerun_is_incremental_and_signalled_under_the_day() {
        let day = RunContext {
            correlation_id: "day-2025-11-28".into(),
            game_date: "2025-11-28".into(),
            mode: Mode::Full as i32,
            trigger: Trigger::Schedule as i32,
            skip_downstream: false,
        };
        let r = rerun_context(&day);
        assert_eq!(r.correlation_id, "day-2025-11-28");
        assert_eq!(r.mode(), Mode::Incremental);
        assert_eq!(r.trigger(), Trigger::Signal);
    }
}
