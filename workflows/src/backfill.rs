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
//! Temporal's limits however long the range. Every context carries mode `backfill`, trigger
//! `backfill` and `skip_downstream`: a backfill never sets off live runs or alerts for live
//! days.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::UNIX_EPOCH;

use nbaprops_proto::activities::{
    CheckQuality, PlanBackfill, PlanPredictions, Process, RunStep, Scrape,
};
use nbaprops_proto::registry::{self, dates_of, ProcessorSpec};
use nbaprops_proto::{
    BackfillDateInput, BackfillDateResult, BackfillInput, BackfillPlanRequest, BackfillProgress,
    BackfillState, FailedDate, GateRequest, Mode, PhaseProgress, ProcessorResult, RunContext,
    ScrapeRequest, StepProgress, StepRequest, Trigger,
};
use temporalio_macros::{workflow, workflow_methods};
use temporalio_sdk::workflows::join_all;
use temporalio_sdk::{
    ContinueAsNewOptions, SyncWorkflowContext, WorkflowContext, WorkflowContextView, WorkflowResult,
};

use crate::failures::{describe_activity_error, describe_child_error, fail};
use crate::prediction::{level_groups, request, run_groups};
use crate::{ids, options};

/// Children in flight when the input does not say (`nbaprops backfill` always says: 6). Kept at
/// 4: a running backfill started without one replays with this value.
pub const DEFAULT_CONCURRENCY: u32 = 4;
/// The most children in flight one backfill allows (Temporal allows 2,000 pending).
pub const MAX_CONCURRENCY: u32 = 64;
/// Children one run starts before it continues as new: about 8 events each in the parent, so a
/// run's history stays near 2,500 events, far under the 10,240-event warning.
pub const CHILDREN_PER_RUN: u32 = 300;
/// From this patch on, a date's step with several sources or processors (Phases 1-4 and
/// grading) runs them in one `run_step` activity instead of one activity each: most of a long
/// backfill's cost was the Temporal server handling those activities. Phase 5 runs each
/// system once per date over all its players (one batch, not batches of 25). Children
/// recorded before it replay as they ran.
pub const STEP_ACTIVITY_PATCH: &str = "backfill-step-activity";

#[workflow]
#[derive(Default)]
pub struct BackfillWorkflow {
    from: String,
    to: String,
    state: BackfillState,
}

/// The progress of a backfill from its state: per phase, overall, rate and time left.
pub fn progress_of(from: &str, to: &str, state: &BackfillState, current: &str) -> BackfillProgress {
    let mut phases: Vec<PhaseProgress> = Vec::new();
    for s in &state.steps {
        let p = match phases.iter_mut().find(|p| p.phase == s.phase) {
            Some(p) => p,
            None => {
                phases.push(PhaseProgress {
                    phase: s.phase,
                    ..Default::default()
                });
                phases.last_mut().expect("just pushed")
            }
        };
        p.total += s.total;
        p.done += s.done;
        p.failed += s.failed;
        p.skipped += s.skipped;
    }
    for p in &mut phases {
        p.remaining = p.total.saturating_sub(p.done + p.failed + p.skipped);
    }
    let steps_total: u32 = phases.iter().map(|p| p.total).sum();
    let steps_done: u32 = phases.iter().map(|p| p.done + p.failed + p.skipped).sum();
    let elapsed = (state.updated_at - state.started_at).max(0.0);
    let rate = if elapsed > 0.0 {
        steps_done as f64 / elapsed * 60.0
    } else {
        0.0
    };
    let remaining = steps_total.saturating_sub(steps_done);
    BackfillProgress {
        from: from.to_string(),
        to: to.to_string(),
        phases,
        steps_done,
        steps_total,
        elapsed_seconds: elapsed,
        rate_per_minute: rate,
        eta_seconds: (rate > 0.0).then(|| remaining as f64 / rate * 60.0),
        paused: state.paused,
        runs: state.runs,
        current: current.to_string(),
        failed: state.failed.clone(),
        game_dates: state.plan.as_ref().map_or(0, |p| p.game_dates.len() as u32),
        rows_written: state.rows_written,
        rows_unchanged: state.rows_unchanged,
        activities: state.activities,
    }
}

/// "phase 3 level 2", what the progress calls a step.
fn describe_step(state: &BackfillState) -> String {
    let Some(plan) = &state.plan else {
        return "planning".to_string();
    };
    match plan.steps.get(state.step as usize) {
        Some(s) => registry::describe_backfill_step(s),
        None => "done".to_string(),
    }
}

fn unix_seconds(ctx: &WorkflowContext<BackfillWorkflow>) -> f64 {
    ctx.workflow_time()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0.0, |d| d.as_secs_f64())
}

/// Futures in flight, each tagged (with its date's index).
type Tagged<T> = Vec<(usize, Pin<Box<dyn Future<Output = T>>>)>;

/// The first of `futures` (polled in order, so replay sees the same choice) to finish,
/// removed from the list, with its tag.
struct FirstReady<'a, T> {
    futures: &'a mut Tagged<T>,
}

impl<T> Future for FirstReady<'_, T> {
    type Output = (usize, T);

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let found = self
            .futures
            .iter_mut()
            .enumerate()
            .find_map(|(i, (tag, f))| match f.as_mut().poll(cx) {
                Poll::Ready(v) => Some((i, *tag, v)),
                Poll::Pending => None,
            });
        match found {
            Some((i, tag, v)) => {
                drop(self.futures.remove(i));
                Poll::Ready((tag, v))
            }
            None => Poll::Pending,
        }
    }
}

/// What one date's child ended with: its counts, or its failure.
type DateOutcome = Result<BackfillDateResult, String>;

/// Starts one date's child and waits for it; the error is the child's failure, readable.
async fn run_date(
    ctx: WorkflowContext<BackfillWorkflow>,
    id: String,
    input: BackfillDateInput,
) -> DateOutcome {
    // Searchable like a day's phases: game_date, phase, mode `backfill`, trigger `backfill`.
    let context = input.context.clone().unwrap_or_default();
    let opts =
        options::phase_child_with(id, crate::search::attributes(&context, Some(input.phase)));
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
            correlation_id: backfill_id.clone(),
            game_date: input.from.clone(),
            mode: Mode::Backfill as i32,
            trigger: Trigger::Backfill as i32,
            skip_downstream: true,
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
            let mut window: Tagged<DateOutcome> = Vec::new();
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
                            processors: ds.processors.clone(),
                            gate: ds.gate,
                            parts: ds.parts.clone(),
                            gate_before: ds.gate_before,
                        };
                        window.push((next, Box::pin(run_date(ctx.clone(), id, input))));
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
                let (i, result) = (FirstReady {
                    futures: &mut window,
                })
                .await;
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

    /// Start no new dates until `resume`; those in flight finish.
    #[signal]
    pub fn pause(&mut self, _ctx: &mut SyncWorkflowContext<Self>, _input: ()) {
        self.state.paused = true;
    }

    #[signal]
    pub fn resume(&mut self, _ctx: &mut SyncWorkflowContext<Self>, _input: ()) {
        self.state.paused = false;
    }
}

/// One step of one date of a backfill (id `{backfill id}-p{phase}l{level}-{date}`): the gate of
/// the phase before when it waited for every date (`gate_before`), then the step's levels in
/// order, each level's processors at once (Phase 1 scrapes; Phase 5 over one batch of the
/// players with a line) and a phase's gate after its last level (`gate_after`), or the gate
/// alone when the step is a gate of its own. A child of an older plan runs its one level
/// (`processors`) the same way.
#[workflow]
#[derive(Default)]
pub struct BackfillDateWorkflow;

fn specs_of(names: &[String], phase: u32) -> Result<Vec<ProcessorSpec>, String> {
    names
        .iter()
        .map(|name| match registry::get(name) {
            Some(spec) if spec.phase == phase => Ok(spec),
            _ => Err(format!(
                "processor {name} of the backfill's phase {phase} is not in this worker's registry"
            )),
        })
        .collect()
}

fn sum(results: &[ProcessorResult], date: &str) -> BackfillDateResult {
    BackfillDateResult {
        date: date.to_string(),
        activities: results.len() as u32,
        rows_read: results.iter().map(|r| r.rows_read as u64).sum(),
        rows_written: results.iter().map(|r| r.rows_written as u64).sum(),
        rows_unchanged: results.iter().map(|r| r.rows_unchanged as u64).sum(),
        warnings: results.iter().map(|r| r.warnings.len() as u32).sum(),
    }
}

/// What one level of a date's step did: its results, each failure as "name: error", and the
/// activities it took.
#[derive(Default)]
struct LevelRun {
    results: Vec<ProcessorResult>,
    failures: Vec<String>,
    activities: u32,
}

/// One level of a date's step, as its phase runs it: the sources or processors at once (one
/// `run_step` activity when there are several, from the patch on), Phase 5 as the prediction
/// plan and one batch of all the date's players per system.
async fn run_level(
    ctx: &mut WorkflowContext<BackfillDateWorkflow>,
    context: &RunContext,
    phase: u32,
    specs: &[ProcessorSpec],
) -> WorkflowResult<LevelRun> {
    let date = context.game_date.clone();
    let mut run = LevelRun::default();
    // Activities beyond one per processor: the prediction plan, the batches.
    let mut extra_activities: u32 = 0;
    let one_activity = specs.len() > 1 && phase != 5 && ctx.patched(STEP_ACTIVITY_PATCH);
    match phase {
        _ if one_activity => {
            let step = ctx
                .execute_activity(
                    RunStep,
                    StepRequest {
                        context: Some(context.clone()),
                        phase,
                        names: specs.iter().map(|s| s.name.to_string()).collect(),
                    },
                    options::step(phase, format!("{}.step", registry::phase_prefix(phase))),
                )
                .await;
            match step {
                Ok(step) => {
                    for o in step.outcomes {
                        match o.result {
                            Some(r) if o.error.is_empty() => run.results.push(r),
                            _ => run.failures.push(format!("{}: {}", o.name, o.error)),
                        }
                    }
                }
                Err(e) => run.failures.push(describe_activity_error(&e)),
            }
        }
        1 => {
            let scrapes = specs.iter().map(|spec| {
                ctx.execute_activity(
                    Scrape,
                    ScrapeRequest {
                        context: Some(context.clone()),
                        source: spec.name.to_string(),
                    },
                    options::scrape(spec.activity_id()),
                )
            });
            for (spec, r) in specs.iter().zip(join_all(scrapes).await) {
                match r {
                    Ok(s) => run.results.push(ProcessorResult {
                        processor: s.source,
                        rows_read: s.records_seen,
                        warnings: s.warnings,
                        ..Default::default()
                    }),
                    Err(e) => {
                        run.failures
                            .push(format!("{}: {}", spec.name, describe_activity_error(&e)))
                    }
                }
            }
        }
        5 => {
            let players = if specs.iter().any(registry::is_batched) {
                extra_activities += 1;
                ctx.execute_activity(
                    PlanPredictions,
                    context.clone(),
                    options::process(format!("{}.plan", registry::phase_prefix(5))),
                )
                .await?
                .players
            } else {
                vec![]
            };
            // A live day splits the players into batches to spread them over activities;
            // a backfill has dates in flight enough, so from the patch on a date's players
            // are one batch: a system is one activity per date (the same predictions).
            let batches: Vec<Vec<String>> = if ctx.patched(STEP_ACTIVITY_PATCH) {
                if players.is_empty() {
                    vec![]
                } else {
                    vec![players]
                }
            } else {
                players
                    .chunks(options::PREDICTION_BATCH_SIZE)
                    .map(<[String]>::to_vec)
                    .collect()
            };
            let mut totals: Vec<ProcessorResult> = specs
                .iter()
                .map(|s| ProcessorResult {
                    processor: s.name.to_string(),
                    data_date: date.clone(),
                    ..Default::default()
                })
                .collect();
            let groups = level_groups(specs, batches.len());
            let tasks: usize = groups.iter().map(Vec::len).sum();
            extra_activities += tasks.saturating_sub(specs.len()) as u32;
            if let Err(e) = run_groups(ctx, context, specs, &batches, &groups, &mut totals).await {
                run.failures.push(e);
            }
            run.results = totals;
        }
        _ => {
            let runs = specs.iter().map(|spec| {
                ctx.execute_activity(
                    Process,
                    request(context, spec, None),
                    options::process(spec.activity_id()),
                )
            });
            for (spec, r) in specs.iter().zip(join_all(runs).await) {
                match r {
                    Ok(r) => run.results.push(r),
                    Err(e) => {
                        run.failures
                            .push(format!("{}: {}", spec.name, describe_activity_error(&e)))
                    }
                }
            }
        }
    }
    run.activities = if one_activity {
        1
    } else {
        run.results.len() as u32
    } + extra_activities;
    Ok(run)
}

/// The phase's quality gate on the date: an error naming the failed checks.
async fn check_gate(
    ctx: &mut WorkflowContext<BackfillDateWorkflow>,
    context: &RunContext,
    phase: u32,
    results: Vec<ProcessorResult>,
) -> WorkflowResult<()> {
    let report = ctx
        .execute_activity(
            CheckQuality,
            GateRequest {
                context: Some(context.clone()),
                phase,
                results,
            },
            options::process(format!("gate.phase-{phase}")),
        )
        .await?;
    if !report.passed {
        return Err(fail(format!(
            "quality gate after phase {phase} of {} failed: {}",
            context.game_date,
            report.describe_failures()
        )));
    }
    Ok(())
}

#[workflow_methods]
impl BackfillDateWorkflow {
    #[run]
    pub async fn run(
        ctx: &mut WorkflowContext<Self>,
        input: BackfillDateInput,
    ) -> WorkflowResult<BackfillDateResult> {
        let Some(context) = input.context.clone() else {
            return Err(fail(
                "BackfillDateWorkflow: input has no run context".into(),
            ));
        };
        let date = context.game_date.clone();
        // A merged step's levels, or an older plan's one level.
        // (phase, level, processors, whether the phase's gate follows).
        let levels: Vec<(u32, u32, Vec<ProcessorSpec>, bool)> = if input.parts.is_empty() {
            vec![(
                input.phase,
                input.level,
                specs_of(&input.processors, input.phase).map_err(fail)?,
                false,
            )]
        } else {
            input
                .parts
                .iter()
                .map(|p| {
                    let specs = specs_of(&p.processors, p.phase)?;
                    Ok((p.phase, p.level, specs, p.gate_after))
                })
                .collect::<Result<_, String>>()
                .map_err(fail)?
        };
        if levels
            .iter()
            .all(|(_, _, specs, gate)| specs.is_empty() && !gate)
            && !input.gate
            && input.gate_before == 0
        {
            return Err(fail(format!(
                "backfill step phase {} level {} of {date} has nothing to run",
                input.phase, input.level
            )));
        }
        let mut activities: u32 = 0;
        // The earlier phase's gate, now that the phase is complete for every date.
        if input.gate_before != 0 {
            activities += 1;
            check_gate(ctx, &context, input.gate_before, vec![]).await?;
        }
        let mut results: Vec<ProcessorResult> = Vec::new();
        for (phase, level, specs, gate_after) in &levels {
            // A merged step's gate may close a phase with nothing of it to run on the date.
            if !specs.is_empty() || input.parts.is_empty() {
                let run = run_level(ctx, &context, *phase, specs).await?;
                if !run.failures.is_empty() {
                    return Err(fail(format!(
                        "phase {phase} level {level} of {date} failed: {}",
                        run.failures.join("; ")
                    )));
                }
                activities += run.activities;
                results.extend(run.results);
            }
            if *gate_after {
                activities += 1;
                check_gate(ctx, &context, *phase, vec![]).await?;
            }
        }
        if input.gate {
            activities += 1;
            check_gate(ctx, &context, input.phase, results.clone()).await?;
        }
        let mut out = sum(&results, &date);
        out.activities = activities;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nbaprops_proto::BackfillPlan;

    fn plan() -> BackfillPlan {
        BackfillPlan {
            game_dates: vec![
                "2025-01-06".into(),
                "2025-01-07".into(),
                "2025-01-09".into(),
            ],
            after_game_dates: vec![
                "2025-01-07".into(),
                "2025-01-08".into(),
                "2025-01-10".into(),
            ],
            steps: registry::backfill_steps(1, 5),
            warnings: vec![],
        }
    }

    #[test]
    fn box_scores_run_the_day_after_a_game_and_the_rest_on_game_dates() {
        let plan = plan();
        let names = |d: &registry::DateStep| -> Vec<String> {
            d.parts.iter().flat_map(|p| p.processors.clone()).collect()
        };
        // Phase 2's gate first on game dates, then the summaries of the day before's games.
        let p3l1 = plan
            .steps
            .iter()
            .find(|s| s.phase == 3 && s.level == 1)
            .unwrap();
        let d = dates_of(&plan, p3l1);
        let summarised: Vec<&str> = d
            .iter()
            .filter(|d| !d.parts.is_empty())
            .map(|d| d.date.as_str())
            .collect();
        assert_eq!(summarised, ["2025-01-07", "2025-01-08", "2025-01-10"]);
        let gated: Vec<&str> = d
            .iter()
            .filter(|d| d.gate_before == 2)
            .map(|d| d.date.as_str())
            .collect();
        assert_eq!(
            gated,
            ["2025-01-06", "2025-01-07", "2025-01-09"],
            "a gate checks each game date"
        );
        // The contexts, Phase 3's gate, Phase 4 and its gate: one child per game date.
        let p4 = plan.steps.iter().find(|s| s.phase == 4).unwrap();
        let d = dates_of(&plan, p4);
        assert_eq!(
            d.iter().map(|d| d.date.as_str()).collect::<Vec<_>>(),
            ["2025-01-06", "2025-01-07", "2025-01-09"]
        );
        for date in &d {
            let levels: Vec<(u32, u32, bool)> = date
                .parts
                .iter()
                .map(|p| (p.phase, p.level, p.gate_after))
                .collect();
            assert_eq!(
                levels,
                [(3, 2, true), (4, 1, false), (4, 2, false), (4, 3, true)]
            );
            assert!(!date.gate && date.gate_before == 0);
        }
        // Phase 1's fetches and Phase 2's parsing of them: on a game date that follows a game
        // date both kinds, on the day after only the box scores.
        let p2 = plan.steps.iter().find(|s| s.phase == 2).unwrap();
        let d = dates_of(&plan, p2);
        let jan7 = d.iter().find(|d| d.date == "2025-01-07").unwrap();
        assert!(names(jan7).contains(&"raw_nbac_schedule".to_string()));
        assert!(names(jan7).contains(&"raw_nbac_player_boxscores".to_string()));
        assert!(names(jan7).contains(&"nbac_player_boxscore".to_string()));
        let jan8 = d.iter().find(|d| d.date == "2025-01-08").unwrap();
        assert!(!names(jan8).contains(&"raw_nbac_schedule".to_string()));
        // Phase 5's gate in the ensemble's child, then grading.
        let grading = plan.steps.last().unwrap();
        assert_eq!(grading.phase, registry::GRADING_PHASE);
        let levels: Vec<(u32, bool)> = grading
            .parts
            .iter()
            .map(|p| (p.phase, p.gate_after))
            .collect();
        assert_eq!(levels, [(5, true), (registry::GRADING_PHASE, false)]);
    }

    #[test]
    fn progress_adds_up_per_phase_with_rate_and_eta() {
        let mut state = BackfillState {
            steps: vec![
                StepProgress {
                    phase: 2,
                    level: 1,
                    total: 10,
                    done: 8,
                    failed: 1,
                    skipped: 0,
                },
                StepProgress {
                    phase: 3,
                    level: 1,
                    total: 10,
                    done: 0,
                    failed: 0,
                    skipped: 1,
                },
            ],
            started_at: 100.0,
            updated_at: 160.0,
            ..Default::default()
        };
        let p = progress_of("a", "b", &state, "phase 3 level 1");
        assert_eq!(p.phases.len(), 2);
        assert_eq!((p.phases[0].done, p.phases[0].remaining), (8, 1));
        assert_eq!(p.phases[1].remaining, 9);
        assert_eq!((p.steps_done, p.steps_total), (10, 20));
        assert!((p.rate_per_minute - 10.0).abs() < 1e-9);
        assert!((p.eta_seconds.unwrap() - 60.0).abs() < 1e-9);
        state.updated_at = state.started_at;
        assert!(progress_of("a", "b", &state, "").eta_seconds.is_none());
    }
}
