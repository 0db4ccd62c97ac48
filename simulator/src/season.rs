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

use anyhow::Result;
use chrono::{Duration, NaiveDate};
use rand::rngs::Xoshiro256PlusPlus;
use rand::RngExt;
use rand_distr::{Binomial, Distribution, Normal, Poisson};

use super::players::{season_ratings, Player, Rating, Role, TeamSeason};
use super::schedule::{calendar, season_games, Calendar, Game};
use super::sub_rng;
use super::teams::TEAMS;

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

    fn add(&mut self, o: &Stats) {
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

fn poisson(rng: &mut Xoshiro256PlusPlus, lambda: f64) -> i64 {
    if lambda <= 0.0 {
        return 0;
    }
    Poisson::new(lambda).expect("a valid poisson").sample(rng) as i64
}

fn binomial(rng: &mut Xoshiro256PlusPlus, n: i64, p: f64) -> i64 {
    if n <= 0 {
        return 0;
    }
    Binomial::new(n as u64, p.clamp(0.0, 1.0))
        .expect("a valid binomial")
        .sample(rng) as i64
}

fn normal(rng: &mut Xoshiro256PlusPlus, mean: f64, sd: f64) -> f64 {
    Normal::new(mean, sd).expect("a valid normal").sample(rng)
}

fn half_point(x: f64) -> f64 {
    (x * 2.0).round() / 2.0
}

/// A player's scoring in one game.
#[derive(Clone, Copy)]
struct Shooter<'a> {
    rating: &'a Rating,
    /// His game form: a multiplier on his share of the team's shots.
    form: f64,
    /// The opponent's defense and home court, on his percentages.
    shade: f64,
}

impl Shooter<'_> {
    /// His expected field-goal attempts in `secs`, before form.
    fn rate(&self, secs: u32) -> f64 {
        self.rating.fga_per_min * secs as f64 / 60.0
    }

    /// Takes `fga` shots (and the free throws that come with them) in `secs`.
    fn shoot(&self, rng: &mut Xoshiro256PlusPlus, fga: i64, secs: u32, s: &mut Stats) {
        let r = self.rating;
        let fg3a = binomial(rng, fga, r.r3);
        let fg3m = binomial(rng, fg3a, r.p3 * self.shade);
        let fg2m = binomial(rng, fga - fg3a, r.p2 * self.shade);
        let fta = poisson(rng, fga as f64 * r.ftr);
        let ftm = binomial(rng, fta, r.ftp);
        s.secs += secs;
        s.fga += fga;
        s.fg3a += fg3a;
        s.fg3m += fg3m;
        s.fgm += fg2m + fg3m;
        s.fta += fta;
        s.ftm += ftm;
        s.pts += 2 * fg2m + 3 * fg3m + ftm;
    }
}

/// A team's shots for one stretch: the total follows the expected pace (not a sum of
/// independent draws, so team scores spread like real ones), shared out by each player's rate
/// and form.
fn team_shots(
    rng: &mut Xoshiro256PlusPlus,
    shooters: &[Shooter],
    secs: &[u32],
    boost: f64,
    pace_sd: f64,
) -> Vec<i64> {
    let rates: Vec<f64> = shooters.iter().zip(secs).map(|(p, s)| p.rate(*s)).collect();
    let expected: f64 = rates.iter().sum::<f64>() * boost;
    let mut left = (expected * normal(rng, 0.0, pace_sd).exp()).round() as i64;
    let weights: Vec<f64> = rates
        .iter()
        .zip(shooters)
        .map(|(r, p)| r * p.form)
        .collect();
    let mut mass: f64 = weights.iter().sum();
    weights
        .iter()
        .map(|w| {
            if left <= 0 || mass <= 0.0 {
                return 0;
            }
            let n = binomial(rng, left, (w / mass).min(1.0));
            left -= n;
            mass -= w;
            n
        })
        .collect()
}

/// The numbers that do not decide the score, from the player's final minutes.
fn fill_counting_stats(rng: &mut Xoshiro256PlusPlus, r: &Rating, s: &mut Stats) {
    let per36 = s.secs as f64 / 60.0 / 36.0;
    let reb = poisson(rng, r.reb36 * per36);
    s.oreb = binomial(rng, reb, r.oreb_share);
    s.dreb = reb - s.oreb;
    s.ast = poisson(rng, r.ast36 * per36);
    s.stl = poisson(rng, r.stl36 * per36);
    s.blk = poisson(rng, r.blk36 * per36);
    s.tov = poisson(rng, 0.1 * s.fga as f64 + 0.6 * per36);
    s.pf = poisson(rng, r.pf36 * per36).min(6);
}

/// Minutes for the available players, exactly `total_secs` between them.
fn minutes(rng: &mut Xoshiro256PlusPlus, roles: &[(Role, f64)], total_secs: u32) -> Vec<u32> {
    let mut target: Vec<f64> = roles
        .iter()
        .map(|&(role, mean)| {
            let sits = match role {
                Role::Deep => rng.random_bool(0.55),
                Role::Bench => rng.random_bool(0.12),
                _ => false,
            };
            if sits {
                0.0
            } else {
                mean * normal(rng, 0.0, 0.08).exp()
            }
        })
        .collect();
    // Nine players at least get in, when there are nine.
    for i in 0..target.len() {
        if target.iter().filter(|t| **t > 0.0).count() >= 9 {
            break;
        }
        if target[i] == 0.0 {
            target[i] = roles[i].1;
        }
    }
    let total = total_secs as f64 / 60.0;
    let cap = 44.0 * total / 240.0;
    let mut capped = vec![false; target.len()];
    loop {
        let fixed: f64 = (0..target.len()).filter(|&i| capped[i]).map(|_| cap).sum();
        let free: f64 = (0..target.len())
            .filter(|&i| !capped[i])
            .map(|i| target[i])
            .sum();
        let scale = (total - fixed) / free;
        let mut again = false;
        for i in 0..target.len() {
            if !capped[i] && target[i] * scale > cap {
                capped[i] = true;
                again = true;
            }
        }
        if !again {
            for i in 0..target.len() {
                target[i] = if capped[i] { cap } else { target[i] * scale };
            }
            break;
        }
    }
    let mut secs: Vec<u32> = target.iter().map(|m| (m * 60.0).round() as u32).collect();
    let sum: i64 = secs.iter().map(|s| *s as i64).sum();
    let top = (0..secs.len()).max_by_key(|&i| secs[i]).expect("players");
    secs[top] = (secs[top] as i64 + total_secs as i64 - sum) as u32;
    secs
}

struct State {
    /// Season points of each player, in game order.
    history: Vec<Vec<i64>>,
    /// Each player's latest injury (index into `injuries`).
    latest: Vec<Option<usize>>,
    injuries: Vec<Injury>,
    record: Vec<(u32, u32)>,
}

impl State {
    fn out_on(&self, p: usize, date: NaiveDate) -> Option<&Injury> {
        let inj = &self.injuries[self.latest[p]?];
        inj.missed.contains(&date).then_some(inj)
    }

    fn listed_out_on(&self, p: usize, date: NaiveDate) -> bool {
        self.latest[p]
            .map(|i| &self.injuries[i])
            .is_some_and(|inj| inj.status == "Out" && inj.listed_on(date))
    }
}

/// Simulates the season starting in `year`.
pub fn simulate_season(seed: u64, players: &[Player], year: i32) -> Result<SeasonOut> {
    let cal = calendar(year);
    let schedule = season_games(seed, year)?;
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

#[allow(clippy::too_many_arguments)]
fn play(
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
            if !ratings[p].props || st.listed_out_on(p, date) {
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
fn postseason(
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

fn next_game(dates: &[NaiveDate], after: NaiveDate) -> Option<NaiveDate> {
    dates.get(dates.partition_point(|d| *d <= after)).copied()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::players::league;

    #[test]
    fn a_season_plays_out_with_real_numbers() {
        let players = league(5);
        let season = simulate_season(5, &players, 2023).unwrap();
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
