//! Writes the simulated answers where the replay server serves them: each named with its
//! source's own request builder, which files each date gets, and the dates in parallel.
//!
//! Per date (games or not): `leaguegamelog` (nbac_player_boxscore, asked with the SeasonType of
//! the date's games), The Odds API events (shared by oddsa_player_props and oddsa_game_lines),
//! the ESPN scoreboard, BettingPros events, Ball Don't Lie box scores, and the Ball Don't Lie
//! injury list as of that date; the official injury report PDF of the date (the `09AM` slot)
//! when there is a game to report on (the date's, or the season's next within a week). Per game:
//! the v3 traditional box score (nbac_team_boxscore), the play-by-play, the event's
//! `player_points` odds and its `spreads,totals` odds, and the BettingPros points offers. Per
//! team playing on a date: its ESPN roster as of that date. Per season: the stats-host schedule
//! (nbac_schedule_api) and the player index (nbac_player_list). Once: the CDN schedule
//! (nbac_schedule), listing every game of every simulated season, since its request names no
//! season.
//!
//! The snapshot sources (Ball Don't Lie injuries, ESPN rosters) name no date in their live
//! requests; the replay requests carry the date as the replay-only `as_of` parameter (see
//! `SourceConfig::dated_snapshots`), and each date's snapshot is written under that name. The
//! undated Ball Don't Lie file (what a live fetch would get) is the list as of the last date.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::NaiveDate;
use nbaprops_activities::sources::{
    bdl_box_scores, bp_player_props, espn_roster, espn_scoreboard, nba_season, nbac_injury_report,
    nbac_play_by_play, nbac_player_boxscore, nbac_player_list, nbac_schedule, nbac_schedule_api,
    nbac_team_boxscore, oddsa_game_lines, oddsa_player_props, replay, SourceConfig, SourceRequest,
};
use serde_json::Value;

use crate::naming::event_id;
use crate::players::Player;
use crate::season_out::{GameOut, SeasonOut};
use crate::sources::{self as formats, format::DayClock};
use crate::teams::TEAMS;

pub fn write(dir: &Path, req: &SourceRequest, body: &serde_json::Value) -> Result<PathBuf> {
    let file = replay::file_for(dir, &req.path, &req.query);
    if let Some(parent) = file.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    std::fs::write(&file, serde_json::to_vec(body)?)
        .with_context(|| format!("writing {}", file.display()))?;
    Ok(file)
}

pub fn write_bytes(dir: &Path, req: &SourceRequest, body: &[u8]) -> Result<PathBuf> {
    let file = replay::file_for(dir, &req.path, &req.query);
    if let Some(parent) = file.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    std::fs::write(&file, body).with_context(|| format!("writing {}", file.display()))?;
    Ok(file)
}

/// Which files [`write_all`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coverage {
    /// Every source.
    All,
    /// All but the CDN schedule, the game log and The Odds API events and points odds, which
    /// the dense shape writes itself (byte for byte as it always has).
    AllButDenseOwn,
}

/// Writes every file of `dates` (which must lie in the simulated seasons or between them),
/// on `threads` threads; the bytes do not depend on the thread count.
pub fn write_all(
    out: &Path,
    players: &[Player],
    seasons: &[SeasonOut],
    dates: &[NaiveDate],
    threads: usize,
    coverage: Coverage,
) -> Result<usize> {
    let all = coverage == Coverage::All;
    let config = SourceConfig::replay("http://replay");
    let mut undated = config.clone();
    undated.dated_snapshots = false;
    let season_of = |date: NaiveDate| {
        let year = crate::schedule::season_year(date);
        seasons.iter().find(|s| s.year == year)
    };
    let mut files = 0;

    // The schedules: one CDN file for everything, one stats-host file per season.
    let every: Vec<&SeasonOut> = seasons.iter().collect();
    let first_label = nba_season(*dates.first().expect("at least one date"));
    if all {
        write(
            out,
            &nbac_schedule::request(&config),
            &formats::nbac_schedule::schedule_file(&first_label, &every, false),
        )?;
        files += 1;
    }
    for s in seasons {
        let day = s.calendar.opening;
        write(
            out,
            &nbac_schedule_api::request(&config, day),
            &formats::nbac_schedule::schedule_file(&nba_season(day), &[s], true),
        )?;
        write(
            out,
            &nbac_player_list::request(&config, day),
            &formats::nbac_player_list::player_index(players, s.year),
        )?;
        files += 2;
    }
    // The injury list a live fetch would get (no date): as of the last date.
    let last = *dates.last().expect("at least one date");
    for (req, body) in formats::bdl_injuries::injury_pages(&undated, players, last, season_of(last))
    {
        write(out, &req, &body)?;
        files += 1;
    }

    let next = std::sync::atomic::AtomicUsize::new(0);
    let written = std::sync::atomic::AtomicUsize::new(0);
    let one_date = |date: NaiveDate| -> Result<usize> {
        let clock = DayClock::new(date);
        let season = season_of(date);
        let games: Vec<&GameOut> = season
            .map(|s| {
                let from = s.games.partition_point(|g| g.game.date < date);
                s.games[from..]
                    .iter()
                    .take_while(|g| g.game.date == date)
                    .collect()
            })
            .unwrap_or_default();
        let mut n = 0;
        let mut put = |req: &nbaprops_activities::sources::SourceRequest, body: Value| {
            n += 1;
            write(out, req, &body).map(|_| ())
        };
        if all {
            let ids: Vec<String> = games.iter().map(|g| g.game.game_id.clone()).collect();
            put(
                &nbac_player_boxscore::request_for(
                    &config,
                    date,
                    nbac_player_boxscore::season_type_of(&ids),
                ),
                formats::nbac_player_boxscore::leaguegamelog(players, date, &games),
            )?;
            put(
                &oddsa_player_props::events_request(&config, date),
                formats::oddsa::events(&games, &clock),
            )?;
        }
        put(
            &espn_scoreboard::request(&config, date),
            formats::espn_scoreboard::espn(date, &games, &clock),
        )?;
        put(
            &bp_player_props::events_request(&config, date),
            formats::bp_player_props::bp_events(&games, &clock),
        )?;
        put(
            &bdl_box_scores::request(&config, date),
            formats::bdl_box_scores::bdl_box_scores(players, date, &games),
        )?;
        for g in &games {
            let ev = event_id(&g.game.game_id);
            if all {
                put(
                    &oddsa_player_props::event_odds_request(&config, &ev),
                    formats::oddsa_player_props::props_odds(players, g, &clock),
                )?;
            }
            put(
                &oddsa_game_lines::event_odds_request(&config, &ev),
                formats::oddsa_game_lines::game_lines_odds(g, &clock),
            )?;
            put(
                &nbac_team_boxscore::request(&config, &g.game.game_id),
                formats::nbac_team_boxscore::box_v3(players, g),
            )?;
            put(
                &nbac_play_by_play::request(&config, &g.game.game_id),
                formats::nbac_play_by_play::play_by_play(players, g),
            )?;
            put(
                &bp_player_props::offers_request(&config, formats::bp_player_props::bp_event_id(g)),
                formats::bp_player_props::bp_offers(players, g, &clock),
            )?;
            for b in [&g.home, &g.away] {
                let espn_id = TEAMS[b.team].espn_id.to_string();
                put(
                    &espn_roster::request(&config, &espn_id, date),
                    formats::espn_roster::espn_roster(players, b.team, season, date),
                )?;
            }
        }
        for (req, body) in formats::bdl_injuries::injury_pages(&config, players, date, season) {
            put(&req, body)?;
        }
        if let Some(pdf) = formats::nbac_injury_report::injury_report_pdf(players, season, date) {
            n += 1;
            write_bytes(
                out,
                &nbac_injury_report::request(
                    &config,
                    date,
                    formats::nbac_injury_report::REPORT_HOUR_ET,
                ),
                &pdf,
            )?;
        }
        Ok(n)
    };
    let results: Vec<Result<()>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads.max(1))
            .map(|_| {
                scope.spawn(|| -> Result<()> {
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(&date) = dates.get(i) else {
                            return Ok(());
                        };
                        let n = one_date(date)?;
                        written.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| {
                w.join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("a writer thread panicked")))
            })
            .collect()
    });
    for r in results {
        r?;
    }
    Ok(files + written.into_inner())
}
