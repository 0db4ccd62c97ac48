//! The dense shape: each of a few teams plays every date (a short demo needs games every day).
//! Players score from a per-player normal distribution; points lines sit near the player's
//! recent form with standard -110 vig. The demo and the integration tests depend on these
//! exact bytes: change nothing here without re-recording their expectations.
//!
//! This module writes the schedule, the game log and The Odds API events and points odds
//! itself; every other source comes from the season shape's writers (`files::write_all`),
//! fed with the same games turned into season structures (`into_seasons`): play-by-play, box
//! scores, injury report (every team "NOT YET SUBMITTED": the dense shape draws no injuries),
//! BettingPros, ESPN, Ball Don't Lie, the player index and the stats-host schedule.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;
use chrono::{Duration, NaiveDate};
use nbaprops_activities::sources::{self, SourceConfig};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Normal};
use serde_json::json;

use crate::files::{self, write};
use crate::naming::{book_spelling, event_id};
use crate::options::SimOptions;
use crate::players::Player;
use crate::schedule::{self, Calendar, Game};
use crate::season_out::{BookLine, Entry, GameLine, GameOut, Prop, SeasonOut, Stats, TeamBox};
use crate::teams;
use crate::truth::{SimPlayer, SimTruth};

/// Real NBA team ids and tricodes (the first `teams` of them are used).
const TEAMS: &[(i64, &str, &str)] = &[
    (1610612738, "BOS", "Boston Celtics"),
    (1610612752, "NYK", "New York Knicks"),
    (1610612743, "DEN", "Denver Nuggets"),
    (1610612760, "OKC", "Oklahoma City Thunder"),
    (1610612747, "LAL", "Los Angeles Lakers"),
    (1610612744, "GSW", "Golden State Warriors"),
    (1610612749, "MIL", "Milwaukee Bucks"),
    (1610612754, "IND", "Indiana Pacers"),
    (1610612755, "PHI", "Philadelphia 76ers"),
    (1610612742, "DAL", "Dallas Mavericks"),
];

const FIRST: &[&str] = &[
    "Marcus", "Jalen", "Nikola", "José", "Luka", "Andre", "Tyrese", "Darius", "Kevin", "Óscar",
    "Miles", "Jaden", "Paolo", "Zion", "Dejounte", "Cade",
];
const LAST: &[&str] = &[
    "Smith", "Williams", "Jokić", "Álvarez", "Dončić", "Carter", "Brown", "Garland", "O'Neal",
    "Johnson", "Bridges", "Ivey", "Green", "Murray", "Young", "Thompson",
];

pub(super) fn simulate(out: &Path, opts: &SimOptions) -> Result<SimTruth> {
    anyhow::ensure!(
        opts.teams.is_multiple_of(2) && opts.teams >= 2 && opts.teams <= TEAMS.len(),
        "teams must be even, 2..={}",
        TEAMS.len()
    );
    anyhow::ensure!(
        opts.from <= opts.to,
        "--from {} is after --to {}",
        opts.from,
        opts.to
    );
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(opts.seed);
    let config = SourceConfig::replay("http://replay");
    let mut truth = SimTruth::default();

    // Rosters: unique names, stars first.
    let mut used = std::collections::BTreeSet::new();
    for (t, (_, tricode, _)) in TEAMS.iter().take(opts.teams).enumerate() {
        for k in 0..opts.players_per_team {
            let name = loop {
                let n = format!(
                    "{} {}",
                    FIRST[rng.random_range(0..FIRST.len())],
                    LAST[rng.random_range(0..LAST.len())]
                );
                if used.insert(n.clone()) {
                    break n;
                }
            };
            let mean = if k < 5 {
                rng.random_range(12.0..30.0)
            } else {
                rng.random_range(3.0..10.0)
            };
            truth.players.push(SimPlayer {
                player_id: 1_630_000 + (t as i64) * 100 + k as i64,
                name,
                team: tricode.to_string(),
                mean_points: (mean * 10.0f64).round() / 10.0,
                has_props: k < 5,
                ..SimPlayer::default()
            });
        }
    }

    let mut schedule_dates = Vec::new();
    let mut played: Vec<DenseGame> = Vec::new();
    let mut game_no = 0u32;
    let mut date = opts.from;
    while date <= opts.to {
        let d = date.format("%Y-%m-%d").to_string();
        truth.game_dates.push(d.clone());
        // Pair teams: a deterministic shuffle per date.
        let mut order: Vec<usize> = (0..opts.teams).collect();
        for i in (1..order.len()).rev() {
            order.swap(i, rng.random_range(0..=i));
        }
        let mut games_json = Vec::new();
        let mut log_rows = Vec::new();
        let mut events = Vec::new();
        for pair in order.chunks(2) {
            game_no += 1;
            let game_id = format!("00224{game_no:05}");
            let (home, away) = (TEAMS[pair[0]], TEAMS[pair[1]]);
            let tip = format!("{d}T23:30:00Z");
            games_json.push(json!({
                "gameId": game_id, "gameStatus": 1, "gameDateEst": format!("{d}T00:00:00Z"),
                "gameDateTimeUTC": tip,
                "homeTeam": {"teamId": home.0, "teamTricode": home.1},
                "awayTeam": {"teamId": away.0, "teamTricode": away.1},
            }));
            let ev = event_id(&game_id);
            let mut outcomes = BTreeMap::<&str, Vec<serde_json::Value>>::new();
            let mut game = DenseGame {
                seq: game_no,
                game_id: game_id.clone(),
                date,
                teams: [home.1, away.1],
                lines: [Vec::new(), Vec::new()],
                stats: [Vec::new(), Vec::new()],
            };
            for (team, opp, is_home) in [(home, away, true), (away, home, false)] {
                let side = usize::from(!is_home);
                for (pi, p) in truth
                    .players
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| p.team == team.1)
                {
                    // The line: the player's form so far (or his mean), to the half point.
                    if p.has_props {
                        let recent: Vec<f64> = truth
                            .game_dates
                            .iter()
                            .rev()
                            .skip(1)
                            .take(5)
                            .filter_map(|gd| {
                                truth
                                    .points
                                    .get(&(gd.clone(), p.player_id))
                                    .map(|x| *x as f64)
                            })
                            .collect();
                        let base = if recent.is_empty() {
                            p.mean_points
                        } else {
                            recent.iter().sum::<f64>() / recent.len() as f64
                        };
                        let line = (base + rng.random_range(-1.5..1.5)).max(0.0).floor() + 0.5;
                        truth.lines.insert((d.clone(), p.player_id), line);
                        game.lines[side].push((pi, line));
                        for (book, shade) in [("draftkings", 0.0), ("fanduel", 1.0)] {
                            outcomes.entry(book).or_default().extend([
                                json!({"name": "Over", "description": book_spelling(&p.name), "price": -110, "point": line + shade}),
                                json!({"name": "Under", "description": book_spelling(&p.name), "price": -110, "point": line + shade}),
                            ]);
                        }
                    }
                    let sd = 0.25 * p.mean_points + 2.0;
                    let pts = Normal::new(p.mean_points, sd)?
                        .sample(&mut rng)
                        .round()
                        .max(0.0) as i64;
                    truth.points.insert((d.clone(), p.player_id), pts);
                    // Split the points into free throws, threes and twos that add up exactly.
                    let ftm = (pts as f64 * 0.18).round() as i64;
                    let fg3m = ((pts - ftm) / 3).min(rng.random_range(0..4));
                    let fg2m = (pts - ftm - 3 * fg3m) / 2;
                    let ftm = pts - 2 * fg2m - 3 * fg3m;
                    let fgm = fg2m + fg3m;
                    let fga = fgm * 2 + rng.random_range(0..3);
                    let fg3a = fg3m * 2 + rng.random_range(0..2);
                    let fta = ftm + ftm / 4;
                    let minutes = (p.mean_points * 1.1 + 8.0).round().min(40.0);
                    game.stats[side].push((
                        pi,
                        Stats {
                            secs: minutes as u32 * 60,
                            fgm,
                            fga,
                            fg3m,
                            fg3a,
                            ftm,
                            fta,
                            oreb: 1,
                            dreb: 4,
                            ast: 3,
                            stl: 1,
                            blk: 0,
                            tov: 2,
                            pf: 2,
                            pts,
                            plus_minus: 0,
                        },
                    ));
                    let matchup = if is_home {
                        format!("{} vs. {}", team.1, opp.1)
                    } else {
                        format!("{} @ {}", team.1, opp.1)
                    };
                    log_rows.push(json!([
                        "22024",
                        p.player_id,
                        p.name,
                        team.0,
                        team.1,
                        team.2,
                        game_id,
                        d,
                        matchup,
                        "W",
                        minutes,
                        fgm,
                        fga,
                        0.0,
                        fg3m,
                        fg3a,
                        0.0,
                        ftm,
                        fta,
                        0.0,
                        1,
                        4,
                        5,
                        3,
                        1,
                        0,
                        2,
                        2,
                        pts,
                        0,
                        0.0,
                        1
                    ]));
                }
            }
            played.push(game);
            events.push(json!({"id": ev, "sport_key": "basketball_nba", "sport_title": "NBA", "commence_time": tip, "home_team": home.2, "away_team": away.2}));
            let bookmakers: Vec<serde_json::Value> = outcomes
                .into_iter()
                .map(|(book, outs)| json!({"key": book, "title": book, "last_update": format!("{d}T16:00:00Z"),
                    "markets": [{"key": "player_points", "last_update": format!("{d}T16:00:00Z"), "outcomes": outs}]}))
                .collect();
            write(
                out,
                &sources::oddsa_player_props::event_odds_request(&config, &ev),
                &json!({
                    "id": ev, "sport_key": "basketball_nba", "commence_time": tip, "home_team": home.2, "away_team": away.2, "bookmakers": bookmakers
                }),
            )?;
        }
        write(
            out,
            &sources::oddsa_player_props::events_request(&config, date),
            &json!(events),
        )?;
        write(
            out,
            &sources::nbac_player_boxscore::request(&config, date),
            &json!({
                "resource": "leaguegamelog",
                "parameters": {"DateFrom": d, "DateTo": d, "PlayerOrTeam": "P"},
                "resultSets": [{"name": "LeagueGameLog", "headers": [
                    "SEASON_ID","PLAYER_ID","PLAYER_NAME","TEAM_ID","TEAM_ABBREVIATION","TEAM_NAME","GAME_ID","GAME_DATE","MATCHUP","WL",
                    "MIN","FGM","FGA","FG_PCT","FG3M","FG3A","FG3_PCT","FTM","FTA","FT_PCT","OREB","DREB","REB","AST","STL","BLK","TOV","PF","PTS","PLUS_MINUS","FANTASY_PTS","VIDEO_AVAILABLE"],
                    "rowSet": log_rows}]
            }),
        )?;
        schedule_dates.push(
            json!({"gameDate": date.format("%m/%d/%Y 00:00:00").to_string(), "games": games_json}),
        );
        date += Duration::days(1);
    }
    write(
        out,
        &sources::nbac_schedule::request(&config),
        &json!({
            "meta": {"version": 1, "request": "simulated"},
            "leagueSchedule": {"seasonYear": sources::nba_season(opts.from), "leagueId": "00", "gameDates": schedule_dates}
        }),
    )?;

    // Every other source, from the season writers.
    let (players, seasons) = into_seasons(&truth, played);
    let mut dates = Vec::new();
    let mut d = opts.from;
    while d <= opts.to {
        dates.push(d);
        d += Duration::days(1);
    }
    files::write_all(
        out,
        &players,
        &seasons,
        &dates,
        1,
        files::Coverage::AllButDenseOwn,
    )?;
    Ok(truth)
}

/// One dense game as drawn: per side (home, away) the players' lines and stats, by index into
/// `truth.players`.
struct DenseGame {
    seq: u32,
    game_id: String,
    date: NaiveDate,
    /// Tricodes: home, away.
    teams: [&'static str; 2],
    lines: [Vec<(usize, f64)>; 2],
    stats: [Vec<(usize, Stats)>; 2],
}

fn team_index(tricode: &str) -> usize {
    teams::TEAMS
        .iter()
        .position(|t| t.tricode == tricode)
        .expect("dense teams are NBA teams")
}

fn half_point(x: f64) -> f64 {
    (x * 2.0).round() / 2.0
}

/// The dense games as the season shape's structures, so its writers can write them: one
/// `SeasonOut` per season the range touches, no injuries, tip-off 6:30 PM Eastern (23:30 UTC
/// in winter, as the dense schedule says), the first five of a roster starting.
fn into_seasons(truth: &SimTruth, games: Vec<DenseGame>) -> (Vec<Player>, Vec<SeasonOut>) {
    let positions = ['G', 'G', 'F', 'F', 'C', 'G', 'F', 'C', 'F', 'G'];
    let mut per_team: BTreeMap<String, usize> = BTreeMap::new();
    let players: Vec<Player> = truth
        .players
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let k = per_team.entry(p.team.clone()).or_default();
            let pos = positions[*k % positions.len()];
            let jersey = *k as u32;
            *k += 1;
            let (first, last) = p.name.split_once(' ').unwrap_or((&p.name, ""));
            Player::simple(
                p.player_id,
                3_600_000 + i as i64 * 13,
                first,
                last,
                team_index(&p.team),
                pos,
                jersey,
            )
        })
        .collect();
    let means: Vec<f64> = truth.players.iter().map(|p| p.mean_points).collect();
    let mut seasons: Vec<SeasonOut> = Vec::new();
    for g in games {
        let year = schedule::season_year(g.date);
        let boxes: Vec<TeamBox> = (0..2)
            .map(|side| {
                let mut totals = Stats::default();
                let mut starters = Stats::default();
                let mut bench = Stats::default();
                let entries = g.stats[side]
                    .iter()
                    .enumerate()
                    .map(|(k, (pi, st))| {
                        add(&mut totals, st);
                        add(if k < 5 { &mut starters } else { &mut bench }, st);
                        Entry {
                            player: *pi,
                            starter: (k < 5).then_some(players[*pi].pos),
                            played: Ok(*st),
                        }
                    })
                    .collect();
                TeamBox {
                    team: team_index(g.teams[side]),
                    entries,
                    totals,
                    starters,
                    bench,
                    wins: 0,
                    losses: 0,
                }
            })
            .collect();
        let mut boxes = boxes.into_iter();
        let (home, away) = (boxes.next().expect("home"), boxes.next().expect("away"));
        let props = g.lines[0]
            .iter()
            .chain(&g.lines[1])
            .map(|&(pi, line)| Prop {
                player: pi,
                books: [
                    BookLine {
                        line,
                        over: -110,
                        under: -110,
                    },
                    BookLine {
                        line: line + 1.0,
                        over: -110,
                        under: -110,
                    },
                ],
            })
            .collect();
        let expected = |b: &TeamBox| -> f64 { b.entries.iter().map(|e| means[e.player]).sum() };
        let (eh, ea) = (expected(&home), expected(&away));
        let line = GameLine {
            home_spread: half_point(-(eh - ea)),
            home_price: -110,
            away_price: -110,
            total: half_point(eh + ea),
            over: -110,
            under: -110,
        };
        let out = GameOut {
            espn_id: format!("401{}{:04}", &g.game_id[3..5], g.seq),
            game: Game {
                seq: g.seq,
                game_id: g.game_id,
                date: g.date,
                home: home.team,
                away: away.team,
                tip_et: 18 * 60 + 30,
                everyone_lined: false,
            },
            home,
            away,
            periods: 4,
            props,
            lines: [line, line],
        };
        match seasons.iter_mut().find(|s| s.year == year) {
            Some(s) => s.games.push(out),
            None => seasons.push(SeasonOut {
                year,
                calendar: Calendar {
                    year,
                    opening: g.date,
                    last: g.date,
                    all_star: g.date,
                    dates: vec![],
                },
                ratings: vec![],
                games: vec![out],
                injuries: vec![],
            }),
        }
    }
    for s in &mut seasons {
        s.calendar.last = s
            .games
            .last()
            .map(|g| g.game.date)
            .unwrap_or(s.calendar.opening);
        s.calendar.dates = s.games.iter().map(|g| g.game.date).collect();
        s.calendar.dates.dedup();
    }
    (players, seasons)
}

fn add(total: &mut Stats, s: &Stats) {
    total.secs += s.secs;
    total.fgm += s.fgm;
    total.fga += s.fga;
    total.fg3m += s.fg3m;
    total.fg3a += s.fg3a;
    total.ftm += s.ftm;
    total.fta += s.fta;
    total.oreb += s.oreb;
    total.dreb += s.dreb;
    total.ast += s.ast;
    total.stl += s.stl;
    total.blk += s.blk;
    total.tov += s.tov;
    total.pf += s.pf;
    total.pts += s.pts;
}
