//! The play-in and the playoffs that follow a simulated regular season.

use chrono::{Duration, NaiveDate};
use rand::RngExt;

use crate::game::{play, State};
use crate::players::{Player, Rating, TeamSeason};
use crate::rng::sub_rng;
use crate::schedule::Game;
use crate::season_out::GameOut;

/// The play-in and the playoffs, after the regular season ends on `last` (a Sunday).
///
/// Seeds are regular-season records inside each conference (ties to the lower team index).
/// Play-in (ids `005YY00NNN`): on the Tuesday the East's 7 v 8 and 9 v 10, on the Wednesday
/// the West's; on the Friday the loser of 7 v 8 hosts the winner of 9 v 10 for the 8 seed.
/// Playoffs (ids `004YY00RSG`: round, series, game) from the Saturday: four best-of-seven rounds
/// (1 v 8, 4 v 5, 2 v 7, 3 v 6 bracketed; conference finals; the finals), the better seed (in
/// the finals the better record) at home in games 1, 2, 5 and 7; every series of a round plays
/// on the same days, every other day, and the next round starts two days after the last game.
/// Injuries carry over from the regular season; no new ones are drawn (a team's later dates
/// are not known while it plays).
#[allow(clippy::too_many_arguments)]
pub(crate) fn postseason(
    seed: u64,
    year: i32,
    last: NaiveDate,
    players: &[Player],
    ratings: &[Rating],
    teams: &[TeamSeason],
    rosters: &[Vec<usize>],
    team_dates: &mut [Vec<NaiveDate>],
    st: &mut State,
    games: &mut Vec<GameOut>,
) {
    let mut tips = sub_rng(seed, "postseason", year as u64);
    let yy = year.rem_euclid(100);
    let record: Vec<u32> = st.record.iter().map(|r| r.0).collect();
    let seeds: Vec<Vec<usize>> = (0..2)
        .map(|c| {
            let mut conf: Vec<usize> = (c * 15..c * 15 + 15).collect();
            conf.sort_by_key(|&t| (std::cmp::Reverse(record[t]), t));
            conf
        })
        .collect();
    let mut seq = games.len() as u32;
    let mut play_one = |games: &mut Vec<GameOut>,
                        st: &mut State,
                        team_dates: &mut [Vec<NaiveDate>],
                        game_id: String,
                        date: NaiveDate,
                        home: usize,
                        away: usize|
     -> bool {
        seq += 1;
        let tip_et =
            [19 * 60, 19 * 60 + 30, 20 * 60, 21 * 60 + 30, 22 * 60][tips.random_range(0..5)];
        let game = Game {
            seq,
            game_id,
            date,
            home,
            away,
            tip_et,
            everyone_lined: false,
        };
        team_dates[home].push(date);
        team_dates[away].push(date);
        let mut rng = sub_rng(seed, "game", ((year as u64) << 20) | seq as u64);
        let out = play(
            &mut rng, &game, players, ratings, teams, rosters, team_dates, st,
        );
        let home_won = out.home.totals.pts > out.away.totals.pts;
        games.push(out);
        home_won
    };

    // The play-in.
    let mut n = 0;
    let mut id = || {
        n += 1;
        format!("005{yy:02}00{n:03}")
    };
    let mut eighth_game = Vec::new();
    let mut seventh = [0usize; 2];
    for c in 0..2 {
        let day = last + Duration::days(2 + c as i64);
        let s = &seeds[c];
        let (a_home, a_away) = (s[6], s[7]);
        let a = play_one(games, st, team_dates, id(), day, a_home, a_away);
        let (b_home, b_away) = (s[8], s[9]);
        let b = play_one(games, st, team_dates, id(), day, b_home, b_away);
        let (a_win, a_lose) = if a {
            (a_home, a_away)
        } else {
            (a_away, a_home)
        };
        seventh[c] = a_win;
        eighth_game.push((a_lose, if b { b_home } else { b_away }));
    }
    let mut eighth = [0usize; 2];
    for (c, (home, away)) in eighth_game.into_iter().enumerate() {
        let won = play_one(
            games,
            st,
            team_dates,
            id(),
            last + Duration::days(5),
            home,
            away,
        );
        eighth[c] = if won { home } else { away };
    }

    // The playoffs: series are (better seed, other), by bracket order.
    let mut rank = [0usize; 30];
    for c in 0..2 {
        for (k, &t) in seeds[c].iter().enumerate() {
            rank[t] = k;
        }
        rank[seventh[c]] = 6;
        rank[eighth[c]] = 7;
    }
    let better = |a: usize, b: usize| {
        let key = |t: usize| (rank[t], std::cmp::Reverse(record[t]), t);
        if key(a) <= key(b) {
            (a, b)
        } else {
            (b, a)
        }
    };
    let mut bracket: Vec<usize> = Vec::new();
    for c in 0..2 {
        let s = &seeds[c];
        bracket.extend([s[0], eighth[c], s[3], s[4], s[1], seventh[c], s[2], s[5]]);
    }
    let mut start = last + Duration::days(6);
    for round in 1..=4u32 {
        let series: Vec<(usize, usize)> = bracket
            .chunks(2)
            .map(|p| {
                if round == 4 {
                    // The finals: the better record has home court.
                    if (record[p[0]], std::cmp::Reverse(p[0]))
                        >= (record[p[1]], std::cmp::Reverse(p[1]))
                    {
                        (p[0], p[1])
                    } else {
                        (p[1], p[0])
                    }
                } else {
                    better(p[0], p[1])
                }
            })
            .collect();
        let mut wins = vec![(0u32, 0u32); series.len()];
        let mut last_day = start;
        for g in 1..=7u32 {
            let day = start + Duration::days(2 * (g as i64 - 1));
            for (k, &(high, low)) in series.iter().enumerate() {
                if wins[k].0 == 4 || wins[k].1 == 4 {
                    continue;
                }
                let high_home = matches!(g, 1 | 2 | 5 | 7);
                let (home, away) = if high_home { (high, low) } else { (low, high) };
                let id = format!("004{yy:02}00{round}{k}{g}");
                let home_won = play_one(games, st, team_dates, id, day, home, away);
                if home_won == high_home {
                    wins[k].0 += 1;
                } else {
                    wins[k].1 += 1;
                }
                last_day = day;
            }
        }
        bracket = series
            .iter()
            .zip(&wins)
            .map(|(&(high, low), w)| if w.0 == 4 { high } else { low })
            .collect();
        start = last_day + Duration::days(2);
    }
}
