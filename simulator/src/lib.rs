//! The built-in simulator: writes native-format responses of the sources for a date range,
//! named the way the replay server serves them, and returns the ground truth it drew so tests
//! can compute expected values by hand. Deterministic for a seed.
//!
//! Two shapes:
//! - [`ScheduleShape::Dense`] (what [`simulate`] does, for the demo and the integration tests):
//!   a few teams, each playing every date; only the three sources the day workflow reads
//!   (schedule, player box scores, points props). See `dense.rs`.
//! - [`ScheduleShape::Season`] ([`simulate_shaped`]): the 30 NBA teams with 14-15-man rosters,
//!   real-shaped 82-game regular seasons (mid/late October to mid April, All-Star break,
//!   back-to-backs), injuries that change who plays, points lines from two books near recent
//!   form, spreads and totals, and every Phase 1 source answered for every date of the range,
//!   games or not. Seasons are simulated whole (whatever part of them the range covers), so a
//!   date's files do not depend on the range asked for. See `schedule.rs`, `players.rs`,
//!   `season.rs` and `writers.rs`. The playoffs are not simulated: their dates get the empty
//!   answers of a day without games.
//!
//! The day workflow of date D reads D-1's box scores, so run it from the second date of a
//! simulated range (the first one has no D-1 files to read).

mod dense;
pub mod feeds;
mod game;
mod game_draws;
pub mod players;
mod playoffs;
pub mod replay_server;
pub mod schedule;
pub mod season;
pub mod season_out;
pub mod teams;
pub mod writers;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::{Duration, NaiveDate};
use nbaprops_activities::sources::{replay, SourceRequest};
use rand::rngs::Xoshiro256PlusPlus;
use rand::SeedableRng;

#[derive(Debug, Clone)]
pub struct SimOptions {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub seed: u64,
    /// Dense shape only: an even number of teams, at most 10 (the season shape has all 30).
    pub teams: usize,
    /// Dense shape only (season rosters have 14-15 players).
    pub players_per_team: usize,
}

impl Default for SimOptions {
    fn default() -> Self {
        Self {
            from: NaiveDate::from_ymd_opt(2025, 1, 6).expect("date"),
            to: NaiveDate::from_ymd_opt(2025, 1, 17).expect("date"),
            seed: 7,
            teams: 6,
            players_per_team: 8,
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

#[derive(Debug, Clone, Default)]
pub struct SimPlayer {
    pub player_id: i64,
    pub name: String,
    /// NBA.com tricode.
    pub team: String,
    /// Season shape: the mean of the season `from` falls in.
    pub mean_points: f64,
    pub has_props: bool,
    /// Season shape: Ball Don't Lie's id for him (0 in the dense shape).
    pub bdl_id: i64,
    /// Season shape: "G", "F" or "C".
    pub position: String,
    /// Season shape: "star", "starter", "rotation", "bench" or "deep bench".
    pub role: String,
    /// Season shape: his mean minutes in the season `from` falls in.
    pub mean_minutes: f64,
}

/// One simulated game (season shape).
#[derive(Debug, Clone, PartialEq)]
pub struct SimGame {
    pub game_id: String,
    pub date: String,
    /// NBA.com tricodes.
    pub home: String,
    pub away: String,
    pub home_points: i64,
    pub away_points: i64,
    /// The Odds API event id of the game.
    pub event_id: String,
}

/// One absence or injury-list entry (season shape).
#[derive(Debug, Clone, PartialEq)]
pub struct SimInjury {
    pub player_id: i64,
    pub team: String,
    /// "Out" or "Day-To-Day".
    pub status: String,
    /// The date of the game he got hurt in.
    pub hurt_on: String,
    /// His team's games he missed (empty for a knock he played through).
    pub missed_dates: Vec<String>,
    /// Whether the injury list carried him (a late scratch is not listed).
    pub listed: bool,
    pub listed_from: String,
    pub listed_until: String,
    /// Left out of the v3 box score entirely (absences of three games or more).
    pub inactive: bool,
}

/// What the simulator drew, for hand computations in tests.
#[derive(Debug, Clone, Default)]
pub struct SimTruth {
    pub players: Vec<SimPlayer>,
    /// (date, player_id) -> points scored.
    pub points: BTreeMap<(String, i64), i64>,
    /// (date, player_id) -> the draftkings line posted that date.
    pub lines: BTreeMap<(String, i64), f64>,
    /// Dense: every date. Season: the dates of the range with games.
    pub game_dates: Vec<String>,
    /// Season shape: (date, player_id) -> the fanduel line posted that date.
    pub fanduel_lines: BTreeMap<(String, i64), f64>,
    /// Season shape: the range's games.
    pub games: Vec<SimGame>,
    /// Season shape: injuries and absences touching the range.
    pub injuries: Vec<SimInjury>,
    /// Season shape: how many files were written.
    pub files_written: usize,
}

pub(crate) fn write(dir: &Path, req: &SourceRequest, body: &serde_json::Value) -> Result<PathBuf> {
    let file = replay::file_for(dir, &req.path, &req.query);
    if let Some(parent) = file.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    std::fs::write(&file, serde_json::to_vec(body)?)
        .with_context(|| format!("writing {}", file.display()))?;
    Ok(file)
}

pub(crate) fn write_bytes(dir: &Path, req: &SourceRequest, body: &[u8]) -> Result<PathBuf> {
    let file = replay::file_for(dir, &req.path, &req.query);
    if let Some(parent) = file.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    std::fs::write(&file, body).with_context(|| format!("writing {}", file.display()))?;
    Ok(file)
}

pub(crate) fn event_id(game_id: &str) -> String {
    blake3::hash(game_id.as_bytes()).to_hex()[..32].to_string()
}

/// The sportsbook spelling of a name: books drop accents and apostrophes.
pub(crate) fn book_spelling(name: &str) -> String {
    deunicode::deunicode(name).replace('\'', "")
}

/// An independent random stream for one part of the simulation, so that changing how one
/// part draws never moves another's numbers.
pub(crate) fn sub_rng(seed: u64, what: &str, n: u64) -> Xoshiro256PlusPlus {
    let mut h = blake3::Hasher::new();
    h.update(&seed.to_le_bytes());
    h.update(what.as_bytes());
    h.update(&n.to_le_bytes());
    Xoshiro256PlusPlus::from_seed(*h.finalize().as_bytes())
}

/// The dense shape (the demo's): see the module docs.
pub fn simulate(out: &Path, opts: &SimOptions) -> Result<SimTruth> {
    simulate_shaped(out, opts, ScheduleShape::Dense)
}

/// Simulates `opts.from..=opts.to` in the given shape into `out`.
pub fn simulate_shaped(out: &Path, opts: &SimOptions, shape: ScheduleShape) -> Result<SimTruth> {
    match shape {
        ScheduleShape::Dense => dense::simulate(out, opts),
        ScheduleShape::Season => simulate_seasons(out, opts),
    }
}

fn simulate_seasons(out: &Path, opts: &SimOptions) -> Result<SimTruth> {
    anyhow::ensure!(
        opts.from <= opts.to,
        "--from {} is after --to {}",
        opts.from,
        opts.to
    );
    let league = players::league(opts.seed);
    let years: Vec<i32> =
        (schedule::season_year(opts.from)..=schedule::season_year(opts.to)).collect();
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 8);

    // Seasons are independent: simulate them side by side.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut seasons: Vec<(i32, Result<season_out::SeasonOut>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads.min(years.len()))
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(&year) = years.get(i) else {
                            return done;
                        };
                        done.push((year, season::simulate_season(opts.seed, &league, year)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("a season thread panicked"))
            .collect()
    });
    seasons.sort_by_key(|(year, _)| *year);
    let seasons: Vec<season_out::SeasonOut> =
        seasons.into_iter().map(|(_, s)| s).collect::<Result<_>>()?;

    let mut dates = Vec::new();
    let mut d = opts.from;
    while d <= opts.to {
        dates.push(d);
        d += Duration::days(1);
    }
    let files = writers::write_all(
        out,
        &league,
        &seasons,
        &dates,
        threads,
        writers::Coverage::All,
    )?;
    let mut truth = truth_of(&league, &seasons, opts.from, opts.to);
    truth.files_written = files;
    Ok(truth)
}

/// The ground truth of the range.
fn truth_of(
    league: &[players::Player],
    seasons: &[season_out::SeasonOut],
    from: NaiveDate,
    to: NaiveDate,
) -> SimTruth {
    let mut truth = SimTruth::default();
    let first = seasons
        .iter()
        .find(|s| s.year == schedule::season_year(from))
        .expect("the first season is simulated");
    for (i, p) in league.iter().enumerate() {
        let r = &first.ratings[i];
        truth.players.push(SimPlayer {
            player_id: p.id,
            name: p.name(),
            team: teams::TEAMS[p.team].tricode.to_string(),
            mean_points: r.mean_points,
            has_props: r.props,
            bdl_id: p.bdl_id,
            position: p.pos.to_string(),
            role: p.role.name().to_string(),
            mean_minutes: r.mean_minutes,
        });
    }
    let in_range = |d: NaiveDate| from <= d && d <= to;
    let day = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    for s in seasons {
        for g in s.games.iter().filter(|g| in_range(g.game.date)) {
            let date = day(g.game.date);
            if truth.game_dates.last() != Some(&date) {
                truth.game_dates.push(date.clone());
            }
            truth.games.push(SimGame {
                game_id: g.game.game_id.clone(),
                date: date.clone(),
                home: teams::TEAMS[g.home.team].tricode.to_string(),
                away: teams::TEAMS[g.away.team].tricode.to_string(),
                home_points: g.home.totals.pts,
                away_points: g.away.totals.pts,
                event_id: event_id(&g.game.game_id),
            });
            for b in [&g.home, &g.away] {
                for e in &b.entries {
                    if let Ok(st) = &e.played {
                        truth
                            .points
                            .insert((date.clone(), league[e.player].id), st.pts);
                    }
                }
            }
            for prop in &g.props {
                let key = (date.clone(), league[prop.player].id);
                truth.lines.insert(key.clone(), prop.books[0].line);
                truth.fanduel_lines.insert(key, prop.books[1].line);
            }
        }
        for inj in &s.injuries {
            let touches = in_range(inj.hurt_on)
                || (inj.listed && inj.listed_from <= to && from <= inj.listed_until)
                || inj.missed.iter().any(|d| in_range(*d));
            if !touches {
                continue;
            }
            truth.injuries.push(SimInjury {
                player_id: league[inj.player].id,
                team: teams::TEAMS[inj.team].tricode.to_string(),
                status: inj.status.to_string(),
                hurt_on: day(inj.hurt_on),
                missed_dates: inj.missed.iter().map(|d| day(*d)).collect(),
                listed: inj.listed,
                listed_from: day(inj.listed_from),
                listed_until: day(inj.listed_until),
                inactive: inj.inactive,
            });
        }
    }
    truth
}

#[cfg(test)]
mod tests;
