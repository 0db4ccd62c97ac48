//! The date's HTML report, written by the day after its main run and each rerun (`morning`)
//! and by GradingWorkflow (`graded`) through the `write_report` activity. A report that cannot
//! be written is left out (its failed attempts are in the history and the worker's log): the
//! predictions and grades it shows are already stored, so it never fails what wrote it. Behind the `report` patch (docs/versioning.md): histories
//! recorded before it replay without the activity.

use nbaprops_proto::activities::WriteReport;
use nbaprops_proto::{DayState, Mode, ReportRequest, RunContext};
use temporalio_sdk::WorkflowContext;

/// Writes the date's report of `kind`; its location, or `None` when the workflow predates the
/// step or the report could not be written.
pub async fn write<W>(
    ctx: &WorkflowContext<W>,
    context: &RunContext,
    kind: &str,
    activity_id: String,
) -> Option<String> {
    if !ctx.patched("report") {
        return None;
    }
    let written = ctx
        .execute_activity(
            WriteReport,
            ReportRequest {
                context: Some(context.clone()),
                kind: kind.to_string(),
            },
            crate::options::report(activity_id),
        )
        .await;
    written.ok().map(|r| r.location)
}

/// The day's morning report after its main run or a rerun, its location kept in the day's
/// state (the `state` query, `status`). A backfill's day writes none.
pub async fn write_morning<W: AsMut<DayState>>(
    ctx: &WorkflowContext<W>,
    context: &RunContext,
    activity_id: String,
) {
    if context.mode() == Mode::Backfill {
        return;
    }
    if let Some(location) = write(ctx, context, "morning", activity_id).await {
        ctx.state_mut(|s| s.as_mut().report = location);
    }
}
