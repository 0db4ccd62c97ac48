//! BackfillWorkflow (id `backfill-{from}-{to}`): a range of dates, phase by phase.
//!
//! An activity plans the range once (its game dates from the kept season schedules, and the
//! registry's steps: every level of every phase, then grading, consecutive levels merged into
//! one step where no level reads across dates what the one before wrote; see
//! `registry::backfill_steps`). Each step runs over all its dates before the next starts, so a
//! processor reading earlier dates of an earlier level (rolling windows, the ensemble's
//! history) finds them complete. A step's dates run as
//! `BackfillDateWorkflow` children in a sliding window of `concurrency`; a date whose step
//! fails (its activities, or its phase's quality gate) is listed with the error and skipped by
//! every later step; the others go on.
//!
//! The state (plan, cursor, counts, failures) lives on the workflow: the `progress` query reads
//! it, the `pause` / `resume` signals gate new children, and every `CHILDREN_PER_RUN` children
//! the workflow drains its window and continues as new with the state, so no history comes near
//! Temporal's limits however long the range. Every context carries mode `backfill` and
//! trigger `backfill`: a backfill never listens for injury news and raises no SLA alert.
//!
//! - `date.rs`: `BackfillDateWorkflow`, one step of one date.
//! - `progress.rs`: the progress query's arithmetic.

mod date;
mod progress;

use std::future::Future;
use std::pin::Pin;
use std::time::UNIX_EPOCH;

use futures::future::select_all;
use nbaprops_proto::activities::PlanBackfill;
use nbaprops_proto::registry::dates_of;
use nbaprops_proto::{
    BackfillDateInput, BackfillDateResult, BackfillInput, BackfillPlanRequest, BackfillProgress,
    BackfillState, FailedDate, Mode, RunContext, StepProgress, Trigger,
};
use temporalio_common::data_converters::RawValue;
use temporalio_macros::{workflow, workflow_methods};
use temporalio_sdk::{
    ContinueAsNewOptions, SyncWorkflowContext, WorkflowContext, WorkflowContextView, WorkflowResult,
};

pub use date::BackfillDateWorkflow;
pub use progress::progress_of;

use crate::failures::{describe_activity_error, describe_child_error, fail};
use crate::{ids, options};
use progress::describe_step;

/// Children in flight when the input does not say (`nbaprops backfill`'s default too). On the
/// 2-core machine 6 kept the cores busy where 4 left them idle at each step's end
/// (docs/benchmarks.md).
pub const DEFAULT_CONCURRENCY: u32 = 6;
/// The most children in flight one backfill allows (Temporal allows 2,000 pending).
pub const MAX_CONCURRENCY: u32 = 64;
/// Children one run starts before it continues as new: about 8 events each in the parent, so a
/// run's history stays near 2,500 events, far under the 10,240-event warning.
pub const CHILDREN_PER_RUN: u32 = 300;

#[workflow]
#[derive(Default)]
pub struct BackfillWorkflow {
    from: String,
    to: String,
    state: BackfillState,
}

fn unix_seconds(ctx: &WorkflowContext<BackfillWorkflow>) -> f64 {
    ctx.workflow_time()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0.0, |d| d.as_secs_f64())
}

/// What one date's child ended with: its counts, or its failure.
type DateOutcome = Result<BackfillDateResult, String>;

/// A date's child in flight, tagged with the date's index in its step.
type InFlight = Pin<Box<dyn Future<Output = (usize, DateOutcome)>>>;

/// Starts one date's child and waits for it; the error is the child's failure, readable.
async fn run_date(
    ctx: WorkflowContext<BackfillWorkflow>,
    id: String,
    input: BackfillDateInput,
) -> DateOutcome {
    // Searchable like a day's phases: game_date, phase, mode `backfill`, trigger `backfill`.
    let context = input.context.clone().unwrap_or_default();
    let summary = format!(
        "backfill of {}: phase {} step",
        context.game_date, input.phase
    );
    let opts = options::phase_child(
        id,
        crate::search::attributes(&context, Some(input.phase)),
        summary,
    );
    let started = ctx
        .start_child_workflow(BackfillDateWorkflow::run, input, opts)
        .await
        .map_err(|e| format!("could not start: {e}"))?;
    started.result().await.map_err(|e| describe_child_error(&e))
}

#[workflow_methods]
impl BackfillWorkflow {
    #[run]
    pub async fn run(
        ctx: &mut WorkflowContext<Self>,
        input: BackfillInput,
    ) -> WorkflowResult<BackfillProgress> {
        for (what, d) in [("from", &input.from), ("to", &input.to)] {
            if let Err(e) = nbaprops_proto::validate_game_date(d) {
                return Err(fail(format!("BackfillWorkflow input {what}: {e}")));
            }
        }
        let first_phase = if input.first_phase == 0 {
            1
        } else {
            input.first_phase
        };
        let last_phase = if input.last_phase == 0 {
            5
        } else {
            input.last_phase
        };
        let concurrency = match input.concurrency {
            0 => DEFAULT_CONCURRENCY,
            n => n.min(MAX_CONCURRENCY),
        } as usize;
        let per_run = match input.children_per_run {
            0 => CHILDREN_PER_RUN,
            n => n,
        };
        let backfill_id = ctx.workflow_id().to_string();
        let context = RunContext {
            lines_as_of: String::new(),
            correlation_id: backfill_id.clone(),
            game_date: input.from.clone(),
            mode: Mode::Backfill as i32,
            trigger: Trigger::Backfill as i32,
        };

        let mut state = input.state.clone().unwrap_or_default();
        if state.plan.is_none() {
            let plan = ctx
                .execute_activity(
                    PlanBackfill,
                    BackfillPlanRequest {
                        context: Some(context.clone()),
                        from: input.from.clone(),
                        to: input.to.clone(),
                        first_phase,
                        last_phase,
                        only_dates: input.only_dates.clone(),
                    },
                    options::scrape("backfill.plan".to_string()),
                )
                .await
                .map_err(|e| {
                    fail(format!(
                        "backfill {} to {}: planning failed: {}",
                        input.from,
                        input.to,
                        describe_activity_error(&e)
                    ))
                })?;
            state.steps = plan
                .steps
                .iter()
                .map(|s| StepProgress {
                    phase: s.phase,
                    level: s.level,
                    total: dates_of(&plan, s).len() as u32,
                    ..Default::default()
                })
                .collect();
            state.activities = 1; // the plan
            state.started_at = unix_seconds(ctx);
            state.updated_at = state.started_at;
            state.plan = Some(plan);
        }
        let plan = state.plan.clone().expect("planned above");
        {
            let (from, to, state) = (input.from.clone(), input.to.clone(), state.clone());
            ctx.state_mut(move |s| {
                s.from = from;
                s.to = to;
                // A `pause` may have arrived while the plan was being made.
                let paused = s.state.paused;
                s.state = state;
                s.state.paused |= paused;
            });
        }

        let mut started_this_run: u32 = 0;
        while let Some(step) = plan.steps.get(ctx.state(|s| s.state.step) as usize) {
            let step_index = ctx.state(|s| s.state.step) as usize;
            let dates = dates_of(&plan, step);
            let mut next = ctx.state(|s| s.state.next) as usize;
            let mut window: Vec<InFlight> = Vec::new();
            let mut out_of_budget = false;
            loop {
                // Fill the window, unless paused or this run has started its share.
                while window.len() < concurrency
                    && next < dates.len()
                    && !ctx.state(|s| s.state.paused)
                {
                    if started_this_run >= per_run || ctx.continue_as_new_suggested() {
                        out_of_budget = true;
                        break;
                    }
                    let ds = &dates[next];
                    let broken = ctx.state(|s| s.state.failed.iter().any(|f| f.date == ds.date));
                    if broken {
                        ctx.state_mut(|s| s.state.steps[step_index].skipped += 1);
                    } else {
                        let mut c = context.clone();
                        c.game_date = ds.date.clone();
                        let id = ids::backfill_date_workflow_id(
                            &backfill_id,
                            step.phase,
                            step.level,
                            &ds.date,
                        );
                        let input = BackfillDateInput {
                            context: Some(c),
                            phase: step.phase,
                            level: step.level,
                            parts: ds.parts.clone(),
                            gate_before: ds.gate_before,
                        };
                        let child = run_date(ctx.clone(), id, input);
                        let index = next;
                        window.push(Box::pin(async move { (index, child.await) }));
                        started_this_run += 1;
                    }
                    next += 1;
                    let n = next as u32;
                    ctx.state_mut(|s| s.state.next = n);
                }
                if window.is_empty() {
                    if next < dates.len() && !out_of_budget {
                        // Paused with nothing in flight: wait for `resume`.
                        ctx.wait_condition(|s| !s.state.paused)
                            .await
                            .map_err(|_| fail("backfill cancelled while paused".to_string()))?;
                        continue;
                    }
                    break;
                }
                // The first child to finish, polled in order (replay sees the same choice).
                let ((i, result), _, rest) = select_all(window).await;
                window = rest;
                let now = unix_seconds(ctx);
                let date = dates[i].date.clone();
                ctx.state_mut(|s| {
                    let st = &mut s.state;
                    st.updated_at = now;
                    match result {
                        Ok(r) => {
                            st.steps[step_index].done += 1;
                            st.rows_written += r.rows_written;
                            st.rows_unchanged += r.rows_unchanged;
                            st.activities += r.activities as u64;
                        }
                        Err(error) => {
                            st.steps[step_index].failed += 1;
                            st.failed.push(FailedDate {
                                date,
                                phase: step.phase,
                                level: step.level,
                                error,
                            });
                        }
                    }
                });
            }
            if out_of_budget {
                let carried = BackfillInput {
                    state: Some(ctx.state(|s| {
                        let mut st = s.state.clone();
                        st.runs += 1;
                        st
                    })),
                    ..input.clone()
                };
                ctx.continue_as_new(carried, ContinueAsNewOptions::default())?;
            }
            ctx.state_mut(|s| {
                s.state.step += 1;
                s.state.next = 0;
            });
        }
        Ok(ctx.state(|s| progress_of(&s.from, &s.to, &s.state, "done")))
    }

    /// Done / failed / remaining per phase, rate and time left.
    #[query]
    pub fn progress(&self, _ctx: &WorkflowContextView) -> BackfillProgress {
        progress_of(
            &self.from,
            &self.to,
            &self.state,
            &describe_step(&self.state),
        )
    }

    /// Start no new dates until `resume`; those in flight finish. Any input is ignored (a raw
    /// payload: none can fail the workflow task, `signals.rs`).
    #[signal]
    pub fn pause(&mut self, _ctx: &mut SyncWorkflowContext<Self>, _input: RawValue) {
        self.state.paused = true;
    }

    #[signal]
    pub fn resume(&mut self, _ctx: &mut SyncWorkflowContext<Self>, _input: RawValue) {
        self.state.paused = false;
    }
}
