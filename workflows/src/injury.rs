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

use chrono::DateTime;
use futures::future::Either;
use nbaprops_proto::activities::{PlanListening, PlanRerun, RecordInjuryUpdates};
use nbaprops_proto::{
    AlertKind, DayInput, DayResult, DayState, InjuryUpdate, InjuryUpdatesRequest, Mode, Phase,
    RerunPlanRequest, RerunSummary, RunContext, Trigger,
};
use temporalio_common::WorkflowDefinition;
use temporalio_sdk::workflows::WorkflowImplementation;
use temporalio_sdk::{ContinueAsNewOptions, LocalActivityOptions};
use temporalio_sdk::{WorkflowContext, WorkflowResult};

use crate::downstream::Downstream;
use crate::failures::describe_activity_error;
use crate::lines_as_of::rfc3339;
use crate::{details, ids, options, sla};

/// Reruns one run of a day applies before it continues as new (about 60 events each).
pub const RERUNS_PER_RUN: u32 = 25;

/// The processor every injury rerun starts from.
pub const UPDATES_PROCESSOR: &str = "raw_injury_updates";

/// The context of a rerun started at `now`: the day's, incremental, triggered by a signal,
/// reading the lines as they stand at its start.
pub fn rerun_context(day: &RunContext, now: Option<SystemTime>) -> RunContext {
    RunContext {
        mode: Mode::Incremental as i32,
        trigger: Trigger::Signal as i32,
        ..crate::lines_as_of::reading_lines_at(day, now)
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

fn seconds(t: SystemTime) -> f64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

/// The day's rerun of a batch of updates, as a workflow of its own would be: what it needs.
struct Rerun<'a, W> {
    ctx: &'a WorkflowContext<W>,
    day: &'a RunContext,
    context: RunContext,
    number: u32,
    phase_timeout: Option<Duration>,
}

impl<W> Rerun<'_, W> {
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

    /// Applies a batch of updates; the summary says what it did, failures included.
    async fn run(&self, updates: Vec<InjuryUpdate>) -> RerunSummary {
        let now = self.ctx.workflow_time().unwrap_or(SystemTime::UNIX_EPOCH);
        let mut summary = RerunSummary {
            number: self.number,
            updates: updates.clone(),
            started_at: seconds(now),
            lines_as_of: self.context.lines_as_of.clone(),
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

        let downstream = Downstream {
            ctx,
            context: &self.context,
            plan: &plan,
            parent_id: ids::rerun_workflow_id(&self.day.correlation_id, self.number),
            dependents_activity_id: self.activity_id("dependents"),
            // Phases 2-4 of a rerun touch a few players; Phase 5 checks what it published.
            gated: |phase| phase == Phase::Predict,
            phase_timeout: self.phase_timeout,
            current: None,
            on_phase: None,
        };
        let run = downstream.run(kept.payloads).await.map_err(|f| f.message)?;
        let Some(expanded) = &run.expanded else {
            return Ok("no change (already applied)".to_string());
        };
        summary.players = expanded.players.len() as u32;
        summary.teams = expanded.teams.len() as u32;
        if let Some(predictions) = run.predictions() {
            summary.predictions_written =
                predictions.processors.iter().map(|p| p.rows_written).sum();
            summary.predictions_unchanged = predictions
                .processors
                .iter()
                .map(|p| p.rows_unchanged)
                .sum();
        }
        Ok("applied".to_string())
    }
}

/// The day's state inside a workflow of any type that holds one (`DayWorkflow`).
fn state<W: AsRef<DayState>>(workflow: &W) -> &DayState {
    workflow.as_ref()
}

fn state_mut<W: AsMut<DayState>>(workflow: &mut W) -> &mut DayState {
    workflow.as_mut()
}

/// Raises an `injury_update_rejected` alert for each malformed `injury_update` signal not yet
/// reported (`DayState.malformed_updates`, filled by the signal handler).
async fn report_malformed<W>(ctx: &WorkflowContext<W>, day: &RunContext)
where
    W: WorkflowImplementation + AsRef<DayState> + AsMut<DayState>,
{
    loop {
        let (index, why) = ctx.state(|s| {
            let i = state(s).malformed_alerted as usize;
            (i, state(s).malformed_updates.get(i).cloned())
        });
        let Some(why) = why else {
            return;
        };
        sla::raise_alert(
            ctx,
            day,
            AlertKind::InjuryUpdateRejected,
            "warning",
            "injury_update signal",
            format!(
                "{} ({}): {why}. Refused: nothing was applied; send the update again as \
                 {{\"player\": \"…\", \"status\": \"Out\"}} (docs/runbook.md)",
                day.game_date, day.correlation_id
            ),
            format!(
                "malformed-{}.alert.{}",
                index + 1,
                AlertKind::InjuryUpdateRejected
            ),
        )
        .await;
        ctx.state_mut(|s| state_mut(s).malformed_alerted += 1);
    }
}

/// After the main run: listen until the deadline, rerunning each batch of updates; the main
/// result with every rerun of the day.
pub async fn listen<W>(
    ctx: &WorkflowContext<W>,
    day: &RunContext,
    input: &DayInput,
    main: DayResult,
    phase_timeout: Option<Duration>,
) -> WorkflowResult<DayResult>
where
    // `DayWorkflow`: it holds the day's state and continues as new with a day's input.
    W: WorkflowImplementation + AsRef<DayState> + AsMut<DayState>,
    W::Run: WorkflowDefinition<Input = DayInput>,
{
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
        state_mut(s).main = Some(main.clone());
        state_mut(s).listen_until = listen_until.clone();
        state_mut(s).reruns = main.reruns.clone();
        state_mut(s).stage = "listening".to_string();
    });
    let listening = if listen_until.is_empty() {
        "closing".to_string()
    } else {
        format!("listening for injury news until {listen_until}")
    };
    ctx.set_current_details(details::after_main(&main, main.reruns.len(), &listening));
    let per_run = match input.reruns_per_run {
        0 => RERUNS_PER_RUN,
        n => n,
    };
    let mut applied_this_run = 0u32;
    loop {
        report_malformed(ctx, day).await;
        let pending = ctx.state(|s| state(s).pending_updates.len());
        if pending == 0 {
            let now = ctx.workflow_time().unwrap_or(SystemTime::UNIX_EPOCH);
            let left = deadline.and_then(|d| d.duration_since(now).ok());
            let stop = ctx.state(|s| state(s).stop_requested);
            let Some(left) = left.filter(|l| !l.is_zero() && !stop) else {
                break;
            };
            let timer = std::pin::pin!(ctx.timer(left));
            let news = std::pin::pin!(ctx.wait_condition(|s| {
                !state(s).pending_updates.is_empty()
                    || state(s).stop_requested
                    || state(s).malformed_updates.len() > state(s).malformed_alerted as usize
            }));
            if let Either::Left(_) = futures::future::select(timer, news).await {
                // Past the deadline: updates that raced the timer still get their rerun.
                if ctx.state(|s| state(s).pending_updates.is_empty()) {
                    break;
                }
            }
            continue;
        }
        let stopping = ctx.state(|s| state(s).stop_requested);
        if !stopping && (applied_this_run >= per_run || ctx.continue_as_new_suggested()) {
            let (reruns, pending) =
                ctx.state(|s| (state(s).reruns.clone(), state(s).pending_updates.clone()));
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
            ctx.state_mut(|s| std::mem::take(&mut state_mut(s).pending_updates));
        let number = ctx.state(|s| state(s).reruns.len() as u32) + 1;
        ctx.state_mut(|s| state_mut(s).stage = format!("rerun {number}"));
        ctx.set_current_details(details::after_main(
            &main,
            number as usize - 1,
            &format!("rerun {number} running"),
        ));
        let rerun = Rerun {
            ctx,
            day,
            context: rerun_context(day, ctx.workflow_time()),
            number,
            phase_timeout,
        };
        let summary = rerun.run(batch).await;
        applied_this_run += 1;
        crate::report::write_morning(ctx, day, format!("rerun-{number}.report")).await;
        ctx.state_mut(|s| {
            state_mut(s).reruns.push(summary);
            state_mut(s).stage = "listening".to_string();
        });
        ctx.set_current_details(details::after_main(&main, number as usize, &listening));
    }
    report_malformed(ctx, day).await;
    ctx.state_mut(|s| state_mut(s).stage = "closed".to_string());
    let reruns = ctx.state(|s| state(s).reruns.len());
    ctx.set_current_details(details::after_main(&main, reruns, "closed"));
    Ok(DayResult {
        reruns: ctx.state(|s| state(s).reruns.clone()),
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
            lines_as_of: "2025-11-28T15:01:00Z".into(),
        };
        let at = SystemTime::from(DateTime::parse_from_rfc3339("2025-11-28T21:30:00Z").unwrap());
        let r = rerun_context(&day, Some(at));
        assert_eq!(r.correlation_id, "day-2025-11-28");
        assert_eq!(r.mode(), Mode::Incremental);
        assert_eq!(r.trigger(), Trigger::Signal);
        // The rerun reads the lines of its own time, not the morning's.
        assert_eq!(r.lines_as_of, "2025-11-28T21:31:00Z");
    }
}
