//! The time a run reads the sportsbooks' lines as of (`RunContext.lines_as_of`).
//!
//! A day's main run fixes it when Phase 1 is done, an injury rerun when it starts: every
//! snapshot the run scraped or found is older, and a snapshot scraped later (a mid-day scrape,
//! the date run again tomorrow) never reaches a retry of the same activity, which then picks
//! the line it picked the first time. A snapshot's time is the bookmaker's own `last_update`,
//! stamped by another clock than the Temporal server's, so the cut-off allows
//! [`CLOCK_ALLOWANCE`] between the two.

use std::time::{Duration, SystemTime};

use chrono::{DateTime, SecondsFormat, Utc};
use nbaprops_proto::RunContext;

/// How far a bookmaker's clock may run ahead of the Temporal server's.
pub const CLOCK_ALLOWANCE: Duration = Duration::from_secs(60);

/// UTC RFC 3339 to the second.
pub(crate) fn rfc3339(t: SystemTime) -> String {
    DateTime::<Utc>::from(t).to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `context` reading lines as of `now` (workflow time); unchanged when the time is unknown.
pub fn reading_lines_at(context: &RunContext, now: Option<SystemTime>) -> RunContext {
    RunContext {
        lines_as_of: now
            .map(|t| rfc3339(t + CLOCK_ALLOWANCE))
            .unwrap_or_else(|| context.lines_as_of.clone()),
        ..context.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cut_off_is_the_run_time_plus_the_clock_allowance() {
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_736_780_400); // 2025-01-13T15:00:00Z
        let ctx = reading_lines_at(&RunContext::default(), Some(at));
        assert_eq!(ctx.lines_as_of, "2025-01-13T15:01:00Z");
        // No workflow time: the context keeps the cut-off it had.
        assert_eq!(reading_lines_at(&ctx, None).lines_as_of, ctx.lines_as_of);
    }
}
