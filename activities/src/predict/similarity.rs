//! `similarity`: what happened in the most similar earlier player-games.
//!
//! Every earlier player-game with a feature row (the last [`POOL_DAYS`] days, every player) is
//! a point in a standardised space of context features: the line, his form and its spread,
//! minutes, rest, venue, the game's spread and total, the opponent's defence, pace, usage and
//! the line's movement. For a player today, the [`K`] nearest earlier games (distance over the
//! features both have; at least [`MIN_SHARED`]) each say by how much the scorer beat or missed
//! his line; the prediction is today's line plus their distance-weighted median (a median,
//! because a few blow-out nights would pull a mean off the typical outcome). Fewer than
//! [`MIN_POOL`] earlier games and the system does not predict.

use nbaprops_proto::{ProcessorRequest, ProcessorResult};

use super::history::{labelled_history, LabelledGame};
use super::inputs::{feature_index, load_batch, Candidate};
use super::system::{run_system, Estimate, System};
use crate::analytics::upcoming_player_game_context::days_before;
use crate::error::Result;
use crate::storage::warehouse::WriteMeta;
use crate::Deps;

pub const NAME: &str = "similarity";
pub const MODEL_VERSION: &str = "similarity-v2";
pub const EDGE_THRESHOLD: f64 = 1.0;
pub const K: usize = 50;
pub const MIN_POOL: usize = 200;
pub const MIN_SHARED: usize = 6;
pub const POOL_DAYS: i64 = 365;

/// The context features compared.
pub const CONTEXT: [&str; 12] = [
    "line",
    "points_avg_l10",
    "points_std_l10",
    "minutes_avg_l10",
    "days_rest",
    "home",
    "spread",
    "game_total",
    "opp_def_rating_vs_league",
    "pace_factor",
    "usage_avg_l10",
    "line_movement",
];

pub fn system() -> System {
    System {
        name: NAME,
        model_version: MODEL_VERSION.to_string(),
        edge_threshold: EDGE_THRESHOLD,
    }
}

/// The earlier games in standardised context space.
pub struct Pool {
    points: Vec<(Vec<Option<f64>>, f64)>,
    mean: Vec<f64>,
    std: Vec<f64>,
}

impl Pool {
    pub fn new<'a, I>(games: I) -> Self
    where
        I: IntoIterator<Item = &'a LabelledGame>,
        I::IntoIter: Clone,
    {
        let games = games.into_iter();
        let idx: Vec<usize> = CONTEXT.iter().map(|n| feature_index(n)).collect();
        let mut mean = vec![0.0; idx.len()];
        let mut std = vec![1.0; idx.len()];
        for (k, i) in idx.iter().enumerate() {
            let xs: Vec<f64> = games.clone().filter_map(|g| g.features[*i]).collect();
            if xs.is_empty() {
                continue;
            }
            let m = xs.iter().sum::<f64>() / xs.len() as f64;
            let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / xs.len() as f64;
            mean[k] = m;
            std[k] = if v.sqrt() > 1e-9 { v.sqrt() } else { 1.0 };
        }
        let points = games
            .map(|g| {
                let z = idx
                    .iter()
                    .enumerate()
                    .map(|(k, i)| g.features[*i].map(|x| (x - mean[k]) / std[k]))
                    .collect();
                (z, g.actual_points - g.line)
            })
            .collect();
        Self { points, mean, std }
    }

    pub fn len(&self) -> usize {
        self.points.len()
    }

    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    fn standardise(&self, c: &Candidate) -> Vec<Option<f64>> {
        CONTEXT
            .iter()
            .enumerate()
            .map(|(k, n)| c.feature(n).map(|x| (x - self.mean[k]) / self.std[k]))
            .collect()
    }

    /// The distance-weighted median residual of the `k` nearest earlier games.
    pub fn nearest_residual(&self, c: &Candidate, k: usize) -> Option<f64> {
        let q = self.standardise(c);
        let mut near: Vec<(f64, f64)> = self
            .points
            .iter()
            .filter_map(|(z, residual)| {
                let mut sum = 0.0;
                let mut shared = 0;
                for (a, b) in q.iter().zip(z) {
                    if let (Some(a), Some(b)) = (a, b) {
                        sum += (a - b).powi(2);
                        shared += 1;
                    }
                }
                (shared >= MIN_SHARED).then(|| ((sum / shared as f64).sqrt(), *residual))
            })
            .collect();
        if near.len() < k {
            return None;
        }
        // The k nearest in (distance, residual) order: a total order, so selecting them first
        // and sorting only those gives exactly the head of the whole sorted list.
        let order = |a: &(f64, f64), b: &(f64, f64)| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1));
        if k > 0 {
            near.select_nth_unstable_by(k - 1, order);
            near.truncate(k);
        }
        near.sort_by(order);
        let weighted: Vec<(f64, f64)> = near[..k]
            .iter()
            .map(|(d, residual)| (*residual, 1.0 / (1.0 + d)))
            .collect();
        super::median::weighted_median(&weighted)
    }
}

pub fn estimate(pool: &Pool, c: &Candidate) -> std::result::Result<Estimate, String> {
    if pool.len() < MIN_POOL {
        return Err(format!(
            "fewer than {MIN_POOL} earlier player-games to compare ({} so far)",
            pool.len()
        ));
    }
    if c.features.is_none() {
        return Err("no feature row for the date".to_string());
    }
    let Some(residual) = pool.nearest_residual(c, K) else {
        return Err(format!(
            "fewer than {MIN_SHARED} context features known for him"
        ));
    };
    Ok(Estimate {
        points: c.line.line + residual,
        confidence: (residual.abs() / 5.0).min(1.0),
    })
}

pub async fn run(
    deps: &Deps,
    req: &ProcessorRequest,
    date: &str,
    meta: &WriteMeta,
) -> Result<ProcessorResult> {
    let batch = load_batch(deps, req, date).await?;
    let games = labelled_history(deps, &days_before(date, POOL_DAYS)?, date).await?;
    let pool_hash = crate::hashing::row_hash(&[
        (games.len() as i64).into(),
        games.last().map(|g| g.game_date.clone()).into(),
    ]);
    // The batches of a date (and a rerun over unchanged history) share one pool.
    let pool = deps
        .predict_cache
        .pools
        .get_or_try_init(&games.digest, || async {
            let refs: Vec<&LabelledGame> = games.iter().collect();
            Ok(Pool::new(refs.iter().copied()))
        })
        .await?;
    run_system(deps, &batch, &system(), &pool_hash, meta, |c| {
        estimate(&pool, c)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::precompute::ml_feature_store::FEATURE_NAMES;
    use crate::predict::moving_average::tests::candidate;

    fn game(line: f64, l10: f64, home: f64, actual: f64) -> LabelledGame {
        let mut features = vec![None; FEATURE_NAMES.len()];
        for (n, v) in [
            ("line", line),
            ("points_avg_l10", l10),
            ("points_std_l10", 5.0),
            ("minutes_avg_l10", 30.0),
            ("days_rest", 1.0),
            ("home", home),
        ] {
            features[feature_index(n)] = Some(v);
        }
        LabelledGame {
            game_date: "2025-01-01".into(),
            player_id: 1,
            features,
            line,
            actual_points: actual,
        }
    }

    #[test]
    fn neighbours_carry_their_residual() {
        // Home games with form above the line beat it by 4; away games below it miss by 3.
        let mut games = Vec::new();
        for i in 0..150 {
            let j = i as f64 / 10.0;
            games.push(game(20.0 + j, 25.0 + j, 1.0, 24.0 + j));
            games.push(game(20.0 + j, 16.0 + j, 0.0, 17.0 + j));
        }
        let pool = Pool::new(&games);
        let c = |l10: f64, home: f64| {
            candidate(
                22.0,
                &[
                    ("points_avg_l10", l10),
                    ("points_std_l10", 5.0),
                    ("minutes_avg_l10", 30.0),
                    ("days_rest", 1.0),
                    ("home", home),
                ],
            )
        };
        let over = estimate(&pool, &c(27.0, 1.0)).unwrap();
        assert!((over.points - 26.0).abs() < 1e-9, "{}", over.points);
        let under = estimate(&pool, &c(18.0, 0.0)).unwrap();
        assert!((under.points - 19.0).abs() < 1e-9, "{}", under.points);
        // Too small a pool: no prediction, with the reason.
        let small = Pool::new(&games[..100]);
        assert!(estimate(&small, &c(27.0, 1.0))
            .unwrap_err()
            .contains("fewer than 200"));
    }

    #[test]
    fn a_few_blowouts_among_the_neighbours_do_not_move_the_median() {
        // Ten blow-outs (+21 over the line) sit exactly on today's context; 290 ordinary games
        // (+1) sit a little further. The 50 nearest are the 10 blow-outs at full weight and 40
        // ordinary games at about 0.3 each: a weighted mean would say about +10, the weighted
        // median says +1.
        let mut games: Vec<LabelledGame> = (0..10).map(|_| game(20.0, 22.0, 1.0, 41.0)).collect();
        games.extend((0..290).map(|_| game(20.0, 22.1, 1.0, 21.0)));
        let pool = Pool::new(&games);
        let c = candidate(
            20.0,
            &[
                ("points_avg_l10", 22.0),
                ("points_std_l10", 5.0),
                ("minutes_avg_l10", 30.0),
                ("days_rest", 1.0),
                ("home", 1.0),
            ],
        );
        let e = estimate(&pool, &c).unwrap();
        assert!((e.points - 21.0).abs() < 1e-9, "{}", e.points);
    }
}
