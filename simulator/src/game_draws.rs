//! The random draws of one game's box score: minutes, shots and counting stats, and the
//! distributions they use.

use rand::rngs::Xoshiro256PlusPlus;
use rand::RngExt;
use rand_distr::{Binomial, Distribution, Normal, Poisson};

use crate::players::{Rating, Role};
use crate::season_out::Stats;

pub(crate) fn poisson(rng: &mut Xoshiro256PlusPlus, lambda: f64) -> i64 {
    if lambda <= 0.0 {
        return 0;
    }
    Poisson::new(lambda).expect("a valid poisson").sample(rng) as i64
}

pub(crate) fn binomial(rng: &mut Xoshiro256PlusPlus, n: i64, p: f64) -> i64 {
    if n <= 0 {
        return 0;
    }
    Binomial::new(n as u64, p.clamp(0.0, 1.0))
        .expect("a valid binomial")
        .sample(rng) as i64
}

pub(crate) fn normal(rng: &mut Xoshiro256PlusPlus, mean: f64, sd: f64) -> f64 {
    Normal::new(mean, sd).expect("a valid normal").sample(rng)
}

pub(crate) fn half_point(x: f64) -> f64 {
    (x * 2.0).round() / 2.0
}

/// A player's scoring in one game.
#[derive(Clone, Copy)]
pub(crate) struct Shooter<'a> {
    pub(crate) rating: &'a Rating,
    /// His game form: a multiplier on his share of the team's shots.
    pub(crate) form: f64,
    /// The opponent's defense and home court, on his percentages.
    pub(crate) shade: f64,
}

impl Shooter<'_> {
    /// His expected field-goal attempts in `secs`, before form.
    pub(crate) fn rate(&self, secs: u32) -> f64 {
        self.rating.fga_per_min * secs as f64 / 60.0
    }

    /// Takes `fga` shots (and the free throws that come with them) in `secs`.
    pub(crate) fn shoot(&self, rng: &mut Xoshiro256PlusPlus, fga: i64, secs: u32, s: &mut Stats) {
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
pub(crate) fn team_shots(
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
pub(crate) fn fill_counting_stats(rng: &mut Xoshiro256PlusPlus, r: &Rating, s: &mut Stats) {
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
pub(crate) fn minutes(
    rng: &mut Xoshiro256PlusPlus,
    roles: &[(Role, f64)],
    total_secs: u32,
) -> Vec<u32> {
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
