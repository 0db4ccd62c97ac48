//! The 10 AM SLA of a day: predictions complete by 09:45 America/New_York on the game date
//! (a quarter of an hour before the 10:00 publication target), else an `sla_missed` alert while
//! the day goes on. Pure functions of the input and the workflow's own clock (deterministic).
//!
//! - Started before the deadline: a timer to it races the phases; the phases finishing first
//!   drop it, the timer firing first raises the alert (the phase the day is in, in the message)
//!   and the day continues.
//! - Started after the deadline by a schedule on the game date itself (a scheduler caught up
//!   late): the alert at once.
//! - Anything else (a rerun of an old date, a backfill, a manual run after the deadline): no SLA.

use std::time::{Duration, SystemTime};

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::America::New_York;
use nbaprops_proto::{DayInput, Mode, RunContext, Trigger};

/// Predictions complete by this America/New_York time on the game date.
pub use nbaprops_proto::sla::{SLA_HOUR, SLA_MINUTE};

/// The day's deadline: `sla_deadline` (RFC 3339) when given, else 09:45 New York time on the
/// game date.
pub fn deadline(input: &DayInput) -> Result<SystemTime, String> {
    if !input.sla_deadline.is_empty() {
        return DateTime::parse_from_rfc3339(&input.sla_deadline)
            .map(SystemTime::from)
            .map_err(|e| format!("sla_deadline {:?} is not RFC 3339: {e}", input.sla_deadline));
    }
    let date = NaiveDate::parse_from_str(&input.game_date, "%Y-%m-%d")
        .map_err(|e| format!("game_date {:?}: {e}", input.game_date))?;
    let at = date.and_time(NaiveTime::from_hms_opt(SLA_HOUR, SLA_MINUTE, 0).expect("a time"));
    New_York
        .from_local_datetime(&at)
        .single()
        .map(|t| SystemTime::from(t.with_timezone(&Utc)))
        .ok_or_else(|| format!("{at} does not exist in America/New_York"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// Alert if the day still runs after this long.
    Timer(Duration),
    /// Started after the deadline by a schedule on the game date: alert now.
    AlreadyLate,
    /// No SLA for this run.
    None,
}

fn new_york_date(t: SystemTime) -> String {
    DateTime::<Utc>::from(t)
        .with_timezone(&New_York)
        .format("%Y-%m-%d")
        .to_string()
}

pub fn plan(now: SystemTime, deadline: SystemTime, context: &RunContext) -> Plan {
    if context.mode() == Mode::Backfill || context.trigger() == Trigger::Backfill {
        return Plan::None;
    }
    match deadline.duration_since(now) {
        Ok(left) if !left.is_zero() => Plan::Timer(left),
        _ if context.trigger() == Trigger::Schedule && new_york_date(now) == context.game_date => {
            Plan::AlreadyLate
        }
        _ => Plan::None,
    }
}

/// The alert's message: the date, the deadline in New York time, where the day is.
pub fn missed_message(
    context: &RunContext,
    deadline: SystemTime,
    phase: u32,
    started_late: bool,
) -> String {
    let at = DateTime::<Utc>::from(deadline).with_timezone(&New_York);
    format!(
        "predictions for {} were not complete by the SLA deadline {} ({}): {} {} phase {phase} \
         of 5; it goes on, and `nbaprops status --date {}` shows where it is",
        context.game_date,
        at.format("%Y-%m-%d %H:%M %Z"),
        at.with_timezone(&Utc).format("%H:%M UTC"),
        context.correlation_id,
        if started_late {
            "started after it, in"
        } else {
            "is still in"
        },
        context.game_date
    )
}

/// Raises an alert through the `raise_alert` activity (the alerts table, the log, the
/// webhook). An alert that cannot be raised is no reason to stop the workflow: its failure is
/// ignored (the activity retries first).
pub async fn raise_alert<W>(
    ctx: &temporalio_sdk::WorkflowContext<W>,
    context: &RunContext,
    kind: nbaprops_proto::AlertKind,
    severity: &str,
    subject: &str,
    message: String,
    activity_id: String,
) {
    let _ = ctx
        .execute_activity(
            nbaprops_proto::activities::RaiseAlert,
            nbaprops_proto::AlertRequest {
                context: Some(context.clone()),
                kind: kind.as_str().to_string(),
                severity: severity.to_string(),
                subject: subject.to_string(),
                message,
            },
            crate::options::process(activity_id),
        )
        .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> SystemTime {
        DateTime::parse_from_rfc3339(s).unwrap().into()
    }

    fn ctx(trigger: Trigger, mode: Mode) -> RunContext {
        RunContext {
            lines_as_of: String::new(),
            correlation_id: "day-2025-11-28".into(),
            game_date: "2025-11-28".into(),
            mode: mode as i32,
            trigger: trigger as i32,
        }
    }

    #[test]
    fn the_deadline_is_09_45_new_york_in_winter_and_summer() {
        let day = |d: &str| DayInput {
            game_date: d.into(),
            ..Default::default()
        };
        assert_eq!(
            deadline(&day("2025-11-28")).unwrap(),
            at("2025-11-28T14:45:00Z")
        );
        assert_eq!(
            deadline(&day("2025-04-10")).unwrap(),
            at("2025-04-10T13:45:00Z")
        );
        let given = DayInput {
            sla_deadline: "2025-11-28T12:00:00Z".into(),
            ..day("2025-11-28")
        };
        assert_eq!(deadline(&given).unwrap(), at("2025-11-28T12:00:00Z"));
        assert!(deadline(&DayInput {
            sla_deadline: "9:45".into(),
            ..day("2025-11-28")
        })
        .unwrap_err()
        .contains("RFC 3339"));
    }

    #[test]
    fn a_timer_before_the_deadline_an_alert_for_a_late_scheduled_start_else_nothing() {
        let deadline = at("2025-11-28T14:45:00Z");
        let live = ctx(Trigger::Schedule, Mode::Full);
        assert_eq!(
            plan(at("2025-11-28T11:00:05Z"), deadline, &live),
            Plan::Timer(Duration::from_secs(3 * 3600 + 44 * 60 + 55))
        );
        assert_eq!(
            plan(at("2025-11-28T15:30:00Z"), deadline, &live),
            Plan::AlreadyLate
        );
        // The next day, or by hand, or a backfill: no SLA.
        assert_eq!(
            plan(at("2025-11-29T15:30:00Z"), deadline, &live),
            Plan::None
        );
        let manual = ctx(Trigger::Manual, Mode::Full);
        assert_eq!(
            plan(at("2025-11-28T15:30:00Z"), deadline, &manual),
            Plan::None
        );
        let backfill = ctx(Trigger::Backfill, Mode::Backfill);
        assert_eq!(
            plan(at("2025-11-28T11:00:00Z"), deadline, &backfill),
            Plan::None
        );
        let msg = missed_message(&live, deadline, 3, false);
        assert!(msg.contains("2025-11-28 09:45 EST (14:45 UTC)"), "{msg}");
        assert!(msg.contains("still in phase 3"), "{msg}");
    }
}
