//! PredictionWorkflow: Phase 5 of a day. Plans the players with a line, then runs every
//! prediction system of the registry over bounded batches of them, at most
//! `MAX_ACTIVITIES_IN_FLIGHT` activities at a time. Progress lives in the workflow's history:
//! a worker that dies mid-batch loses nothing, and the finished batches are not rerun.

use std::collections::BTreeSet;

use nbaprops_proto::activities::{PlanPredictions, Process};
use nbaprops_proto::registry::{self, phase_prefix};
use nbaprops_proto::{EntitySet, PhaseInput, PhaseResult, ProcessorRequest, ProcessorResult};
use temporalio_macros::{workflow, workflow_methods};
use temporalio_sdk::workflows::join_all;
use temporalio_sdk::{WorkflowContext, WorkflowResult};

use crate::failures::{describe_activity_error, fail};
use crate::options;

#[workflow]
#[derive(Default)]
pub struct PredictionWorkflow;

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
        let tasks: Vec<(usize, usize)> = (0..systems.len())
            .flat_map(|s| (0..batches.len()).map(move |b| (s, b)))
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

        for window in tasks.chunks(options::MAX_ACTIVITIES_IN_FLIGHT) {
            let runs = window.iter().map(|(s, b)| {
                let spec = &systems[*s];
                let req = ProcessorRequest {
                    context: Some(context.clone()),
                    processor: spec.name.to_string(),
                    raw_payloads: vec![],
                    entity_filter: Some(EntitySet {
                        players: batches[*b].clone(),
                        ..Default::default()
                    }),
                };
                ctx.execute_activity(
                    Process,
                    req,
                    options::process(format!("{}.batch-{b}", spec.activity_id())),
                )
            });
            let results = join_all(runs).await;
            let mut failures = Vec::new();
            for ((s, b), result) in window.iter().zip(results) {
                match result {
                    Ok(r) => accumulate(&mut totals[*s], r),
                    Err(e) => failures.push(format!(
                        "{} batch {b}: {}",
                        systems[*s].name,
                        describe_activity_error(&e)
                    )),
                }
            }
            if !failures.is_empty() {
                return Err(fail(format!(
                    "predictions for {} failed: {}",
                    context.game_date,
                    failures.join("; ")
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
