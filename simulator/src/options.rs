//! What to simulate: the date range, the seed and the shape.

use chrono::NaiveDate;

#[derive(Debug, Clone)]
pub struct SimOptions {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub seed: u64,
    /// Dense shape only: an even number of teams, at most 10 (the season shape has all 30).
    pub teams: usize,
    /// Dense shape only (season rosters have 14-15 players).
    pub players_per_team: usize,
    /// Season shape only: one date made a full slate (the day benchmark's).
    pub full_slate: Option<FullSlate>,
}

/// A date of a simulated season with `games` games (teams that had no game that date are
/// paired up; extra games are dropped) on which every available player has a points line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FullSlate {
    pub date: NaiveDate,
    /// At most 15: every team plays once.
    pub games: usize,
}

impl Default for SimOptions {
    fn default() -> Self {
        Self {
            from: NaiveDate::from_ymd_opt(2025, 1, 6).expect("date"),
            to: NaiveDate::from_ymd_opt(2025, 1, 17).expect("date"),
            seed: 7,
            teams: 6,
            players_per_team: 8,
            full_slate: None,
        }
    }
}

/// How games are laid out over the dates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ScheduleShape {
    /// A few teams, each playing every date (the demo's shape).
    #[default]
    Dense,
    /// All 30 teams over real-shaped regular seasons.
    Season,
}
