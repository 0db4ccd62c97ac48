//! PhaseWorkflow: one phase (2, 3 or 4) of a day. Runs the processors of the day's plan for the
//! phase level by level; the processors of a level run in parallel, and a level starts only
//! when the previous one has fully succeeded. In incremental mode every processor gets the
//! day's entity filter and recomputes only those entities.

use nbaprops_proto::activities::Process;
use nbaprops_proto::registry::{self, ProcessorSpec};
use nbaprops_proto::{PhaseInput, PhaseResult, ProcessorRequest, RawPayloadRef};
use temporalio_macros::{workflow, workflow_methods};
use temporalio_sdk::workflows::join_all;
use temporalio_sdk::{WorkflowContext, WorkflowResult};

use crate::failures::{describe_activity_error, fail};
use crate::options;

#[workflow]
#[derive(Default)]
pub struct PhaseWorkflow;

/// The Phase 1 payloads a processor reads (`raw:{source}` in the registry).
pub fn payloads_for(spec: &ProcessorSpec, payloads: &[RawPayloadRef]) -> Vec<RawPayloadRef> {
    payloads
        .iter()
        .filter(|p| {
            spec.reads
                .iter()
                .any(|r| r.table().strip_prefix("raw:") == Some(p.source.as_str()))
        })
        .cloned()
        .collect()
}

#[workflow_methods]
impl PhaseWorkflow {
    #[run]
    pub async fn run(
        ctx: &mut WorkflowContext<Self>,
        input: PhaseInput,
    ) -> WorkflowResult<PhaseResult> {
        let Some(context) = input.context.clone() else {
            return Err(fail("PhaseWorkflow: input has no run context".into()));
        };
        // The day's plan; histories from before plans ran the registry of their time.
        let planned = if input.levels.is_empty() {
            crate::legacy::phase_levels(input.phase, false)
        } else {
            input.levels.clone()
        };
        let mut levels: Vec<Vec<ProcessorSpec>> = Vec::new();
        for level in &planned {
            let mut specs = Vec::new();
            for name in &level.processors {
                match registry::get(name) {
                    Some(spec) if spec.phase == input.phase => specs.push(spec),
                    _ => {
                        return Err(fail(format!(
                            "processor {name} of the phase {} plan is not in this worker's \
                             registry",
                            input.phase
                        )))
                    }
                }
            }
            levels.push(specs);
        }
        if levels.iter().all(Vec::is_empty) {
            return Err(fail(format!(
                "phase {} has no processors in the day's plan",
                input.phase
            )));
        }
        let mut processors = Vec::new();
        for level in levels {
            for chunk in level.chunks(options::MAX_ACTIVITIES_IN_FLIGHT) {
                let runs = chunk.iter().map(|spec| {
                    let req = ProcessorRequest {
                        context: Some(context.clone()),
                        processor: spec.name.to_string(),
                        raw_payloads: payloads_for(spec, &input.raw_payloads),
                        entity_filter: input.entity_filter.clone(),
                    };
                    ctx.execute_activity(Process, req, options::process(spec.activity_id()))
                });
                let results = join_all(runs).await;
                // Every processor of the level has finished (or failed) before we decide, so
                // the failure names all of them, not only the first.
                let mut failures = Vec::new();
                for (spec, result) in chunk.iter().zip(results) {
                    match result {
                        Ok(r) => processors.push(r),
                        Err(e) => {
                            failures.push(format!("{}: {}", spec.name, describe_activity_error(&e)))
                        }
                    }
                }
                if !failures.is_empty() {
                    return Err(fail(format!(
                        "phase {} of {} failed; dependent phases did not run. {}",
                        input.phase,
                        context.game_date,
                        failures.join("; ")
                    )));
                }
            }
        }
        Ok(PhaseResult {
            phase: input.phase,
            processors,
            scrapes: vec![],
        })
    }
}
