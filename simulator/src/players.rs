//! The simulated league: 30 rosters of 14-15 players (a star or two, starters, rotation, bench
//! and end-of-bench players), each with a position, a scoring mean, minutes, shot mix and
//! shooting, rebounding and passing rates. Players keep their ids and teams across seasons;
//! each season moves their scoring a little (age and a random step), and every team's scoring
//! is scaled to a real-looking 106-120 points a game.
//!
//! Names are drawn from generic lists and include accents, apostrophes and suffixes on purpose:
//! the sportsbooks' spelling (no accents, no apostrophes) differs from NBA.com's, as in life.

use std::collections::BTreeSet;

use rand::RngExt;
use rand_distr::{Distribution, Normal};

use crate::rng::sub_rng;
use crate::teams::TEAMS;

const FIRST: &[&str] = &[
    "Aaron", "Adrian", "Alec", "Andre", "Anthony", "Ayo", "Bennett", "Brandon", "Caleb", "Cam",
    "Cedric", "Chris", "Cole", "Damian", "Daniel", "Darius", "De'Andre", "Dejan", "Derrick",
    "Desmond", "Devin", "Dominik", "Donte", "Dylan", "Elijah", "Emmanuel", "Eric", "Evan", "Franz",
    "Gabriel", "Garrett", "Grant", "Hamidou", "Isaiah", "Ivan", "Jabari", "Jalen", "Jamal",
    "Javon", "Jaylin", "Jeremiah", "Jonas", "Jordan", "José", "Josh", "Julian", "Kai", "Keegan",
    "Kendrick", "Kevin", "Khalil", "Kris", "Kyle", "Lamar", "Landry", "Luka", "Malik", "Marcus",
    "Mason", "Matas", "Max", "Mikal", "Miles", "Moses", "Nikola", "Noah", "Obi", "Omar", "Óscar",
    "Patrick", "Quentin", "RJ", "Reggie", "Rui", "Santi", "Scottie", "Shai", "Simone", "Terrence",
    "Theo", "Tre", "Trey", "Tyrese", "Victor", "Walker", "Xavier", "Zach",
];

const LAST: &[&str] = &[
    "Adams",
    "Allen",
    "Anderson",
    "Bailey",
    "Barnes",
    "Bell",
    "Bogdanović",
    "Brooks",
    "Brown",
    "Bryant",
    "Carter",
    "Clark",
    "Coleman",
    "Collins",
    "Cooper",
    "Daniels",
    "Davis",
    "Diallo",
    "Dumont",
    "Edwards",
    "Ellis",
    "Evans",
    "Fernández",
    "Fletcher",
    "Ford",
    "Fox",
    "García",
    "Gibson",
    "Graham",
    "Grant",
    "Green",
    "Hall",
    "Harris",
    "Hayes",
    "Hill",
    "Holmes",
    "Howard",
    "Hughes",
    "Hunter",
    "Jackson",
    "James",
    "Jenkins",
    "Johnson",
    "Jones",
    "Jovanović",
    "Kelly",
    "King",
    "Knight",
    "Lee",
    "Lewis",
    "Marković",
    "Martin",
    "Mitchell",
    "Moore",
    "Morris",
    "Murphy",
    "Nelson",
    "Nowak",
    "O'Brien",
    "O'Neale",
    "Okafor",
    "Ortiz",
    "Parker",
    "Pérez",
    "Petrović",
    "Phillips",
    "Porter",
    "Powell",
    "Price",
    "Reed",
    "Richardson",
    "Rivers",
    "Robinson",
    "Rodríguez",
    "Ross",
    "Russell",
    "Sanders",
    "Schröder",
    "Scott",
    "Simmons",
    "Stewart",
    "Sullivan",
    "Thomas",
    "Thompson",
    "Turner",
    "Valančiūnas",
    "Walker",
    "Ward",
    "Washington",
    "Watson",
    "White",
    "Williams",
    "Wilson",
    "Wright",
    "Young",
];

const COLLEGES: &[&str] = &[
    "Duke",
    "Kentucky",
    "Kansas",
    "North Carolina",
    "UCLA",
    "Gonzaga",
    "Villanova",
    "Arizona",
    "Michigan",
    "Texas",
    "Florida",
    "Baylor",
    "Auburn",
    "Connecticut",
    "Alabama",
    "None",
];

const COUNTRIES: &[&str] = &[
    "USA",
    "USA",
    "USA",
    "USA",
    "USA",
    "USA",
    "Canada",
    "France",
    "Serbia",
    "Slovenia",
    "Spain",
    "Lithuania",
    "Germany",
    "Australia",
    "Nigeria",
    "Greece",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Star,
    Starter,
    Rotation,
    Bench,
    Deep,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Star => "star",
            Role::Starter => "starter",
            Role::Rotation => "rotation",
            Role::Bench => "bench",
            Role::Deep => "deep bench",
        }
    }
}

/// A player as the league knows him, for all seasons.
#[derive(Debug, Clone)]
pub struct Player {
    pub id: i64,
    /// Ball Don't Lie's id: a different number space, as in life.
    pub bdl_id: i64,
    pub first: String,
    pub last: String,
    /// Index into [`TEAMS`].
    pub team: usize,
    /// 'G', 'F' or 'C'.
    pub pos: char,
    pub role: Role,
    pub birth_year: i32,
    pub jersey: u32,
    pub height: String,
    pub weight: u32,
    pub college: &'static str,
    pub country: &'static str,
    pub draft: Option<(i32, u32, u32)>,
    base: Skills,
}

impl Player {
    pub fn name(&self) -> String {
        format!("{} {}", self.first, self.last)
    }

    /// A player known only by name, team, position and jersey (the dense shape's players, who
    /// are drawn by points alone): the other biographical fields get plain values.
    pub fn simple(
        id: i64,
        bdl_id: i64,
        first: &str,
        last: &str,
        team: usize,
        pos: char,
        jersey: u32,
    ) -> Player {
        Player {
            id,
            bdl_id,
            first: first.to_string(),
            last: last.to_string(),
            team,
            pos,
            role: Role::Rotation,
            birth_year: 1998,
            jersey,
            height: "6-6".to_string(),
            weight: 215,
            college: "None",
            country: "USA",
            draft: None,
            base: Skills {
                points: 0.0,
                minutes: 0.0,
                r3: 0.0,
                p2: 0.0,
                p3: 0.0,
                ftr: 0.0,
                ftp: 0.0,
                reb36: 0.0,
                oreb_share: 0.0,
                ast36: 0.0,
                stl36: 0.0,
                blk36: 0.0,
                pf36: 0.0,
            },
        }
    }
}

/// What a player does per game and per minute.
#[derive(Debug, Clone, Copy)]
struct Skills {
    points: f64,
    minutes: f64,
    /// Share of field-goal attempts that are threes.
    r3: f64,
    p2: f64,
    p3: f64,
    /// Free-throw attempts per field-goal attempt.
    ftr: f64,
    ftp: f64,
    reb36: f64,
    oreb_share: f64,
    ast36: f64,
    stl36: f64,
    blk36: f64,
    pf36: f64,
}

/// A player's season: what the game simulation draws from.
#[derive(Debug, Clone, Copy)]
pub struct Rating {
    pub mean_points: f64,
    pub mean_minutes: f64,
    /// Field-goal attempts per minute that produce `mean_points` in `mean_minutes`.
    pub fga_per_min: f64,
    pub r3: f64,
    pub p2: f64,
    pub p3: f64,
    pub ftr: f64,
    pub ftp: f64,
    pub reb36: f64,
    pub oreb_share: f64,
    pub ast36: f64,
    pub stl36: f64,
    pub blk36: f64,
    pub pf36: f64,
    /// Whether the books post a points line for him (a rotation player who scores).
    pub props: bool,
}

/// A team's season: how many points it aims to score and how it defends (a multiplier on the
/// opponent's shooting).
#[derive(Debug, Clone, Copy)]
pub struct TeamSeason {
    pub points: f64,
    pub defense: f64,
}

fn clamp(x: f64, lo: f64, hi: f64) -> f64 {
    x.max(lo).min(hi)
}

/// The league for a seed: the same players whatever the date range.
pub fn league(seed: u64) -> Vec<Player> {
    let mut rng = sub_rng(seed, "league", 0);
    let mut names = BTreeSet::new();
    let mut players = Vec::new();
    let normal = |m: f64, s: f64| Normal::new(m, s).expect("a valid normal");
    for team in 0..TEAMS.len() {
        let two_stars = rng.random_bool(0.3);
        let deep = if rng.random_bool(0.5) { 3 } else { 2 };
        let mut roles = vec![Role::Star];
        roles.extend([Role::Starter; 4]);
        if two_stars {
            roles[1] = Role::Star;
        }
        roles.extend([Role::Rotation; 4]);
        roles.extend([Role::Bench; 3]);
        roles.extend(std::iter::repeat_n(Role::Deep, deep));
        // The first five are the starting five: two guards, two forwards, a center.
        let mut starting = ['G', 'G', 'F', 'F', 'C'];
        for i in (1..5).rev() {
            starting.swap(i, rng.random_range(0..=i));
        }
        let mut jerseys: Vec<u32> = (0..=55).collect();
        for i in (1..jerseys.len()).rev() {
            jerseys.swap(i, rng.random_range(0..=i));
        }
        for (k, role) in roles.into_iter().enumerate() {
            let pos = if k < 5 {
                starting[k]
            } else {
                ['G', 'G', 'F', 'F', 'C'][rng.random_range(0..5)]
            };
            let (first, last) = loop {
                let first = FIRST[rng.random_range(0..FIRST.len())].to_string();
                let mut last = LAST[rng.random_range(0..LAST.len())].to_string();
                let suffix = rng.random_range(0..100);
                if suffix < 4 {
                    last.push_str(" Jr.");
                } else if suffix < 5 {
                    last.push_str(" III");
                }
                if names.insert(format!("{first} {last}")) {
                    break (first, last);
                }
            };
            let (points, minutes) = match role {
                Role::Star => (rng.random_range(22.0..32.0), rng.random_range(33.0..37.0)),
                Role::Starter => (rng.random_range(10.0..19.0), rng.random_range(27.0..33.0)),
                Role::Rotation => (rng.random_range(6.0..12.0), rng.random_range(18.0..26.0)),
                Role::Bench => (rng.random_range(3.0..7.0), rng.random_range(10.0..16.0)),
                Role::Deep => (rng.random_range(1.0..4.0), rng.random_range(4.0..9.0)),
            };
            let star = role == Role::Star;
            let mut draw = |m: f64, s: f64| normal(m, s).sample(&mut rng);
            let base = match pos {
                'G' => Skills {
                    points,
                    minutes,
                    r3: clamp(draw(0.42, 0.07), 0.15, 0.7),
                    p2: clamp(draw(0.50, 0.03), 0.42, 0.6),
                    p3: clamp(draw(0.36, 0.025), 0.28, 0.43),
                    ftr: clamp(draw(if star { 0.33 } else { 0.24 }, 0.05), 0.08, 0.5),
                    ftp: clamp(draw(0.82, 0.05), 0.65, 0.93),
                    reb36: clamp(draw(4.5, 0.8), 2.5, 7.0),
                    oreb_share: 0.12,
                    ast36: clamp(draw(if star { 8.0 } else { 5.5 }, 1.2), 2.0, 11.0),
                    stl36: clamp(draw(1.2, 0.3), 0.4, 2.2),
                    blk36: clamp(draw(0.35, 0.15), 0.05, 1.0),
                    pf36: clamp(draw(2.6, 0.4), 1.5, 4.0),
                },
                'F' => Skills {
                    points,
                    minutes,
                    r3: clamp(draw(0.37, 0.08), 0.1, 0.65),
                    p2: clamp(draw(0.53, 0.03), 0.45, 0.62),
                    p3: clamp(draw(0.355, 0.025), 0.28, 0.42),
                    ftr: clamp(draw(if star { 0.36 } else { 0.26 }, 0.05), 0.1, 0.55),
                    ftp: clamp(draw(0.77, 0.06), 0.6, 0.9),
                    reb36: clamp(draw(7.0, 1.2), 4.0, 11.0),
                    oreb_share: 0.2,
                    ast36: clamp(draw(if star { 5.5 } else { 3.0 }, 0.8), 1.0, 8.0),
                    stl36: clamp(draw(1.0, 0.25), 0.4, 2.0),
                    blk36: clamp(draw(0.7, 0.25), 0.2, 1.6),
                    pf36: clamp(draw(3.0, 0.4), 1.8, 4.5),
                },
                _ => Skills {
                    points,
                    minutes,
                    r3: clamp(draw(0.12, 0.1), 0.01, 0.45),
                    p2: clamp(draw(0.60, 0.04), 0.5, 0.7),
                    p3: clamp(draw(0.33, 0.03), 0.2, 0.4),
                    ftr: clamp(draw(if star { 0.45 } else { 0.34 }, 0.06), 0.15, 0.6),
                    ftp: clamp(draw(0.68, 0.07), 0.5, 0.85),
                    reb36: clamp(draw(11.5, 1.8), 7.0, 16.0),
                    oreb_share: 0.3,
                    ast36: clamp(draw(if star { 5.0 } else { 2.5 }, 0.8), 0.8, 7.0),
                    stl36: clamp(draw(0.8, 0.2), 0.3, 1.5),
                    blk36: clamp(draw(1.6, 0.4), 0.5, 3.0),
                    pf36: clamp(draw(3.6, 0.5), 2.2, 5.0),
                },
            };
            let age = match role {
                Role::Star => rng.random_range(23..32),
                Role::Starter | Role::Rotation => rng.random_range(21..34),
                Role::Bench | Role::Deep => rng.random_range(19..36),
            };
            let (h_lo, h_hi) = match pos {
                'G' => (73, 78),
                'F' => (78, 82),
                _ => (82, 86),
            };
            let inches = rng.random_range(h_lo..=h_hi);
            let i = players.len() as i64;
            let birth_year = 2021 - age;
            let drafted = rng.random_bool(0.85);
            players.push(Player {
                id: 1_626_150 + i * 37,
                bdl_id: 3_547_000 + i * 13,
                first,
                last,
                team,
                pos,
                role,
                birth_year,
                jersey: jerseys[k],
                height: format!("{}-{}", inches / 12, inches % 12),
                weight: (inches as u32 - 60) * 6 + rng.random_range(60..90),
                college: COLLEGES[rng.random_range(0..COLLEGES.len())],
                country: COUNTRIES[rng.random_range(0..COUNTRIES.len())],
                draft: drafted.then(|| {
                    let round = if rng.random_bool(0.7) { 1 } else { 2 };
                    (
                        birth_year + rng.random_range(19..23),
                        round,
                        rng.random_range(1..31) + 30 * (round - 1),
                    )
                }),
                base,
            });
        }
    }
    players
}

/// Every player's rating and every team's strength in the season starting in `year`; the same
/// for a seed and year whatever else is simulated.
pub fn season_ratings(seed: u64, players: &[Player], year: i32) -> (Vec<Rating>, Vec<TeamSeason>) {
    let mut ratings: Vec<Rating> = players
        .iter()
        .map(|p| {
            let mut rng = sub_rng(seed, "season-form", ((p.id as u64) << 16) | year as u64);
            let age = (year - p.birth_year) as f64;
            let age_factor = clamp(1.0 - 0.003 * (age - 27.0).powi(2), 0.7, 1.0);
            let step: f64 = Normal::new(0.0, 0.08)
                .expect("a valid normal")
                .sample(&mut rng);
            let b = p.base;
            let points = b.points * age_factor * step.exp();
            let minutes = clamp(b.minutes * (0.9 + 0.1 * age_factor), 3.0, 38.0);
            Rating {
                mean_points: points,
                mean_minutes: minutes,
                fga_per_min: 0.0,
                r3: b.r3,
                p2: b.p2,
                p3: b.p3,
                ftr: b.ftr,
                ftp: b.ftp,
                reb36: b.reb36,
                oreb_share: b.oreb_share,
                ast36: b.ast36,
                stl36: b.stl36,
                blk36: b.blk36,
                pf36: b.pf36,
                props: false,
            }
        })
        .collect();
    let mut teams = Vec::with_capacity(TEAMS.len());
    for team in 0..TEAMS.len() {
        let mut rng = sub_rng(seed, "team-season", ((team as u64) << 16) | year as u64);
        let target = rng.random_range(106.0..120.0);
        let defense = rng.random_range(0.95..1.05);
        let members: Vec<usize> = (0..players.len())
            .filter(|&i| players[i].team == team)
            .collect();
        let minutes: f64 = members.iter().map(|&i| ratings[i].mean_minutes).sum();
        let expected: f64 = members
            .iter()
            .map(|&i| ratings[i].mean_points * 240.0 / minutes)
            .sum();
        let scale = target / expected;
        for &i in &members {
            let r = &mut ratings[i];
            r.mean_points = (r.mean_points * scale * 10.0).round() / 10.0;
            r.mean_minutes = (r.mean_minutes * 10.0).round() / 10.0;
            let per_shot = 2.0 * (1.0 - r.r3) * r.p2 + 3.0 * r.r3 * r.p3 + r.ftr * r.ftp;
            r.fga_per_min = r.mean_points / (per_shot * r.mean_minutes);
            r.props = r.mean_minutes >= 20.0 || r.mean_points >= 10.0;
        }
        teams.push(TeamSeason {
            points: target,
            defense,
        });
    }
    (ratings, teams)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rosters_are_real_sized_and_unique() {
        let players = league(7);
        for team in 0..30 {
            let roster: Vec<&Player> = players.iter().filter(|p| p.team == team).collect();
            assert!((14..=15).contains(&roster.len()));
            assert!(roster.iter().any(|p| p.role == Role::Star));
            assert!(roster.iter().any(|p| p.pos == 'C'));
            let jerseys: BTreeSet<u32> = roster.iter().map(|p| p.jersey).collect();
            assert_eq!(jerseys.len(), roster.len());
        }
        let ids: BTreeSet<i64> = players.iter().map(|p| p.id).collect();
        let bdl: BTreeSet<i64> = players.iter().map(|p| p.bdl_id).collect();
        let names: BTreeSet<String> = players.iter().map(|p| p.name()).collect();
        assert_eq!(ids.len(), players.len());
        assert_eq!(bdl.len(), players.len());
        assert_eq!(names.len(), players.len());
        assert!(ids.is_disjoint(&bdl));
    }

    #[test]
    fn team_scoring_is_real_sized() {
        let players = league(7);
        let (ratings, teams) = season_ratings(7, &players, 2024);
        for (team, season) in teams.iter().enumerate() {
            assert!((106.0..120.0).contains(&season.points));
            let props = (0..players.len())
                .filter(|&i| players[i].team == team && ratings[i].props)
                .count();
            assert!((5..=11).contains(&props), "{props} players with lines");
        }
        assert!(ratings
            .iter()
            .all(|r| r.fga_per_min > 0.0 && r.mean_points > 0.0));
        // A new season moves the numbers, but not much.
        let (next, _) = season_ratings(7, &players, 2025);
        let moved = ratings
            .iter()
            .zip(&next)
            .filter(|(a, b)| (a.mean_points - b.mean_points).abs() > 0.05)
            .count();
        assert!(moved > players.len() / 2);
    }
}
