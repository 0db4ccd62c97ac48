//! ScheduledStartWorkflow: what a Temporal Schedule starts (`nbaprops schedules apply`).
//!
//! A schedule's action can only start a workflow with a fixed id prefix (the server appends the
//! action's timestamp: `schedule-day-2025-11-28T11:00:00Z`), never `day-{date}`. So the
//! schedules start this tiny workflow, which
//! 1. takes the action's nominal time from the `TemporalScheduledStartTime` search attribute
//!    the server sets on every scheduled run (its own start time when there is none), so a
//!    run caught up late after an outage still picks the date it was scheduled for,
//! 2. turns it into the America/New_York date, plus the target's offset (grading at 04:00 is
//!    for the previous date: -1),
//! 3. starts `day-{date}` (or `grade-{date}`) as a child with `ParentClosePolicy::Abandon`,
//!    with `trigger: schedule` and its search attributes, and completes.
//!
//! The target keeps the id a manual run uses, so the two never both run: when `day-{date}`
//! is already running (started by hand), the child start fails with "already exists" and this
//! workflow completes saying so; a manual start while the scheduled day runs attaches to it
//! (`nbaprops run day` uses `WorkflowIdConflictPolicy::UseExisting`). A day that already
//! closed runs again, as a manual start would (idempotent: unchanged rows stay untouched).
//!
//! The alternative (the DayWorkflow deriving its date from the schedule when `game_date` is
//! empty) would run under the schedule's id, beside a manual `day-{date}`: rejected.

use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use nbaprops_proto::{DayInput, GradeInput, Mode, Trigger};
use serde::{Deserialize, Serialize};
use temporalio_common::search_attributes::{SearchAttributeKey, Timestamp};
use temporalio_macros::{workflow, workflow_methods};
use temporalio_sdk::{ChildWorkflowOptions, WorkflowContext, WorkflowResult};
use temporalio_workflow::{
    ChildWorkflowStartError, ParentClosePolicy, StartChildWorkflowExecutionFailedCause,
};

use crate::failures::fail;
use crate::{day, grading, ids, search, DayWorkflow, GradingWorkflow};

/// Set by the server on every workflow a schedule starts: the action's nominal time.
pub const SCHEDULED_START_TIME: SearchAttributeKey<Timestamp> =
    SearchAttributeKey::datetime("TemporalScheduledStartTime");

/// The `phase` search attribute of a starter.
pub const STARTER_PHASE: &str = "starter";

/// The day's own execution timeout (as `nbaprops run day` sets it): the day stays open for
/// injury updates until the last tip-off, late in the evening, across continue-as-new.
pub const DAY_TIMEOUT: Duration = Duration::from_secs(24 * 3600);
/// Grading waits up to 12 hours for box scores, and some room after it.
pub const GRADE_TIMEOUT: Duration = Duration::from_secs(13 * 3600);

/// What a schedule starts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduledStart {
    /// `day` or `grade`.
    pub target: String,
    /// Added to the America/New_York date of the nominal time (grading: -1).
    #[serde(default)]
    pub date_offset_days: i32,
}

/// What it did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduledStartResult {
    pub workflow_id: String,
    pub game_date: String,
    /// `started`, or `already running`.
    pub outcome: String,
}

/// The game date a schedule's nominal time stands for: its America/New_York date plus the
/// offset.
pub fn game_date_at(nominal: SystemTime, offset_days: i32) -> String {
    let utc: DateTime<Utc> = nominal.into();
    let local = utc
        .with_timezone(&chrono_tz::America::New_York)
        .date_naive();
    (local + chrono::Duration::days(offset_days as i64))
        .format("%Y-%m-%d")
        .to_string()
}

/// The time a scheduled run stands for: the action's nominal time when a schedule started it,
/// else the workflow's own time.
pub fn nominal_time<W>(ctx: &WorkflowContext<W>) -> Option<SystemTime> {
    ctx.search_attributes()
        .get(&SCHEDULED_START_TIME)
        .and_then(|t| SystemTime::try_from(t).ok())
        .or_else(|| ctx.workflow_time())
}

#[workflow]
#[derive(Default)]
pub struct ScheduledStartWorkflow;

fn child_options(
    id: &str,
    timeout: Duration,
    attributes: temporalio_common::search_attributes::SearchAttributes,
) -> ChildWorkflowOptions {
    ChildWorkflowOptions::builder()
        .workflow_id(id.to_string())
        // The day outlives this starter.
        .parent_close_policy(ParentClosePolicy::Abandon)
        .execution_timeout(timeout)
        .search_attributes(attributes)
        .build()
}

fn outcome<T>(
    id: &str,
    date: &str,
    started: Result<T, ChildWorkflowStartError>,
) -> WorkflowResult<ScheduledStartResult> {
    let outcome = match started {
        Ok(_) => "started",
        Err(ChildWorkflowStartError::StartFailed {
            cause: StartChildWorkflowExecutionFailedCause::WorkflowAlreadyExists,
            ..
        }) => "already running",
        Err(e) => {
            return Err(fail(format!(
                "the schedule could not start {id} for {date}: {e}"
            )))
        }
    };
    Ok(ScheduledStartResult {
        workflow_id: id.to_string(),
        game_date: date.to_string(),
        outcome: outcome.to_string(),
    })
}

#[workflow_methods]
impl ScheduledStartWorkflow {
    #[run]
    pub async fn run(
        ctx: &mut WorkflowContext<Self>,
        input: ScheduledStart,
    ) -> WorkflowResult<ScheduledStartResult> {
        let nominal = nominal_time(ctx).ok_or_else(|| {
            fail("ScheduledStartWorkflow: no scheduled time and no workflow time".to_string())
        })?;
        let date = game_date_at(nominal, input.date_offset_days);
        // Searchable by the date it started (`phase = "starter"`: it runs no phase itself).
        let mut updates = search::updates(
            &nbaprops_proto::RunContext {
                lines_as_of: String::new(),
                correlation_id: ctx.workflow_id().to_string(),
                game_date: date.clone(),
                mode: Mode::Full as i32,
                trigger: Trigger::Schedule as i32,
            },
            None,
        );
        updates.retain(|u| u.name() != search::PHASE.name());
        updates.push(search::PHASE.value_set(STARTER_PHASE.to_string()));
        ctx.upsert_search_attributes(updates);
        match input.target.as_str() {
            "day" => {
                let id = ids::day_workflow_id(&date);
                let day_input = DayInput {
                    game_date: date.clone(),
                    mode: Mode::Full as i32,
                    trigger: Trigger::Schedule as i32,
                    ..Default::default()
                };
                let attributes = search::attributes(&day::run_context(&id, &day_input), None);
                let started = ctx
                    .start_child_workflow(
                        DayWorkflow::run,
                        day_input,
                        child_options(&id, DAY_TIMEOUT, attributes),
                    )
                    .await;
                outcome(&id, &date, started)
            }
            "grade" => {
                let id = ids::grade_workflow_id(&date);
                let grade_input = GradeInput {
                    game_date: date.clone(),
                    trigger: Trigger::Schedule as i32,
                };
                let attributes = search::attributes(
                    &grading::run_context(&id, &grade_input),
                    Some(nbaprops_proto::registry::GRADING_PHASE),
                );
                let started = ctx
                    .start_child_workflow(
                        GradingWorkflow::run,
                        grade_input,
                        child_options(&id, GRADE_TIMEOUT, attributes),
                    )
                    .await;
                outcome(&id, &date, started)
            }
            other => Err(fail(format!(
                "ScheduledStartWorkflow: unknown target {other:?} (day or grade) for {date}"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(rfc3339: &str) -> SystemTime {
        DateTime::parse_from_rfc3339(rfc3339).unwrap().into()
    }

    #[test]
    fn the_date_is_new_york_s_whatever_the_utc_date() {
        // 06:00 EST is 11:00 UTC, same date.
        assert_eq!(game_date_at(at("2025-11-28T11:00:00Z"), 0), "2025-11-28");
        // 04:00 EDT on 2025-10-22 is 08:00 UTC: grading is for 2025-10-21.
        assert_eq!(game_date_at(at("2025-10-22T08:00:00Z"), -1), "2025-10-21");
        // 23:30 in New York is already the next day in UTC.
        assert_eq!(game_date_at(at("2025-11-29T04:30:00Z"), 0), "2025-11-28");
        // Across the DST change (2025-11-02 01:00 EST after 01:59 EDT).
        assert_eq!(game_date_at(at("2025-11-02T09:00:00Z"), -1), "2025-11-01");
    }
}
