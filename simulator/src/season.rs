//! One simulated regular season, game by game in date order: who is available, the books'
//! lines at the noon snapshot, the box scores, and the injuries that follow.
//!
//! - Availability: a player hurt in a game misses a drawn number of his team's next games
//!   (half of injuries one or two games, a few the rest of the season). He is on the injury
//!   list from the day after he got hurt until his last missed game: "Out" (no line posted,
//!   and out of the box score entirely when the absence is three games or longer) or
//!   "Day-To-Day" (lines are posted; he sits anyway, listed in the box score as "DNP -
//!   Injury/Illness"). Some players are listed Day-To-Day after a knock and play; a few are late
//!   scratches nobody listed (their lines stand, as in life).
//! - Minutes: every available player draws minutes around his mean (end-of-bench players often
//!   sit, "DNP - Coach's Decision"), scaled so a team plays exactly 240 minutes (plus 25 per
//!   overtime). With a starter out the others' minutes scale up and their shot rates rise 5%
//!   per missing starter.
//! - Scoring: field-goal attempts are Poisson around the player's rate times his minutes and a
//!   game-form factor; threes, makes and free throws are binomial on his percentages, shaded by
//!   the opponent's defense and home court. Points are 2·FG2M + 3·FG3M + FTM exactly. A tie
//!   after regulation plays overtime.
//! - Lines: each book posts the player's points line at the half point near his recent form
//!   (the mean of his last ten games, leaning on his season mean early on) with noise and
//!   vig; game lines are spreads and totals around the teams' expected scores.
//!
//! [`crate::game`] plays one game, [`crate::game_draws`] draws its box score,
//! [`crate::playoffs`] plays the postseason and [`crate::season_out`] holds what comes out.

use anyhow::Result;
use chrono::NaiveDate;

use crate::game::{play, State};
use crate::options::FullSlate;
use crate::players::{season_ratings, Player};
use crate::playoffs::postseason;
use crate::rng::sub_rng;
use crate::schedule::{calendar, season_games_with};
use crate::season_out::SeasonOut;
use crate::teams::TEAMS;

/// Simulates the season starting in `year`.
pub fn simulate_season(
    seed: u64,
    players: &[Player],
    year: i32,
    slate: Option<FullSlate>,
) -> Result<SeasonOut> {
    let cal = calendar(year);
    let schedule = season_games_with(seed, year, slate)?;
    let (ratings, teams) = season_ratings(seed, players, year);
    // Rosters, best first.
    let mut rosters: Vec<Vec<usize>> = vec![Vec::new(); TEAMS.len()];
    for (i, p) in players.iter().enumerate() {
        rosters[p.team].push(i);
    }
    for r in &mut rosters {
        r.sort_by(|&a, &b| {
            players[a]
                .role
                .cmp(&players[b].role)
                .then(ratings[b].mean_minutes.total_cmp(&ratings[a].mean_minutes))
                .then(a.cmp(&b))
        });
    }
    let mut team_dates: Vec<Vec<NaiveDate>> = vec![Vec::new(); TEAMS.len()];
    for g in &schedule {
        team_dates[g.home].push(g.date);
        team_dates[g.away].push(g.date);
    }
    let mut st = State {
        history: vec![Vec::new(); players.len()],
        latest: vec![None; players.len()],
        injuries: Vec::new(),
        record: vec![(0, 0); TEAMS.len()],
    };
    let mut games = Vec::with_capacity(schedule.len());
    for game in schedule {
        let mut rng = sub_rng(seed, "game", ((year as u64) << 20) | game.seq as u64);
        let out = play(
            &mut rng,
            &game,
            players,
            &ratings,
            &teams,
            &rosters,
            &team_dates,
            &mut st,
        );
        games.push(out);
    }
    postseason(
        seed,
        year,
        cal.last,
        players,
        &ratings,
        &teams,
        &rosters,
        &mut team_dates,
        &mut st,
        &mut games,
    );
    Ok(SeasonOut {
        year,
        calendar: cal,
        ratings,
        games,
        injuries: st.injuries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::players::{league, Role};

    #[test]
    fn a_season_plays_out_with_real_numbers() {
        let players = league(5);
        let season = simulate_season(5, &players, 2023, None).unwrap();
        let regular = season
            .games
            .iter()
            .filter(|g| g.game.game_id.starts_with("002"))
            .count();
        assert_eq!(regular, 1230);
        let mut team_points = Vec::new();
        let mut star_points: Vec<i64> = Vec::new();
        for g in &season.games {
            for b in [&g.home, &g.away] {
                let secs: u32 = b
                    .entries
                    .iter()
                    .filter_map(|e| e.played.ok())
                    .map(|s| s.secs)
                    .sum();
                assert_eq!(secs, b.totals.secs);
                assert_eq!(secs, (48 + 5 * (g.periods - 4)) * 60 * 5);
                let pts: i64 = b
                    .entries
                    .iter()
                    .filter_map(|e| e.played.ok())
                    .map(|s| s.pts)
                    .sum();
                assert_eq!(pts, b.totals.pts);
                assert_eq!(b.entries.iter().filter(|e| e.starter.is_some()).count(), 5);
                team_points.push(b.totals.pts);
                for e in &b.entries {
                    if let Ok(s) = e.played {
                        assert_eq!(s.pts, 2 * (s.fgm - s.fg3m) + 3 * s.fg3m + s.ftm);
                        if players[e.player].role == Role::Star {
                            star_points.push(s.pts);
                        }
                    }
                }
            }
            assert_ne!(g.home.totals.pts, g.away.totals.pts);
        }
        let mean = team_points.iter().sum::<i64>() as f64 / team_points.len() as f64;
        assert!((100.0..122.0).contains(&mean), "team mean {mean}");
        let star = star_points.iter().sum::<i64>() as f64 / star_points.len() as f64;
        assert!((18.0..34.0).contains(&star), "star mean {star}");
        let sd = (star_points
            .iter()
            .map(|p| (*p as f64 - star).powi(2))
            .sum::<f64>()
            / star_points.len() as f64)
            .sqrt();
        assert!((5.0..11.0).contains(&sd), "star spread {sd}");
        // Injuries happen, and cost real games.
        let missed: usize = season.injuries.iter().map(|i| i.missed.len()).sum();
        let player_games: usize = season
            .games
            .iter()
            .map(|g| g.home.entries.len() + g.away.entries.len())
            .sum();
        let share = missed as f64 / (player_games + missed) as f64;
        assert!((0.03..0.2).contains(&share), "missed share {share}");

        // With a starter out, the starters who play get more minutes and more shots.
        let mut with = (0.0, 0.0, 0usize);
        let mut without = (0.0, 0.0, 0usize);
        for g in &season.games {
            for b in [&g.home, &g.away] {
                let missing = players
                    .iter()
                    .enumerate()
                    .filter(|(_, p)| p.team == b.team && p.role <= Role::Starter)
                    .filter(|(i, _)| !b.entries.iter().any(|e| e.player == *i && e.played.is_ok()))
                    .count();
                for e in &b.entries {
                    let Ok(s) = e.played else { continue };
                    if players[e.player].role > Role::Starter {
                        continue;
                    }
                    let acc = if missing > 0 { &mut with } else { &mut without };
                    acc.0 += s.secs as f64 / 60.0;
                    acc.1 += s.fga as f64;
                    acc.2 += 1;
                }
            }
        }
        let per = |a: (f64, f64, usize)| (a.0 / a.2 as f64, a.1 / a.2 as f64);
        let (with, without) = (per(with), per(without));
        assert!(with.0 > without.0 + 0.5, "minutes {with:?} vs {without:?}");
        assert!(with.1 > without.1 + 0.3, "shots {with:?} vs {without:?}");
    }
}
