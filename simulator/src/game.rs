//! One game of a season: who is available, the books' lines at the noon snapshot, the box
//! score, and the injuries that follow. [`State`] carries what one game leaves to the next.

use chrono::{Duration, NaiveDate};
use rand::rngs::Xoshiro256PlusPlus;
use rand::RngExt;

use crate::game_draws::{fill_counting_stats, half_point, minutes, normal, team_shots, Shooter};
use crate::players::{Player, Rating, Role, TeamSeason};
use crate::schedule::Game;
use crate::season_out::{BookLine, Entry, GameLine, GameOut, Injury, Prop, Stats, TeamBox};

pub(crate) struct State {
    /// Season points of each player, in game order.
    pub(crate) history: Vec<Vec<i64>>,
    /// Each player's latest injury (index into `injuries`).
    pub(crate) latest: Vec<Option<usize>>,
    pub(crate) injuries: Vec<Injury>,
    pub(crate) record: Vec<(u32, u32)>,
}

impl State {
    pub(crate) fn out_on(&self, p: usize, date: NaiveDate) -> Option<&Injury> {
        let inj = &self.injuries[self.latest[p]?];
        inj.missed.contains(&date).then_some(inj)
    }

    pub(crate) fn listed_out_on(&self, p: usize, date: NaiveDate) -> bool {
        self.latest[p]
            .map(|i| &self.injuries[i])
            .is_some_and(|inj| inj.status == "Out" && inj.listed_on(date))
    }
}

const BODY_PARTS: &[&str] = &[
    "left ankle",
    "right ankle",
    "left knee",
    "right knee",
    "hamstring",
    "lower back",
    "groin",
    "right hand",
    "left foot",
    "calf",
    "illness",
    "hip",
    "right wrist",
    "left shoulder",
    "concussion",
];

const PROP_VIG: &[(i64, i64)] = &[
    (-110, -110),
    (-110, -110),
    (-115, -105),
    (-105, -115),
    (-114, -114),
    (-120, 100),
    (100, -120),
    (-125, -105),
    (-105, -125),
];

const GAME_VIG: &[(i64, i64)] = &[
    (-110, -110),
    (-110, -110),
    (-108, -112),
    (-112, -108),
    (-105, -115),
    (-115, -105),
];

#[allow(clippy::too_many_arguments)]
pub(crate) fn play(
    rng: &mut Xoshiro256PlusPlus,
    game: &Game,
    players: &[Player],
    ratings: &[Rating],
    teams: &[TeamSeason],
    rosters: &[Vec<usize>],
    team_dates: &[Vec<NaiveDate>],
    st: &mut State,
) -> GameOut {
    let date = game.date;
    let sides = [game.home, game.away];

    // Who is out, as the noon snapshot knows it, and the late scratches it does not.
    let mut available: [Vec<usize>; 2] = [Vec::new(), Vec::new()];
    let mut sitting: [Vec<Entry>; 2] = [Vec::new(), Vec::new()];
    let mut missing_points = [0.0f64; 2];
    let mut missing_starters = [0usize; 2];
    let mut scratches = Vec::new();
    for (side, &team) in sides.iter().enumerate() {
        for &p in &rosters[team] {
            let starter_role = players[p].role <= Role::Starter;
            if let Some(inj) = st.out_on(p, date) {
                missing_points[side] += ratings[p].mean_points;
                missing_starters[side] += starter_role as usize;
                if !inj.inactive {
                    sitting[side].push(Entry {
                        player: p,
                        starter: None,
                        played: Err("DNP - Injury/Illness"),
                    });
                }
            } else if rng.random_bool(0.003) {
                missing_starters[side] += starter_role as usize;
                scratches.push(p);
                sitting[side].push(Entry {
                    player: p,
                    starter: None,
                    played: Err("DNP - Injury/Illness"),
                });
            } else {
                available[side].push(p);
            }
        }
    }

    // The books at noon: points lines for likely players, spreads and totals.
    let mut props = Vec::new();
    for &team in &sides {
        for &p in &rosters[team] {
            if !(ratings[p].props || game.everyone_lined) || st.listed_out_on(p, date) {
                continue;
            }
            let recent: Vec<i64> = st.history[p].iter().rev().take(10).copied().collect();
            let prior_weight = 5usize.saturating_sub(recent.len());
            let base = (recent.iter().sum::<i64>() as f64
                + ratings[p].mean_points * prior_weight as f64)
                / (recent.len() + prior_weight) as f64;
            let dk = ((base + normal(rng, 0.0, 1.0)).floor().max(0.0)) + 0.5;
            let fd = (dk + [-1.0, 0.0, 0.0, 0.0, 0.0, 1.0][rng.random_range(0..6)]).max(0.5);
            let mut book = |line: f64| {
                let (over, under) = PROP_VIG[rng.random_range(0..PROP_VIG.len())];
                BookLine { line, over, under }
            };
            props.push(Prop {
                player: p,
                books: [book(dk), book(fd)],
            });
        }
    }
    let expected = |side: usize| {
        let team = sides[side];
        let opp = sides[1 - side];
        let home = if side == 0 { 1.5 } else { -1.5 };
        (teams[team].points - 0.45 * missing_points[side]) * teams[opp].defense + home
    };
    let (exp_home, exp_away) = (expected(0), expected(1));
    let spread = half_point(-(exp_home - exp_away) + normal(rng, 0.0, 1.5));
    let total = half_point(exp_home + exp_away + normal(rng, 0.0, 3.0));
    let fd_spread = spread + [-0.5, 0.0, 0.0, 0.0, 0.5][rng.random_range(0..5)];
    let mut game_line = |spread: f64| {
        let (home_price, away_price) = GAME_VIG[rng.random_range(0..GAME_VIG.len())];
        let (over, under) = GAME_VIG[rng.random_range(0..GAME_VIG.len())];
        GameLine {
            home_spread: spread,
            home_price,
            away_price,
            total,
            over,
            under,
        }
    };
    let lines = [game_line(spread), game_line(fd_spread)];

    // The game: minutes, then shots, then overtime while tied.
    let mut stats: [Vec<Stats>; 2] = [Vec::new(), Vec::new()];
    let mut shooters: [Vec<Shooter>; 2] = [Vec::new(), Vec::new()];
    let boost = missing_starters.map(|n| 1.0 + 0.05 * n as f64);
    for side in 0..2 {
        let roles: Vec<(Role, f64)> = available[side]
            .iter()
            .map(|&p| (players[p].role, ratings[p].mean_minutes))
            .collect();
        let secs = minutes(rng, &roles, 48 * 60 * 5);
        let opp = sides[1 - side];
        let shade = teams[opp].defense * if side == 0 { 1.01 } else { 0.99 };
        for &p in &available[side] {
            shooters[side].push(Shooter {
                rating: &ratings[p],
                form: normal(rng, 0.0, 0.09).exp(),
                shade,
            });
        }
        let shots = team_shots(rng, &shooters[side], &secs, boost[side], 0.04);
        for (k, shooter) in shooters[side].iter().enumerate() {
            let mut s = Stats::default();
            if secs[k] > 0 {
                shooter.shoot(rng, shots[k], secs[k], &mut s);
            }
            stats[side].push(s);
        }
    }
    let score =
        |stats: &[Vec<Stats>; 2], side: usize| -> i64 { stats[side].iter().map(|s| s.pts).sum() };
    let mut periods = 4;
    while score(&stats, 0) == score(&stats, 1) {
        periods += 1;
        for side in 0..2 {
            // The five who played most play the overtime.
            let mut order: Vec<usize> = (0..stats[side].len()).collect();
            order.sort_by_key(|&k| (std::cmp::Reverse(stats[side][k].secs), k));
            let mut on_floor: Vec<usize> = order.into_iter().take(5).collect();
            on_floor.sort_unstable();
            let five: Vec<Shooter> = on_floor.iter().map(|&k| shooters[side][k]).collect();
            let shots = team_shots(rng, &five, &[300; 5][..five.len()], boost[side], 0.15);
            for (i, &k) in on_floor.iter().enumerate() {
                five[i].shoot(rng, shots[i], 300, &mut stats[side][k]);
            }
        }
        if periods > 10 {
            // Still tied after six overtimes: settle it at the line.
            stats[0][0].fta += 1;
            stats[0][0].ftm += 1;
            stats[0][0].pts += 1;
        }
    }
    let game_secs = 48 * 60 + 5 * 60 * (periods - 4);
    let points: [i64; 2] = [score(&stats, 0), score(&stats, 1)];
    let won = points[0] > points[1];
    let (hw, hl) = &mut st.record[game.home];
    if won {
        *hw += 1
    } else {
        *hl += 1
    }
    let (aw, al) = &mut st.record[game.away];
    if won {
        *al += 1
    } else {
        *aw += 1
    }

    // Box scores: the starting five are the first five who played.
    let mut boxes = Vec::with_capacity(2);
    for side in 0..2 {
        let team = sides[side];
        let margin = points[side] - points[1 - side];
        let mut entries = Vec::new();
        let (mut totals, mut starters, mut bench) =
            (Stats::default(), Stats::default(), Stats::default());
        let mut started = 0;
        for (k, &p) in available[side].iter().enumerate() {
            let mut s = stats[side][k];
            if s.secs == 0 {
                entries.push(Entry {
                    player: p,
                    starter: None,
                    played: Err("DNP - Coach's Decision"),
                });
                continue;
            }
            fill_counting_stats(rng, &ratings[p], &mut s);
            s.plus_minus = (margin as f64 * s.secs as f64 / game_secs as f64
                + normal(rng, 0.0, 2.0))
            .round() as i64;
            let starter = (started < 5).then_some(players[p].pos);
            started += 1;
            totals.add(&s);
            if starter.is_some() {
                starters.add(&s);
            } else {
                bench.add(&s);
            }
            st.history[p].push(s.pts);
            entries.push(Entry {
                player: p,
                starter,
                played: Ok(s),
            });
        }
        totals.plus_minus = margin;
        entries.append(&mut sitting[side]);
        let (wins, losses) = st.record[team];
        boxes.push(TeamBox {
            team,
            entries,
            totals,
            starters,
            bench,
            wins,
            losses,
        });
    }

    // Late scratches: absences nobody listed.
    for p in scratches {
        let team = players[p].team;
        st.injuries.push(Injury {
            player: p,
            team,
            hurt_on: date,
            part: "illness",
            status: "Out",
            missed: vec![date],
            return_on: next_game(&team_dates[team], date),
            listed: false,
            listed_from: date,
            listed_until: date,
            inactive: false,
        });
    }

    // Injuries from this game, and knocks that put a player on the list for a day.
    for b in &boxes {
        let team = b.team;
        let dates = &team_dates[team];
        let Some(next) = next_game(dates, date) else {
            continue;
        };
        let mut still_out = rosters[team]
            .iter()
            .filter(|&&p| st.out_on(p, next).is_some())
            .count();
        for e in &b.entries {
            let Ok(s) = &e.played else { continue };
            let p = e.player;
            let risk = (0.02 * s.secs as f64 / 1800.0).min(0.05);
            if still_out < 4 && rng.random_bool(risk) {
                let u: f64 = rng.random();
                let games = if u < 0.5 {
                    rng.random_range(1..=2)
                } else if u < 0.75 {
                    rng.random_range(3..=6)
                } else if u < 0.92 {
                    rng.random_range(7..=15)
                } else {
                    rng.random_range(16..=45)
                };
                let from = dates.partition_point(|d| *d <= date);
                let missed: Vec<NaiveDate> = dates[from..].iter().take(games).copied().collect();
                let return_on = dates.get(from + games).copied();
                let long = missed.len() >= 3 || return_on.is_none();
                let status = if long || rng.random_bool(0.6) {
                    "Out"
                } else {
                    "Day-To-Day"
                };
                let listed_until = *missed.last().expect("a next game exists");
                still_out += 1;
                st.latest[p] = Some(st.injuries.len());
                st.injuries.push(Injury {
                    player: p,
                    team,
                    hurt_on: date,
                    part: BODY_PARTS[rng.random_range(0..BODY_PARTS.len())],
                    status,
                    missed,
                    return_on,
                    listed: true,
                    listed_from: date + Duration::days(1),
                    listed_until,
                    inactive: long,
                });
            } else if rng.random_bool(0.01) {
                st.latest[p] = Some(st.injuries.len());
                st.injuries.push(Injury {
                    player: p,
                    team,
                    hurt_on: date,
                    part: BODY_PARTS[rng.random_range(0..BODY_PARTS.len())],
                    status: "Day-To-Day",
                    missed: Vec::new(),
                    return_on: Some(next),
                    listed: true,
                    listed_from: date + Duration::days(1),
                    listed_until: next,
                    inactive: false,
                });
            }
        }
    }

    let mut boxes = boxes.into_iter();
    let home = boxes.next().expect("home box");
    let away = boxes.next().expect("away box");
    GameOut {
        espn_id: format!("401{}{:04}", &game.game_id[3..5], game.seq),
        game: game.clone(),
        home,
        away,
        periods,
        props,
        lines,
    }
}

/// The first of `dates` after `after`.
pub(crate) fn next_game(dates: &[NaiveDate], after: NaiveDate) -> Option<NaiveDate> {
    dates.get(dates.partition_point(|d| *d <= after)).copied()
}
