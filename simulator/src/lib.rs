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
//!   `season.rs`, `sources/` and `files.rs`. The playoffs are not simulated: their dates get the empty
//!   answers of a day without games.
//!
//! The day workflow of date D reads D-1's box scores, so run it from the second date of a
//! simulated range (the first one has no D-1 files to read).

mod dense;
pub mod files;
mod game;
mod game_draws;
pub mod naming;
pub mod options;
pub mod players;
mod playoffs;
pub mod replay_server;
pub mod rng;
pub mod schedule;
pub mod season;
pub mod season_out;
pub mod sources;
pub mod teams;
pub mod truth;

use std::path::Path;

use anyhow::Result;
use chrono::Duration;

pub use options::{FullSlate, ScheduleShape, SimOptions};
pub use truth::{SimGame, SimInjury, SimPlayer, SimTruth};

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
                        done.push((
                            year,
                            season::simulate_season(opts.seed, &league, year, opts.full_slate),
                        ));
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
    let written = files::write_all(
        out,
        &league,
        &seasons,
        &dates,
        threads,
        files::Coverage::All,
    )?;
    let mut truth = truth::truth_of(&league, &seasons, opts.from, opts.to);
    truth.files_written = written;
    Ok(truth)
}

#[cfg(test)]
mod tests;
