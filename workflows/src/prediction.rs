//! PredictionWorkflow: Phase 5 of a day. Plans the players with a line, then runs the day's
//! plan of Phase 5 level by level: a per-date step once (training the model on the history
//! before the date), every system over bounded batches of the players, at most
//! `MAX_ACTIVITIES_IN_FLIGHT` activities at a time, and the ensemble over the same batches
//! last. A quality gate checks the batch at the end. Progress lives in the workflow's history:
//! a worker that dies mid-batch loses nothing, and the finished batches are not rerun.

use std::collections::BTreeSet;

use nbaprops_proto::activities::{CheckQuality, PlanPredictions, Process};
use nbaprops_proto::registry::ProcessorSpec;
use nbaprops_proto::registry::{self, phase_prefix};
use nbaprops_proto::{
    EntitySet, GateRequest, PhaseInput, PhaseResult, ProcessorRequest, ProcessorResult, RunContext,
};
use temporalio_macros::{workflow, workflow_methods};
use temporalio_sdk::workflows::join_all;
use temporalio_sdk::{WorkflowContext, WorkflowResult};

use crate::failures::{describe_activity_error, fail};
use crate::options;

#[workflow]
#[derive(Default)]
pub struct PredictionWorkflow;

/// Levels (per-date training, systems, ensemble) and the gate after them came after the first
/// histories, which ran every system of the plan at once.
pub const PATCH_PREDICTION_LEVELS: &str = "prediction-levels";

/// One activity of the phase: a processor over a batch of players, or over the whole date.
pub(crate) struct Task {
    pub system: usize,
    pub batch: Option<usize>,
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
    }
    total.warnings.extend(batch.warnings);
    // Order-independent: batches finish in any order on replay-equal histories.
    let mut hashes: BTreeSet<String> = total
        .output_hash
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    hashes.insert(batch.output_hash);
    total.output_hash = hashes.into_iter().collect::<Vec<_>>().join(",");
}

#[workflow_methods]
impl PredictionWorkflow {
    #[run]
    pub async fn run(
        ctx: &mut WorkflowContext<Self>,
        input: PhaseInput,
    ) -> WorkflowResult<PhaseResult> {
        let Some(context) = input.context.clone() else {
            return Err(fail("PredictionWorkflow: input has no run context".into()));
        };
        let plan = ctx
            .execute_activity(
                PlanPredictions,
                context.clone(),
                options::process(format!("{}.plan", phase_prefix(5))),
            )
            .await?;

        // The day's plan; histories from before plans ran the registry of their time.
        let planned = if input.levels.is_empty() {
            crate::legacy::phase_levels(5, false)
        } else {
            input.levels.clone()
        };
        let mut systems = Vec::new();
        for name in planned.iter().flat_map(|l| l.processors.iter()) {
            match registry::get(name) {
                Some(spec) if spec.phase == 5 => systems.push(spec),
                _ => {
                    return Err(fail(format!(
                        "prediction system {name} of the plan is not in this worker's registry"
                    )))
                }
            }
        }
        if systems.is_empty() {
            return Err(fail("phase 5 has no prediction systems in its plan".into()));
        }
        // Incremental mode: only the affected players are predicted again.
        let players: Vec<String> = match input.entity_filter.as_ref() {
            Some(f) if !f.players.is_empty() => plan
                .players
                .iter()
                .filter(|p| f.players.contains(p))
                .cloned()
                .collect(),
            _ => plan.players.clone(),
        };
        let batches: Vec<Vec<String>> = players
            .chunks(options::PREDICTION_BATCH_SIZE)
            .map(<[String]>::to_vec)
            .collect();

        let mut totals: Vec<ProcessorResult> = systems
            .iter()
            .map(|s| ProcessorResult {
                processor: s.name.to_string(),
                data_date: context.game_date.clone(),
                entities_changed: Some(EntitySet::default()),
                ..Default::default()
            })
            .collect();
        totals[0].warnings.extend(plan.warnings.iter().cloned());

        // Groups of tasks run in order; the tasks of a group run at once (in windows).
        let mut groups: Vec<Vec<Task>> = Vec::new();
        let levelled = ctx.patched(PATCH_PREDICTION_LEVELS);
        if levelled {
            groups = level_groups(&systems, batches.len());
        } else {
            groups.push(
                (0..systems.len())
                    .flat_map(|s| {
                        (0..batches.len()).map(move |b| Task {
                            system: s,
                            batch: Some(b),
                        })
                    })
                    .collect(),
            );
        }

        if let Err(failures) =
            run_groups(ctx, &context, &systems, &batches, &groups, &mut totals).await
        {
            return Err(fail(format!(
                "predictions for {} failed: {failures}",
                context.game_date
            )));
        }

        if levelled {
            let report = ctx
                .execute_activity(
                    CheckQuality,
                    GateRequest {
                        context: Some(context.clone()),
                        phase: 5,
                        results: totals.clone(),
                    },
                    options::process("gate.phase-5".to_string()),
                )
                .await?;
            if !report.passed {
                return Err(fail(format!(
                    "quality gate after phase 5 of {} failed (the predictions are written; \
                     check them before use). {}",
                    context.game_date,
                    report.describe_failures()
                )));
            }
        }
        Ok(PhaseResult {
            phase: 5,
            processors: totals,
            scrapes: vec![],
        })
    }
}

/// The tasks of each level of `systems`, levels ascending: a per-date step once, every other
/// system once per batch.
pub(crate) fn level_groups(systems: &[ProcessorSpec], batches: usize) -> Vec<Vec<Task>> {
    let mut levels: Vec<u32> = systems.iter().map(|s| s.level).collect();
    levels.sort_unstable();
    levels.dedup();
    let mut groups = Vec::new();
    for level in levels {
        let mut group = Vec::new();
        for (i, spec) in systems.iter().enumerate().filter(|(_, s)| s.level == level) {
            if registry::is_batched(spec) {
                group.extend((0..batches).map(|b| Task {
                    system: i,
                    batch: Some(b),
                }));
            } else {
                group.push(Task {
                    system: i,
                    batch: None,
                });
            }
        }
        groups.push(group);
    }
    groups
}

/// Runs the groups in order, the tasks of a group at once in windows of
/// `MAX_ACTIVITIES_IN_FLIGHT`, adding each result into its system's total. The first window
/// with a failure stops it, with every failure of that window described.
pub(crate) async fn run_groups<W>(
    ctx: &WorkflowContext<W>,
    context: &RunContext,
    systems: &[ProcessorSpec],
    batches: &[Vec<String>],
    groups: &[Vec<Task>],
    totals: &mut [ProcessorResult],
) -> Result<(), String> {
    for group in groups {
        for window in group.chunks(options::MAX_ACTIVITIES_IN_FLIGHT) {
            let runs = window.iter().map(|t| {
                let spec = &systems[t.system];
                ctx.execute_activity(
                    Process,
                    request(context, spec, t.batch.map(|b| &batches[b])),
                    options::process(match t.batch {
                        Some(b) => format!("{}.batch-{b}", spec.activity_id()),
                        None => spec.activity_id(),
                    }),
                )
            });
            let results = join_all(runs).await;
            let mut failures = Vec::new();
            for (t, result) in window.iter().zip(results) {
                match result {
                    Ok(r) => accumulate(&mut totals[t.system], r),
                    Err(e) => failures.push(format!(
                        "{} {}: {}",
                        systems[t.system].name,
                        t.batch
                            .map_or("(date)".to_string(), |b| format!("batch {b}")),
                        describe_activity_error(&e)
                    )),
                }
            }
            if !failures.is_empty() {
                return Err(failures.join("; "));
            }
        }
    }
    Ok(())
}

/// The request of one task: a batch of players, or the whole date.
pub(crate) fn request(
    context: &RunContext,
    spec: &ProcessorSpec,
    batch: Option<&Vec<String>>,
) -> ProcessorRequest {
    ProcessorRequest {
        context: Some(context.clone()),
        processor: spec.name.to_string(),
        raw_payloads: vec![],
        entity_filter: batch.map(|players| EntitySet {
            players: players.clone(),
            ..Default::default()
        }),
    }
}
