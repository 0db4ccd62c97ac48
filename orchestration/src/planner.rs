//! The planner: pure functions from a plan (a phase's levels of processor names) to tasks.
//! Nothing here waits, fetches or reads a clock, so the workflows call it freely and a test
//! can check every shape.

use nbaprops_proto::registry::{self, ProcessorSpec};
use nbaprops_proto::{DayPlan, EntitySet, Phase, ProcessorLevel, RawPayloadRef};

use crate::task::{payloads_for, Task};

/// A phase's levels in a day's plan (none when the plan leaves the phase out).
pub fn levels_of(plan: &DayPlan, phase: Phase) -> &[ProcessorLevel] {
    plan.phases
        .iter()
        .find(|p| p.phase == phase.number())
        .map_or(&[], |p| p.levels.as_slice())
}

/// The processors of a phase's planned levels, looked up in this worker's registry. A name the
/// registry does not know, or knows in another phase, is an error: the plan came from another
/// version of the registry.
pub fn resolve(phase: Phase, levels: &[ProcessorLevel]) -> Result<Vec<Vec<ProcessorSpec>>, String> {
    let resolved: Vec<Vec<ProcessorSpec>> = levels
        .iter()
        .map(|level| {
            level
                .processors
                .iter()
                .map(|name| match registry::get(name) {
                    Some(spec) if spec.phase == phase.number() => Ok(spec),
                    _ => Err(format!(
                        "processor {name} of the {phase} plan is not in this worker's registry"
                    )),
                })
                .collect::<Result<Vec<_>, String>>()
        })
        .collect::<Result<_, String>>()?;
    if resolved.iter().all(Vec::is_empty) {
        return Err(format!("{phase} has no processors in its plan"));
    }
    Ok(resolved)
}

/// The players a prediction run covers: the plan's, narrowed to the filter's players when an
/// incremental run names some.
pub fn players_to_predict(planned: &[String], filter: Option<&EntitySet>) -> Vec<String> {
    match filter {
        Some(f) if !f.players.is_empty() => planned
            .iter()
            .filter(|p| f.players.contains(p))
            .cloned()
            .collect(),
        _ => planned.to_vec(),
    }
}

/// Batches of at most `size` players, in order.
pub fn batches(players: &[String], size: usize) -> Vec<Vec<String>> {
    players
        .chunks(size.max(1))
        .map(<[String]>::to_vec)
        .collect()
}

/// What a phase's tasks are made from besides its levels.
#[derive(Debug, Clone, Copy, Default)]
pub struct TaskInputs<'a> {
    /// Phase 1 payloads, handed to the Phase 2 processors of their sources.
    pub payloads: &'a [RawPayloadRef],
    /// Incremental runs: the entities Phases 2-4 recompute.
    pub filter: Option<&'a EntitySet>,
    /// Phase 5: the batches of players each batched system runs over.
    pub batches: &'a [Vec<String>],
    /// A level of several sources or processors (outside Phase 5) as one `Step` task.
    pub one_step_per_level: bool,
}

/// The tasks of a phase's levels, level by level: Phase 1's sources are scrapes; a Phase 5
/// system runs once per batch of players and a per-date step (training) once; every other
/// processor runs once over the date (or the filter).
pub fn tasks(
    phase: Phase,
    levels: &[Vec<ProcessorSpec>],
    inputs: TaskInputs<'_>,
) -> Vec<Vec<Task>> {
    levels
        .iter()
        .filter(|level| !level.is_empty())
        .map(|level| {
            if inputs.one_step_per_level && level.len() > 1 && phase != Phase::Predict {
                return vec![Task::Step {
                    phase,
                    names: level.iter().map(|s| s.name.to_string()).collect(),
                }];
            }
            level
                .iter()
                .flat_map(|spec| spec_tasks(phase, spec, &inputs))
                .collect()
        })
        .collect()
}

fn spec_tasks(phase: Phase, spec: &ProcessorSpec, inputs: &TaskInputs<'_>) -> Vec<Task> {
    if phase == Phase::Scrape {
        return vec![Task::Scrape(*spec)];
    }
    if registry::is_batched(spec) {
        return inputs
            .batches
            .iter()
            .enumerate()
            .map(|(b, players)| Task::Process {
                spec: *spec,
                batch: Some(b),
                payloads: vec![],
                filter: Some(EntitySet {
                    players: players.clone(),
                    ..Default::default()
                }),
            })
            .collect();
    }
    vec![Task::Process {
        spec: *spec,
        batch: None,
        payloads: payloads_for(spec, inputs.payloads),
        filter: if phase == Phase::Predict {
            None
        } else {
            inputs.filter.cloned()
        },
    }]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(processors: &[&str]) -> ProcessorLevel {
        ProcessorLevel {
            level: 1,
            processors: processors.iter().map(|p| p.to_string()).collect(),
        }
    }

    fn names(levels: &[Vec<Task>]) -> Vec<Vec<String>> {
        levels
            .iter()
            .map(|l| l.iter().map(Task::activity_id).collect())
            .collect()
    }

    #[test]
    fn unknown_or_misplaced_processors_are_refused() {
        let err = resolve(Phase::Raw, &[level(&["no_such_processor"])]).unwrap_err();
        assert!(err.contains("no_such_processor"), "{err}");
        let err = resolve(Phase::Raw, &[level(&["player_game_summary"])]).unwrap_err();
        assert!(err.contains("phase 2"), "{err}");
        assert!(resolve(Phase::Raw, &[]).is_err());
    }

    #[test]
    fn a_phase_5_system_runs_per_batch_and_training_once() {
        let plan = registry::day_plan();
        let levels = resolve(Phase::Predict, levels_of(&plan, Phase::Predict)).unwrap();
        let players: Vec<String> = (0..30).map(|i| format!("p{i}")).collect();
        let batches = batches(&players, 25);
        assert_eq!(batches.len(), 2);
        let tasks = tasks(
            Phase::Predict,
            &levels,
            TaskInputs {
                batches: &batches,
                ..Default::default()
            },
        );
        let ids = names(&tasks);
        assert_eq!(ids[0], ["predict.gbm_train"], "training first, once");
        assert!(ids[1].contains(&"predict.moving_average.batch-1".to_string()));
        let per_system = levels[1].len() * 2;
        assert_eq!(ids[1].len(), per_system);
        // The last level (the ensemble) runs after every system.
        assert!(ids.last().unwrap().iter().all(|i| i.contains("ensemble")));
    }

    #[test]
    fn a_backfill_level_is_one_step_and_phase_1_scrapes() {
        let plan = registry::day_plan();
        let levels = resolve(Phase::Scrape, levels_of(&plan, Phase::Scrape)).unwrap();
        let day = tasks(Phase::Scrape, &levels, TaskInputs::default());
        assert!(day.iter().flatten().all(|t| matches!(t, Task::Scrape(_))));
        let backfill = tasks(
            Phase::Scrape,
            &levels,
            TaskInputs {
                one_step_per_level: true,
                ..Default::default()
            },
        );
        for (d, b) in day.iter().zip(&backfill) {
            if d.len() > 1 {
                assert!(matches!(b.as_slice(), [Task::Step { .. }]));
            } else {
                assert_eq!(d, b);
            }
        }
    }

    #[test]
    fn incremental_filters_reach_phases_2_to_4_and_payloads_their_readers() {
        let plan = registry::day_plan();
        let levels = resolve(Phase::Raw, levels_of(&plan, Phase::Raw)).unwrap();
        let payloads = vec![RawPayloadRef {
            source: "nbac_schedule".into(),
            ..Default::default()
        }];
        let filter = EntitySet {
            players: vec!["1".into()],
            ..Default::default()
        };
        let tasks = tasks(
            Phase::Raw,
            &levels,
            TaskInputs {
                payloads: &payloads,
                filter: Some(&filter),
                ..Default::default()
            },
        );
        for task in tasks.iter().flatten() {
            let Task::Process {
                spec,
                payloads,
                filter: f,
                ..
            } = task
            else {
                panic!("{task:?}")
            };
            assert_eq!(f.as_ref(), Some(&filter));
            assert_eq!(
                payloads.len(),
                usize::from(spec.reads_table("raw:nbac_schedule")),
                "{}",
                spec.name
            );
        }
    }
}
