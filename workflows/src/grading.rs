//! GradingWorkflow (id `grade-{date}`): after the day, the live predictions of a game date
//! against what happened.
//!
//! One `process` activity runs the registry's grading processor (`grade.prediction_grades`).
//! Until every game of the date has box scores it fails with the retryable `not_ready`, and
//! its retry policy (`options::grade`) looks again every 20 minutes for up to 12 hours: the
//! waiting is Temporal's, in the activity's retry state, not a loop here. Then the
//! `summarize_grades` activity reads the stored grades back as per-system numbers.
//!
//! Grading is not part of a day (`registry::PHASES`); a schedule or `nbaprops grade` starts it
//! once the day after has brought the box scores in.

use nbaprops_proto::activities::{Process, SummarizeGrades};
use nbaprops_proto::registry;
use nbaprops_proto::{GradeInput, GradeResult, Mode, ProcessorRequest, RunContext, Trigger};
use temporalio_macros::{workflow, workflow_methods};
use temporalio_sdk::{WorkflowContext, WorkflowResult};

use crate::failures::{describe_activity_error, fail};
use crate::options;

/// The grading processor of the registry.
pub const GRADER: &str = "prediction_grades";

#[workflow]
#[derive(Default)]
pub struct GradingWorkflow;

/// The run context of a grading run: the workflow id is the correlation id.
pub fn run_context(workflow_id: &str, input: &GradeInput) -> RunContext {
    RunContext {
        lines_as_of: String::new(),
        correlation_id: workflow_id.to_string(),
        game_date: input.game_date.clone(),
        mode: Mode::Full as i32,
        trigger: match input.trigger() {
            Trigger::Unspecified => Trigger::Manual,
            t => t,
        } as i32,
    }
}

#[workflow_methods]
impl GradingWorkflow {
    #[run]
    pub async fn run(
        ctx: &mut WorkflowContext<Self>,
        input: GradeInput,
    ) -> WorkflowResult<GradeResult> {
        if let Err(e) = nbaprops_proto::validate_game_date(&input.game_date) {
            return Err(fail(format!("GradingWorkflow input: {e}")));
        }
        let context = run_context(ctx.workflow_id(), &input);
        // Search attributes (`search.rs`), set by the workflow so a scheduled run has them too.
        ctx.upsert_search_attributes(crate::search::updates(
            &context,
            Some(registry::GRADING_PHASE),
        ));
        let Some(spec) = registry::get(GRADER).filter(|s| s.phase == registry::GRADING_PHASE)
        else {
            return Err(fail(format!(
                "{GRADER} is not a phase {} processor in this worker's registry",
                registry::GRADING_PHASE
            )));
        };
        let grading = ctx
            .execute_activity(
                Process,
                ProcessorRequest {
                    context: Some(context.clone()),
                    processor: spec.name.to_string(),
                    raw_payloads: vec![],
                    entity_filter: None,
                },
                options::grade(spec.activity_id()),
            )
            .await
            .map_err(|e| {
                fail(format!(
                    "grading {} failed: {}",
                    context.game_date,
                    describe_activity_error(&e)
                ))
            })?;
        let mut result = ctx
            .execute_activity(
                SummarizeGrades,
                context.clone(),
                options::process(format!("{}.summary", registry::phase_prefix(spec.phase))),
            )
            .await?;
        result.game_date = context.game_date.clone();
        result.correlation_id = context.correlation_id.clone();
        result.grading = Some(grading);
        result.report = crate::report::write(ctx, &context, "graded", "grade.report".to_string())
            .await
            .unwrap_or_default();
        Ok(result)
    }
}
