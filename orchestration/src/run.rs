//! The one loop: a phase's levels in order, each level's tasks at once in bounded windows,
//! every failure of a window gathered before stopping, then the phase's gate. The day's phases,
//! its injury reruns, Phase 5, a backfill date's step, the backtest and the benchmark's
//! in-process baseline all run through `run_phase` (a backfill date through `run_date_step`).

use std::collections::BTreeSet;

use nbaprops_proto::registry::{self, ProcessorSpec};
use nbaprops_proto::{
    DatePart, EntitySet, Phase, ProcessorLevel, ProcessorResult, RawPayloadRef, ScrapeResult,
};

use crate::executor::Executor;
use crate::planner::{self, TaskInputs};
use crate::task::{Output, Task};

/// Tasks in flight at once, at most (Temporal allows 2,000 pending activities per workflow).
pub const MAX_TASKS_IN_FLIGHT: usize = 200;

/// How a phase runs besides its levels.
#[derive(Debug, Clone, Copy)]
pub struct PhaseOptions {
    /// Check the phase's quality gate after its last level.
    pub gate: bool,
    /// Phase 5: players per batch.
    pub batch_size: usize,
    /// A level of several sources or processors (outside Phase 5) as one task.
    pub one_step_per_level: bool,
}

impl PhaseOptions {
    /// A live day's phase: one task per processor, batches of
    /// `registry::PREDICTION_BATCH_SIZE` players.
    pub fn day(gate: bool) -> Self {
        PhaseOptions {
            gate,
            batch_size: registry::PREDICTION_BATCH_SIZE,
            one_step_per_level: false,
        }
    }

    /// A backfill date's level: the level in one task, a system over all the date's players
    /// in one task (a backfill has dates enough in flight to fill the workers).
    pub fn backfill() -> Self {
        PhaseOptions {
            gate: false,
            batch_size: usize::MAX,
            one_step_per_level: true,
        }
    }
}

/// What a phase (or a backfill date's step) did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PhaseRun {
    /// One result per processor (Phase 5: per system, its batches added up), in plan order.
    pub results: Vec<ProcessorResult>,
    /// Phase 1: what each source fetched.
    pub scrapes: Vec<ScrapeResult>,
    /// Phase 5: the plan's warnings (lines whose player could not be resolved).
    pub plan_warnings: Vec<String>,
    /// The activities it took: tasks, the prediction plan, gates.
    pub activities: u32,
}

impl PhaseRun {
    fn absorb(&mut self, other: PhaseRun) {
        self.results.extend(other.results);
        self.scrapes.extend(other.scrapes);
        self.plan_warnings.extend(other.plan_warnings);
        self.activities += other.activities;
    }
}

/// Runs the levels in order, each level's tasks at once in windows of at most
/// `MAX_TASKS_IN_FLIGHT`. The first window with a failure stops the run, with every failure
/// of that window named (all its tasks have finished by then). The outputs are in task order.
pub async fn run_levels<E: Executor>(
    exec: &E,
    levels: &[Vec<Task>],
) -> Result<Vec<Output>, String> {
    let mut outputs = Vec::new();
    for level in levels {
        for window in level.chunks(MAX_TASKS_IN_FLIGHT) {
            let outcomes = exec.run_window(window).await;
            let mut failures = Vec::new();
            for (task, outcome) in window.iter().zip(outcomes) {
                match outcome {
                    Ok(output) => outputs.push(output),
                    Err(e) => failures.push(task.describe_failure(&e)),
                }
            }
            if !failures.is_empty() {
                return Err(failures.join("; "));
            }
        }
    }
    Ok(outputs)
}

/// One phase of the executor's date: Phase 5 first plans its players (narrowed to the filter's
/// players in incremental runs) and batches them; then the levels through `run_levels`; then
/// the gate when asked. `label` names the work in failures (`phase 3`, `phase 4 level 2`).
pub async fn run_phase<E: Executor>(
    exec: &E,
    phase: Phase,
    levels: &[Vec<ProcessorSpec>],
    payloads: &[RawPayloadRef],
    filter: Option<&EntitySet>,
    options: PhaseOptions,
    label: &str,
) -> Result<PhaseRun, String> {
    let date = exec.context().game_date.clone();
    let mut run = PhaseRun::default();
    let batches = if phase == Phase::Predict && levels.iter().flatten().any(registry::is_batched) {
        let plan = exec
            .plan_predictions()
            .await
            .map_err(|e| format!("{label} of {date}: the prediction plan failed: {e}"))?;
        run.activities += 1;
        run.plan_warnings = plan.warnings;
        let players = planner::players_to_predict(&plan.players, filter);
        planner::batches(&players, options.batch_size)
    } else {
        vec![]
    };
    let tasks = planner::tasks(
        phase,
        levels,
        TaskInputs {
            payloads,
            filter,
            batches: &batches,
            one_step_per_level: options.one_step_per_level,
        },
    );
    run.activities += tasks.iter().map(Vec::len).sum::<usize>() as u32;
    let outputs = run_levels(exec, &tasks)
        .await
        .map_err(|failures| format!("{label} of {date} failed: {failures}"))?;
    if phase == Phase::Predict {
        run.results = system_totals(levels, outputs, &date);
    } else {
        for output in outputs {
            run.results.extend(output.results);
            run.scrapes.extend(output.scrape);
        }
    }
    if options.gate {
        run.activities += 1;
        check_gate(exec, phase, &run.results).await?;
    }
    Ok(run)
}

/// One date of a backfill step: the earlier phase's gate first when it waited for every date,
/// then the step's levels in order, each followed by its phase's gate where it closes the
/// phase on this date.
pub async fn run_date_step<E: Executor>(
    exec: &E,
    gate_before: u32,
    parts: &[DatePart],
) -> Result<PhaseRun, String> {
    let mut run = PhaseRun::default();
    if gate_before != 0 {
        run.activities += 1;
        check_gate(exec, phase_of(gate_before)?, &[]).await?;
    }
    for part in parts {
        let phase = phase_of(part.phase)?;
        if !part.processors.is_empty() {
            let levels = planner::resolve(
                phase,
                &[ProcessorLevel {
                    level: part.level,
                    processors: part.processors.clone(),
                }],
            )?;
            let label = format!("{phase} level {}", part.level);
            let level = run_phase(
                exec,
                phase,
                &levels,
                &[],
                None,
                PhaseOptions::backfill(),
                &label,
            )
            .await?;
            run.absorb(level);
        }
        if part.gate_after {
            run.activities += 1;
            check_gate(exec, phase, &[]).await?;
        }
    }
    Ok(run)
}

fn phase_of(number: u32) -> Result<Phase, String> {
    Phase::from_number(number).ok_or_else(|| format!("there is no phase {number}"))
}

/// The phase's quality gate: an error naming every failed check.
pub async fn check_gate<E: Executor>(
    exec: &E,
    phase: Phase,
    results: &[ProcessorResult],
) -> Result<(), String> {
    let date = &exec.context().game_date;
    let report = exec
        .check_gate(phase, results)
        .await
        .map_err(|e| format!("quality gate after {phase} of {date} could not run: {e}"))?;
    if report.passed {
        Ok(())
    } else {
        Err(format!(
            "quality gate after {phase} of {date} failed: {}",
            report.describe_failures()
        ))
    }
}

/// Phase 5's results: one total per system of the levels (in order, a system without players
/// included), each its batches added up.
fn system_totals(
    levels: &[Vec<ProcessorSpec>],
    outputs: Vec<Output>,
    date: &str,
) -> Vec<ProcessorResult> {
    let mut totals: Vec<ProcessorResult> = levels
        .iter()
        .flatten()
        .map(|s| ProcessorResult {
            processor: s.name.to_string(),
            data_date: date.to_string(),
            entities_changed: Some(EntitySet::default()),
            ..Default::default()
        })
        .collect();
    for result in outputs.into_iter().flat_map(|o| o.results) {
        if let Some(total) = totals.iter_mut().find(|t| t.processor == result.processor) {
            accumulate(total, result);
        }
    }
    totals
}

/// Adds a batch's result into its system's total.
fn accumulate(total: &mut ProcessorResult, batch: ProcessorResult) {
    total.rows_read += batch.rows_read;
    total.rows_written += batch.rows_written;
    total.rows_unchanged += batch.rows_unchanged;
    total.rows_removed += batch.rows_removed;
    let changed = total
        .entities_changed
        .get_or_insert_with(EntitySet::default);
    if let Some(b) = batch.entities_changed {
        changed.players.extend(b.players);
        changed.teams.extend(b.teams);
        changed.games.extend(b.games);
    }
    total.warnings.extend(batch.warnings);
    // Order-independent: batches finish in any order.
    let mut hashes: BTreeSet<String> = total
        .output_hash
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    hashes.insert(batch.output_hash);
    total.output_hash = hashes.into_iter().collect::<Vec<_>>().join(",");
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use nbaprops_proto::{GateReport, PredictionPlan, RunContext};

    use super::*;

    /// An executor that records what it was asked to run and fails the tasks it is told to.
    struct Recording {
        context: RunContext,
        fail: Vec<String>,
        gate_passes: bool,
        log: RefCell<Vec<String>>,
    }

    impl Recording {
        fn new(fail: &[&str], gate_passes: bool) -> Self {
            Recording {
                context: RunContext {
                    correlation_id: "test".into(),
                    game_date: "2025-01-13".into(),
                    ..Default::default()
                },
                fail: fail.iter().map(|s| s.to_string()).collect(),
                gate_passes,
                log: RefCell::new(vec![]),
            }
        }
    }

    impl Executor for Recording {
        fn context(&self) -> &RunContext {
            &self.context
        }

        async fn run_window(&self, tasks: &[Task]) -> Vec<Result<Output, String>> {
            self.log
                .borrow_mut()
                .push(format!("window of {}", tasks.len()));
            tasks
                .iter()
                .map(|t| {
                    let id = t.activity_id();
                    if self.fail.contains(&id) {
                        return Err("boom".to_string());
                    }
                    let name = match t {
                        Task::Scrape(s) | Task::Process { spec: s, .. } => s.name.to_string(),
                        Task::Step { names, .. } => names.join("+"),
                    };
                    Ok(Output::processed(ProcessorResult {
                        processor: name,
                        rows_written: 1,
                        output_hash: id,
                        ..Default::default()
                    }))
                })
                .collect()
        }

        async fn plan_predictions(&self) -> Result<PredictionPlan, String> {
            self.log.borrow_mut().push("plan".into());
            Ok(PredictionPlan {
                players: (0..60).map(|i| i.to_string()).collect(),
                warnings: vec!["one skipped".into()],
                ..Default::default()
            })
        }

        async fn check_gate(
            &self,
            phase: Phase,
            _results: &[ProcessorResult],
        ) -> Result<GateReport, String> {
            self.log.borrow_mut().push(format!("gate {phase}"));
            Ok(GateReport {
                phase: phase.number(),
                passed: self.gate_passes,
                ..Default::default()
            })
        }
    }

    fn day_levels(phase: Phase) -> Vec<Vec<ProcessorSpec>> {
        planner::resolve(phase, planner::levels_of(&registry::day_plan(), phase)).unwrap()
    }

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        futures::executor::block_on(f)
    }

    /// A phase of the day's plan, gated, as a day's child runs it.
    fn run_day_phase(exec: &Recording, phase: Phase) -> Result<PhaseRun, String> {
        let label = phase.to_string();
        block_on(run_phase(
            exec,
            phase,
            &day_levels(phase),
            &[],
            None,
            PhaseOptions::day(true),
            &label,
        ))
    }

    #[test]
    fn phase_5_adds_each_systems_batches_up_and_gates_last() {
        let exec = Recording::new(&[], true);
        let levels = day_levels(Phase::Predict);
        let run = run_day_phase(&exec, Phase::Predict).unwrap();
        let systems = levels.iter().flatten().count();
        assert_eq!(run.results.len(), systems);
        assert_eq!(run.plan_warnings, ["one skipped"]);
        let batched = levels.iter().flatten().filter(|s| registry::is_batched(s));
        for spec in batched {
            let total = run
                .results
                .iter()
                .find(|r| r.processor == spec.name)
                .unwrap();
            assert_eq!(total.rows_written, 3, "60 players in batches of 25");
        }
        let log = exec.log.borrow();
        assert_eq!(log.first().unwrap(), "plan");
        assert_eq!(log.last().unwrap(), "gate phase 5");
    }

    #[test]
    fn a_failure_names_every_failed_task_of_its_window_and_stops_the_levels() {
        let exec = Recording::new(
            &["predict.moving_average.batch-0", "predict.gbm.batch-2"],
            true,
        );
        let err = run_day_phase(&exec, Phase::Predict).unwrap_err();
        assert!(err.starts_with("phase 5 of 2025-01-13 failed: "), "{err}");
        assert!(err.contains("moving_average batch 0: boom"), "{err}");
        assert!(err.contains("gbm batch 2: boom"), "{err}");
        assert!(!exec.log.borrow().iter().any(|l| l.starts_with("gate")));
    }

    #[test]
    fn a_failed_gate_fails_the_phase_after_its_levels() {
        let exec = Recording::new(&[], false);
        let err = run_day_phase(&exec, Phase::Analytics).unwrap_err();
        assert!(
            err.starts_with("quality gate after phase 3 of 2025-01-13 failed"),
            "{err}"
        );
    }

    #[test]
    fn a_backfill_date_runs_its_gates_around_its_levels() {
        let exec = Recording::new(&[], true);
        let parts = vec![
            DatePart {
                phase: 3,
                level: 2,
                processors: vec![
                    "upcoming_player_game_context".into(),
                    "upcoming_team_game_context".into(),
                ],
                gate_after: true,
            },
            DatePart {
                phase: 4,
                level: 1,
                processors: vec![],
                gate_after: true,
            },
        ];
        let run = block_on(run_date_step(&exec, 2, &parts)).unwrap();
        assert_eq!(
            *exec.log.borrow(),
            [
                "gate phase 2",
                "window of 1",
                "gate phase 3",
                "gate phase 4"
            ]
        );
        // Two gates before and after, one step, the last gate.
        assert_eq!(run.activities, 4);
    }
}
