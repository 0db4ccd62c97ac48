//! How sure the backtest's figures are: a date-block bootstrap interval on each system's MAE
//! difference against the line, and its calibration (predicted against actual by decile).
//!
//! Player-games of one date share the night (pace, blow-outs, a book's mood), so they are not
//! independent: the bootstrap resamples whole dates, not player-games.

use std::collections::BTreeMap;

use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use serde::{Deserialize, Serialize};

/// Bootstrap resamples.
pub const RESAMPLES: usize = 2000;
/// Fixed seed: the same picks give the same interval on every run.
pub const SEED: u64 = 20_251_021;

/// A system's mean of `|predicted − actual| − |line − actual|` over the graded player-games
/// (negative: closer than the line), with its date-block bootstrap 95% interval.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairedDifference {
    pub mean: f64,
    pub lo: f64,
    pub hi: f64,
    pub dates: usize,
    pub player_games: usize,
}

/// One decile of the graded predictions, ordered by predicted points.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationBin {
    pub count: usize,
    pub mean_predicted: f64,
    pub mean_actual: f64,
    pub mean_line: f64,
}

/// A graded player-game: its date, the prediction, the line, what he scored.
#[derive(Debug, Clone, PartialEq)]
pub struct GradedGame {
    pub date: String,
    pub predicted: f64,
    pub line: f64,
    pub actual: f64,
}

/// The paired difference and its interval; `None` without graded games.
pub fn paired_difference(games: &[GradedGame]) -> Option<PairedDifference> {
    let mut by_date: BTreeMap<&str, (f64, usize)> = BTreeMap::new();
    for g in games {
        let e = by_date.entry(g.date.as_str()).or_default();
        e.0 += (g.predicted - g.actual).abs() - (g.line - g.actual).abs();
        e.1 += 1;
    }
    let blocks: Vec<(f64, usize)> = by_date.into_values().collect();
    let mean_of = |picked: &mut dyn Iterator<Item = &(f64, usize)>| {
        let (sum, n) = picked.fold((0.0, 0), |(s, n), (bs, bn)| (s + bs, n + bn));
        (n > 0).then(|| sum / n as f64)
    };
    let mean = mean_of(&mut blocks.iter())?;
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(SEED);
    let mut means: Vec<f64> = (0..RESAMPLES)
        .filter_map(|_| {
            let mut picked = (0..blocks.len()).map(|_| &blocks[rng.random_range(0..blocks.len())]);
            mean_of(&mut picked)
        })
        .collect();
    means.sort_by(f64::total_cmp);
    let at = |q: f64| means[((q * (means.len() - 1) as f64).round() as usize).min(means.len() - 1)];
    Some(PairedDifference {
        mean,
        lo: at(0.025),
        hi: at(0.975),
        dates: blocks.len(),
        player_games: games.len(),
    })
}

/// Ten bins of (about) equal size by predicted points, lowest first; fewer when there are
/// fewer than ten games.
pub fn calibration(games: &[GradedGame]) -> Vec<CalibrationBin> {
    let mut sorted: Vec<&GradedGame> = games.iter().collect();
    sorted.sort_by(|a, b| a.predicted.total_cmp(&b.predicted));
    let bins = 10.min(sorted.len());
    (0..bins)
        .map(|i| {
            let part = &sorted[i * sorted.len() / bins..(i + 1) * sorted.len() / bins];
            let mean = |f: fn(&GradedGame) -> f64| {
                part.iter().map(|g| f(g)).sum::<f64>() / part.len() as f64
            };
            CalibrationBin {
                count: part.len(),
                mean_predicted: mean(|g| g.predicted),
                mean_actual: mean(|g| g.actual),
                mean_line: mean(|g| g.line),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn game(date: &str, predicted: f64, line: f64, actual: f64) -> GradedGame {
        GradedGame {
            date: date.into(),
            predicted,
            line,
            actual,
        }
    }

    #[test]
    fn the_difference_by_hand_and_a_degenerate_interval() {
        // Two dates; the system is 1 point closer than the line on every game.
        let games = vec![
            game("d1", 21.0, 22.0, 20.0),
            game("d1", 19.0, 18.0, 20.0),
            game("d2", 30.0, 29.0, 31.0),
        ];
        let d = paired_difference(&games).unwrap();
        assert_eq!(d.mean, -1.0);
        // Every resample has the same per-game difference: the interval is a point.
        assert_eq!((d.lo, d.hi), (-1.0, -1.0));
        assert_eq!((d.dates, d.player_games), (2, 3));
        assert!(paired_difference(&[]).is_none());
    }

    #[test]
    fn the_interval_covers_the_mean_and_resamples_dates() {
        // Ten dates: on five the system is 2 better than the line, on five 1 worse.
        let mut games = Vec::new();
        for day in 0..10 {
            let date = format!("d{day}");
            for _ in 0..20 {
                if day % 2 == 0 {
                    games.push(game(&date, 20.0, 22.0, 20.0));
                } else {
                    games.push(game(&date, 21.0, 20.0, 20.0));
                }
            }
        }
        let d = paired_difference(&games).unwrap();
        assert!((d.mean + 0.5).abs() < 1e-12);
        assert!(d.lo < d.mean && d.mean < d.hi, "{d:?}");
        // Whole dates move together, so the interval is wide (a player-game bootstrap of 200
        // games would be about ±0.2): at least ±0.4 here.
        assert!(d.hi - d.lo > 0.8, "{d:?}");
        // Reproducible.
        assert_eq!(paired_difference(&games), Some(d));
    }

    #[test]
    fn calibration_by_decile() {
        let games: Vec<GradedGame> = (0..20)
            .map(|i| game("d", i as f64, 10.0, i as f64 + 1.0))
            .collect();
        let bins = calibration(&games);
        assert_eq!(bins.len(), 10);
        assert_eq!(bins[0].count, 2);
        assert_eq!(bins[0].mean_predicted, 0.5);
        assert_eq!(bins[0].mean_actual, 1.5);
        assert_eq!(bins[9].mean_predicted, 18.5);
        assert_eq!(calibration(&games[..3]).len(), 3);
    }
}
