//! Pieces several source formats share: UTC timestamps, an Eastern day's clock, shooting
//! percentages, game clocks and a box score's team.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use nbaprops_activities::sources::oddsa_player_props;

use crate::season_out::TeamBox;
use crate::teams::{Team, TEAMS};

pub(crate) const TS: &str = "%Y-%m-%dT%H:%M:%SZ";

/// When an Eastern date starts and ends, in UTC.
#[derive(Clone, Copy)]
pub struct DayClock {
    pub date: NaiveDate,
    start: NaiveDateTime,
    end: NaiveDateTime,
}

impl DayClock {
    pub fn new(date: NaiveDate) -> Self {
        let (start, end) = oddsa_player_props::et_day_bounds_utc(date);
        let parse = |s: &str| NaiveDateTime::parse_from_str(s, TS).expect("bounds parse");
        Self {
            date,
            start: parse(&start),
            end: parse(&end),
        }
    }

    /// `minutes` after Eastern midnight, in UTC. Counted back from the next midnight, so the
    /// offset is right on the days clocks change (they change at 2 AM, before any game).
    pub fn utc(&self, minutes: u32) -> NaiveDateTime {
        self.end - Duration::minutes(1440 - minutes as i64)
    }

    pub fn start_utc(&self) -> NaiveDateTime {
        self.start
    }

    /// The books' snapshot: noon Eastern.
    pub fn snapshot(&self) -> String {
        self.utc(12 * 60).format(TS).to_string()
    }
}

pub(crate) fn pct(made: i64, att: i64) -> f64 {
    if att == 0 {
        0.0
    } else {
        (made as f64 / att as f64 * 1000.0).round() / 1000.0
    }
}

pub(crate) fn clock_text(secs: u32) -> String {
    format!("{}:{:02}", secs / 60, secs % 60)
}

pub(crate) fn team_of(b: &TeamBox) -> &'static Team {
    &TEAMS[b.team]
}

/// "left ankle" → "Left Ankle".
pub(crate) fn title_case(s: &str) -> String {
    s.split_whitespace()
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
