//! What a simulated season produces: box scores, the books' lines and the injuries, game by
//! game. The format writers read these.

use chrono::NaiveDate;

use crate::players::Rating;
use crate::schedule::{Calendar, Game};

/// One player's (or a team's) numbers in a game.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Stats {
    pub secs: u32,
    pub fgm: i64,
    pub fga: i64,
    pub fg3m: i64,
    pub fg3a: i64,
    pub ftm: i64,
    pub fta: i64,
    pub oreb: i64,
    pub dreb: i64,
    pub ast: i64,
    pub stl: i64,
    pub blk: i64,
    pub tov: i64,
    pub pf: i64,
    pub pts: i64,
    pub plus_minus: i64,
}

impl Stats {
    pub fn reb(&self) -> i64 {
        self.oreb + self.dreb
    }

    pub(crate) fn add(&mut self, o: &Stats) {
        self.secs += o.secs;
        self.fgm += o.fgm;
        self.fga += o.fga;
        self.fg3m += o.fg3m;
        self.fg3a += o.fg3a;
        self.ftm += o.ftm;
        self.fta += o.fta;
        self.oreb += o.oreb;
        self.dreb += o.dreb;
        self.ast += o.ast;
        self.stl += o.stl;
        self.blk += o.blk;
        self.tov += o.tov;
        self.pf += o.pf;
        self.pts += o.pts;
    }
}

/// A player listed in a box score: he played, or sat on the bench ("DNP - ...").
#[derive(Debug, Clone)]
pub struct Entry {
    /// Index into the league's players.
    pub player: usize,
    /// 'G', 'F' or 'C' for the starting five.
    pub starter: Option<char>,
    /// `Err(comment)` when he did not play.
    pub played: std::result::Result<Stats, &'static str>,
}

#[derive(Debug, Clone)]
pub struct TeamBox {
    pub team: usize,
    pub entries: Vec<Entry>,
    pub totals: Stats,
    pub starters: Stats,
    pub bench: Stats,
    /// The team's record after this game.
    pub wins: u32,
    pub losses: u32,
}

/// One book's price on one player's points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BookLine {
    pub line: f64,
    pub over: i64,
    pub under: i64,
}

#[derive(Debug, Clone)]
pub struct Prop {
    pub player: usize,
    /// DraftKings, then FanDuel.
    pub books: [BookLine; 2],
}

/// One book's spread and total on a game.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GameLine {
    /// The home team's handicap (-4.5: favored by 4.5).
    pub home_spread: f64,
    pub home_price: i64,
    pub away_price: i64,
    pub total: f64,
    pub over: i64,
    pub under: i64,
}

#[derive(Debug, Clone)]
pub struct GameOut {
    pub game: Game,
    pub espn_id: String,
    pub home: TeamBox,
    pub away: TeamBox,
    /// 4, or more after overtime.
    pub periods: u32,
    pub props: Vec<Prop>,
    /// DraftKings, then FanDuel.
    pub lines: [GameLine; 2],
}

/// A player's absence (or a listing without one).
#[derive(Debug, Clone)]
pub struct Injury {
    pub player: usize,
    pub team: usize,
    /// The date of the game he got hurt in.
    pub hurt_on: NaiveDate,
    pub part: &'static str,
    /// "Out" or "Day-To-Day" on the injury list.
    pub status: &'static str,
    /// His team's game dates he misses.
    pub missed: Vec<NaiveDate>,
    /// His team's first game after the absence; `None` when out for the season.
    pub return_on: Option<NaiveDate>,
    /// On the injury list from..=until; `listed` is false for a late scratch nobody listed.
    pub listed: bool,
    pub listed_from: NaiveDate,
    pub listed_until: NaiveDate,
    /// Left off the box score entirely (an absence of three games or more).
    pub inactive: bool,
}

impl Injury {
    /// Whether the injury list of `date` carries him.
    pub fn listed_on(&self, date: NaiveDate) -> bool {
        self.listed && self.listed_from <= date && date <= self.listed_until
    }
}

pub struct SeasonOut {
    pub year: i32,
    pub calendar: Calendar,
    pub ratings: Vec<Rating>,
    pub games: Vec<GameOut>,
    pub injuries: Vec<Injury>,
}
