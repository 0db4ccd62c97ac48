//! Search attributes: every workflow nbaprops starts carries `game_date`, `phase`, `mode` and
//! `trigger` (all Keyword), so the Web UI and `temporal workflow list --query` find a day and
//! everything it started: `game_date = "2025-11-28"`, `game_date = "2025-11-28" AND phase = "3"`,
//! `trigger = "schedule"`.
//!
//! The keys live here and nowhere else: the dev server registers `NAMES` at start
//! (`nbaprops dev-server`, the tests' servers), a production namespace once with
//! `temporal operator search-attribute create --name game_date --type Keyword` (and the other
//! three; docs/runbook.md). A workflow that sets an unregistered attribute fails its workflow
//! task until it is registered.
//!
//! Values:
//! - `game_date`: the America/New_York game date, `YYYY-MM-DD`.
//! - `phase`: the phase a workflow runs: `"2"`..`"5"` for a day's children, `"6"` for grading
//!   (the registry's phase of `prediction_grades`), `"all"` for a workflow over every phase
//!   (the day, a backfill's per-date run).
//! - `mode`: `full`, `incremental`, `backfill`.
//! - `trigger`: `schedule`, `manual`, `signal`, `backfill`.

use nbaprops_proto::{Mode, RunContext, Trigger};
use temporalio_common::search_attributes::{SearchAttributeKey, SearchAttributes};

pub const GAME_DATE: SearchAttributeKey<String> = SearchAttributeKey::keyword("game_date");
pub const PHASE: SearchAttributeKey<String> = SearchAttributeKey::keyword("phase");
pub const MODE: SearchAttributeKey<String> = SearchAttributeKey::keyword("mode");
pub const TRIGGER: SearchAttributeKey<String> = SearchAttributeKey::keyword("trigger");

/// Every key, for registering them on a server (all Keyword).
pub const NAMES: [&str; 4] = ["game_date", "phase", "mode", "trigger"];

/// The `phase` value of a workflow over every phase.
pub const ALL_PHASES: &str = "all";

pub fn mode_value(mode: Mode) -> &'static str {
    match mode {
        Mode::Incremental => "incremental",
        Mode::Backfill => "backfill",
        Mode::Full | Mode::Unspecified => "full",
    }
}

pub fn trigger_value(trigger: Trigger) -> &'static str {
    match trigger {
        Trigger::Schedule => "schedule",
        Trigger::Signal => "signal",
        Trigger::Backfill => "backfill",
        Trigger::Manual | Trigger::Unspecified => "manual",
    }
}

/// The attributes of a workflow running `context`: `phase` is the phase it runs, or `None`
/// for one over every phase (`"all"`). For workflow start options, child workflow options and
/// `ctx.upsert_search_attributes(attributes(..).into_updates())`-style use through
/// [`updates`].
pub fn attributes(context: &RunContext, phase: Option<u32>) -> SearchAttributes {
    SearchAttributes::new(updates(context, phase))
}

/// The same attributes as updates, for `ctx.upsert_search_attributes`.
pub fn updates(
    context: &RunContext,
    phase: Option<u32>,
) -> Vec<temporalio_common::search_attributes::SearchAttributeUpdate> {
    vec![
        GAME_DATE.value_set(context.game_date.clone()),
        PHASE.value_set(phase.map_or_else(|| ALL_PHASES.to_string(), |p| p.to_string())),
        MODE.value_set(mode_value(context.mode()).to_string()),
        TRIGGER.value_set(trigger_value(context.trigger()).to_string()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phase_child_and_a_day_carry_the_four_keys() {
        let ctx = RunContext {
            lines_as_of: String::new(),
            correlation_id: "day-2025-11-28".into(),
            game_date: "2025-11-28".into(),
            mode: Mode::Incremental as i32,
            trigger: Trigger::Schedule as i32,
        };
        let child = attributes(&ctx, Some(3));
        assert_eq!(child.get(&GAME_DATE).as_deref(), Some("2025-11-28"));
        assert_eq!(child.get(&PHASE).as_deref(), Some("3"));
        assert_eq!(child.get(&MODE).as_deref(), Some("incremental"));
        assert_eq!(child.get(&TRIGGER).as_deref(), Some("schedule"));
        let day = attributes(&RunContext::default(), None);
        assert_eq!(day.get(&PHASE).as_deref(), Some("all"));
        assert_eq!(day.get(&MODE).as_deref(), Some("full"));
        assert_eq!(day.get(&TRIGGER).as_deref(), Some("manual"));
        let mut keys: Vec<&str> = child.keys().collect();
        keys.sort();
        let mut names = NAMES.to_vec();
        names.sort();
        assert_eq!(keys, names);
    }
}
