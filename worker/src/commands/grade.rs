//! Starting a date's grading and waiting for it.

use std::time::Duration;

use anyhow::{Context, Result};
use nbaprops_proto::{GradeInput, GradeResult, Trigger};
use nbaprops_workflows::{grading, ids, search, GradingWorkflow};
use temporalio_client::{
    Client, WorkflowGetResultOptions, WorkflowIdConflictPolicy, WorkflowIdReusePolicy,
    WorkflowStartOptions,
};

/// Starts the grading workflow of a date (or attaches to the running one, which may be waiting
/// for the date's box scores) and, with `wait`, waits for its result.
pub async fn run_grade(
    client: &Client,
    task_queue: &str,
    date: &str,
    wait: bool,
) -> Result<Option<GradeResult>> {
    nbaprops_proto::validate_game_date(date).map_err(anyhow::Error::msg)?;
    let id = ids::grade_workflow_id(date);
    let input = GradeInput {
        game_date: date.to_string(),
        trigger: Trigger::Manual as i32,
    };
    let attributes = search::attributes(
        &grading::run_context(&id, &input),
        Some(nbaprops_proto::registry::GRADING_PHASE),
    );
    let handle = client
        .start_workflow(
            GradingWorkflow::run,
            input,
            WorkflowStartOptions::new(task_queue, &id)
                .search_attributes(attributes)
                // Like a day: a second start attaches; after it closed, a start grades again
                // (idempotent: unchanged grades stay untouched).
                .id_conflict_policy(WorkflowIdConflictPolicy::UseExisting)
                .id_reuse_policy(WorkflowIdReusePolicy::AllowDuplicate)
                // Up to 12 hours waiting for box scores, and some room after it.
                .execution_timeout(Duration::from_secs(13 * 3600))
                .build(),
        )
        .await
        .with_context(|| format!("starting {id}"))?;
    if !wait {
        return Ok(None);
    }
    super::through_outages(&id, None, || {
        handle.get_result(WorkflowGetResultOptions::default())
    })
    .await
    .map(Some)
}
