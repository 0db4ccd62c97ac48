//! When a day's predictions pass their Phase 5 gate, how early they were: a main run's margin
//! before the SLA deadline, an injury rerun's latency. Both go to the metrics
//! (`ops::metrics`); nothing here can fail the gate.
//!
//! Both are measured from what the gate's activity knows (its run context, its workflow id and
//! the run history), so no workflow records anything and no history changes:
//! - the deadline is 09:45 America/New_York on the game date (`nbaprops_proto::sla`); a day
//!   whose input names another deadline (`DayInput.sla_deadline`) is alerted on that one, but
//!   its margin here is still against 09:45. A main run that completes after the game date's
//!   deadline on a later date (a rerun of an old date) has no SLA and no margin;
//! - an injury rerun (trigger `signal`) starts with its Phase 2 child: its latency runs from
//!   the first `processor_runs` row of its children (`day-{date}-rerun-{n}-…`) to the gate.

use chrono::{DateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::America::New_York;
use nbaprops_proto::sla::{SLA_HOUR, SLA_MINUTE};
use nbaprops_proto::{Mode, RunContext, Trigger};

use crate::storage::queries::ops;
use crate::Deps;

/// 09:45 America/New_York on the game date, in UTC.
pub fn sla_deadline(game_date: &str) -> Option<DateTime<Utc>> {
    let date = chrono::NaiveDate::parse_from_str(game_date, "%Y-%m-%d").ok()?;
    let at = date.and_time(NaiveTime::from_hms_opt(SLA_HOUR, SLA_MINUTE, 0)?);
    New_York
        .from_local_datetime(&at)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

/// Minutes before the game date's deadline at which predictions completed (negative: after
/// it), for a run the SLA covers: one completed by the deadline, or later on the game date
/// itself. None for a date run again after its game date.
pub fn sla_margin_minutes(game_date: &str, completed_at: DateTime<Utc>) -> Option<f64> {
    let deadline = sla_deadline(game_date)?;
    let on_game_date = completed_at
        .with_timezone(&New_York)
        .format("%Y-%m-%d")
        .to_string()
        == game_date;
    (completed_at <= deadline || on_game_date)
        .then(|| (deadline - completed_at).num_milliseconds() as f64 / 60_000.0)
}

/// The rerun a Phase 5 gate belongs to, from the gate's workflow id
/// (`day-2025-11-28-rerun-3-predict` → `day-2025-11-28-rerun-3`, `workflows::ids`).
pub fn rerun_of_gate(gate_workflow_id: &str) -> Option<&str> {
    gate_workflow_id
        .strip_suffix("-predict")
        .filter(|rerun| rerun.contains("-rerun-"))
}

/// Records the timing of predictions whose Phase 5 gate passed at `completed_at`: the SLA
/// margin of a day's main run, the latency of an injury rerun, nothing for a backfill.
pub async fn record(
    deps: &Deps,
    ctx: &RunContext,
    gate_workflow_id: &str,
    completed_at: DateTime<Utc>,
) {
    if ctx.mode() == Mode::Backfill || ctx.trigger() == Trigger::Backfill {
        return;
    }
    if ctx.trigger() != Trigger::Signal {
        if let Some(minutes) = sla_margin_minutes(&ctx.game_date, completed_at) {
            deps.metrics.record_sla_margin(&ctx.game_date, minutes);
        }
        return;
    }
    let Some(rerun) = rerun_of_gate(gate_workflow_id) else {
        return;
    };
    match ops::first_run_start(&deps.warehouse, &ctx.game_date, rerun).await {
        Ok(Some(started)) => match DateTime::parse_from_rfc3339(&started) {
            Ok(started) => {
                if let Ok(latency) = (completed_at - started.with_timezone(&Utc)).to_std() {
                    deps.metrics.record_injury_rerun_latency(latency);
                }
            }
            Err(e) => tracing::warn!(rerun, started, "injury rerun latency not recorded: {e}"),
        },
        Ok(None) => tracing::warn!(rerun, "injury rerun latency not recorded: no run of it"),
        Err(e) => tracing::warn!(rerun, error = %e, "injury rerun latency not recorded"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn the_margin_counts_minutes_before_09_45_new_york_on_the_game_date() {
        // 14:45 UTC in winter, 13:45 UTC in summer.
        assert_eq!(
            sla_margin_minutes("2025-11-28", at("2025-11-28T11:15:00Z")),
            Some(210.0)
        );
        assert_eq!(
            sla_margin_minutes("2025-04-10", at("2025-04-10T13:44:30Z")),
            Some(0.5)
        );
        // Late on the game date: negative.
        assert_eq!(
            sla_margin_minutes("2025-11-28", at("2025-11-28T15:15:00Z")),
            Some(-30.0)
        );
        // The evening before (still ahead of it) counts; the date run again a day later
        // (New York) does not.
        assert_eq!(
            sla_margin_minutes("2025-11-28", at("2025-11-28T02:45:00Z")),
            Some(720.0)
        );
        assert_eq!(
            sla_margin_minutes("2025-11-28", at("2025-11-29T05:30:00Z")),
            None
        );
        assert_eq!(
            sla_margin_minutes("2025-13-01", at("2025-11-28T11:15:00Z")),
            None
        );
    }

    #[test]
    fn a_rerun_is_named_by_its_prediction_child() {
        assert_eq!(
            rerun_of_gate("day-2025-11-28-rerun-3-predict"),
            Some("day-2025-11-28-rerun-3")
        );
        assert_eq!(rerun_of_gate("day-2025-11-28-predict"), None);
        assert_eq!(rerun_of_gate("day-2025-11-28-rerun-3-phase-4"), None);
        assert_eq!(rerun_of_gate(""), None);
    }
}
