//! Timeouts and retry policies, in one place. Retryable failures (network, 429, 5xx) back off
//! exponentially; the error types that are not `ErrorType::retryable` are never retried,
//! whatever the activity says.

use std::time::Duration;

use nbaprops_proto::Phase;
use temporalio_common::RetryPolicy;
use temporalio_sdk::{ActivityCloseTimeouts, ActivityOptions, ChildWorkflowOptions};

fn retry_policy(max_attempts: u32) -> RetryPolicy {
    RetryPolicy::builder()
        .initial_interval(Duration::from_secs(1))
        .backoff_coefficient(2.0)
        .maximum_interval(Duration::from_secs(30))
        .maximum_attempts(max_attempts)
        .non_retryable_error_types(nbaprops_proto::error_types::non_retryable_error_types())
        .build()
}

/// Activities heartbeat every 2 s; one silent this long is on a dead worker and is retried.
const HEARTBEAT_TIMEOUT: Duration = Duration::from_secs(10);

/// Phase 1: HTTP fetches. Sources rate-limit and fail transiently, so they get more attempts.
pub fn scrape(activity_id: String) -> ActivityOptions {
    ActivityOptions::with_start_to_close_timeout(Duration::from_secs(120))
        .heartbeat_timeout(HEARTBEAT_TIMEOUT)
        .retry_policy(retry_policy(6))
        .activity_id(activity_id.clone())
        .summary(activity_id)
        .build()
}

/// Phases 2-5: local computation over the warehouse.
pub fn process(activity_id: String) -> ActivityOptions {
    ActivityOptions::with_start_to_close_timeout(Duration::from_secs(300))
        .heartbeat_timeout(HEARTBEAT_TIMEOUT)
        .retry_policy(retry_policy(4))
        .activity_id(activity_id.clone())
        .summary(activity_id)
        .build()
}

/// The date's report (`report.rs`): one render, a few attempts, never long.
pub fn report(activity_id: String) -> ActivityOptions {
    ActivityOptions::with_start_to_close_timeout(Duration::from_secs(120))
        .retry_policy(retry_policy(3))
        .activity_id(activity_id.clone())
        .summary(activity_id)
        .build()
}

/// A backfill date's whole step in one activity (`run_step`): its sources or processors at
/// once, retried whole (Phase 1 as often as a scrape).
pub fn step(phase: Phase, activity_id: String) -> ActivityOptions {
    let attempts = if phase == Phase::Scrape { 6 } else { 4 };
    ActivityOptions::with_start_to_close_timeout(Duration::from_secs(300))
        .heartbeat_timeout(HEARTBEAT_TIMEOUT)
        .retry_policy(retry_policy(attempts))
        .activity_id(activity_id.clone())
        .summary(activity_id)
        .build()
}

/// How often grading looks again for a date's box scores, and for how long.
pub const GRADE_RETRY_EVERY: Duration = Duration::from_secs(20 * 60);
pub const GRADE_WAIT_AT_MOST: Duration = Duration::from_secs(12 * 3600);

/// Grading after the day: the processor fails with the retryable `not_ready` until every game
/// of the date has box scores, so it is tried every 20 minutes (no backoff) for up to 12 hours,
/// then the workflow fails naming the games still missing. Permanent errors still fail at once.
pub fn grade(activity_id: String) -> ActivityOptions {
    let attempts = (GRADE_WAIT_AT_MOST.as_secs() / GRADE_RETRY_EVERY.as_secs()) as u32 + 1;
    ActivityOptions::with_close_timeouts(ActivityCloseTimeouts::ScheduleAndStartToClose {
        // The last attempt starts at 12 h; it gets its own start-to-close bound to finish.
        schedule_to_close: GRADE_WAIT_AT_MOST + Duration::from_secs(10 * 60),
        start_to_close: Duration::from_secs(300),
    })
    .heartbeat_timeout(HEARTBEAT_TIMEOUT)
    .retry_policy(
        RetryPolicy::builder()
            .initial_interval(GRADE_RETRY_EVERY)
            .backoff_coefficient(1.0)
            .maximum_interval(GRADE_RETRY_EVERY)
            .maximum_attempts(attempts)
            .non_retryable_error_types(nbaprops_proto::error_types::non_retryable_error_types())
            .build(),
    )
    .activity_id(activity_id.clone())
    .summary(activity_id)
    .build()
}

/// A phase stuck past this fails the day instead of hanging it.
pub const PHASE_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// A phase's child workflow with its search attributes (`search::attributes`) and the static
/// summary the Web UI lists it with (user metadata: not compared on replay). A phase stuck
/// past `PHASE_TIMEOUT` fails the day instead of hanging it.
pub fn phase_child(
    workflow_id: String,
    attributes: temporalio_common::search_attributes::SearchAttributes,
    summary: String,
) -> ChildWorkflowOptions {
    ChildWorkflowOptions::builder()
        .workflow_id(workflow_id)
        .execution_timeout(PHASE_TIMEOUT)
        .search_attributes(attributes)
        .static_summary(summary)
        .build()
}
