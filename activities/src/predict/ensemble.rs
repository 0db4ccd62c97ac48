//! `ensemble`: the member systems combined, and pulled toward the market.
//!
//! Walk-forward, from the members' live predictions of the last [`HISTORY_DAYS`] days that
//! have a result (strictly before the date):
//! - each member's weight is `1 / MAE²` of its predictions there, once every member has
//!   [`MIN_HISTORY`] of them (equal weights before that);
//! - `alpha`, how much of the members' disagreement with the line to keep, is the least-squares
//!   fit of `actual − line` on `combined − line` over those player-games, clamped to 0..1
//!   ([`DEFAULT_ALPHA`] before there are [`MIN_HISTORY`]).
//!
//! Prediction = `line + alpha · (weighted mean of the members − line)`. The line is the
//! strongest single predictor of points there is; the members earn their distance from it.
//! Confidence is the share of members on the ensemble's side of the line. The weights and
//! alpha are in the model version (`ensemble-v1-<hash>`) and in the processor's warnings.

use std::collections::BTreeMap;

use nbaprops_proto::{ProcessorRequest, ProcessorResult};

use super::inputs::{load_batch, Candidate};
use super::system::{run_system, Estimate, System};
use crate::analytics::upcoming_player_game_context::days_before;
use crate::error::Result;
use crate::storage::queries;
use crate::storage::warehouse::{Filter, Snapshot, WriteMeta};
use crate::Deps;

pub const NAME: &str = "ensemble";
pub const EDGE_THRESHOLD: f64 = 1.0;
pub const MEMBERS: [&str; 4] = ["moving_average", "matchup", "similarity", "gbm"];
pub const HISTORY_DAYS: i64 = 60;
pub const MIN_HISTORY: usize = 100;
pub const DEFAULT_ALPHA: f64 = 0.5;

/// An earlier member prediction with its result.
#[derive(Debug, Clone, PartialEq)]
pub struct Graded {
    pub game_date: String,
    pub player_id: i64,
    pub system: String,
    pub predicted: f64,
    pub line: f64,
    pub actual: f64,
}

/// Member weights and the pull toward the line, fitted on earlier results.
#[derive(Debug, Clone, PartialEq)]
pub struct Blend {
    pub weights: BTreeMap<String, f64>,
    pub alpha: f64,
    pub history: usize,
}

impl Blend {
    pub fn describe(&self) -> String {
        let w: Vec<String> = self
            .weights
            .iter()
            .map(|(s, w)| format!("{s} {w:.3}"))
            .collect();
        format!(
            "weights {} alpha {:.3} from {} earlier player-games",
            w.join(", "),
            self.alpha,
            self.history
        )
    }

    pub fn model_version(&self) -> String {
        let hash = crate::hashing::row_hash(&[self.describe().into()]);
        format!("ensemble-v1-{}", &hash[..12.min(hash.len())])
    }

    /// The weighted mean of the members present.
    pub fn combine(&self, members: &BTreeMap<String, f64>) -> Option<f64> {
        let (w, s) = members.iter().fold((0.0, 0.0), |(w, s), (name, p)| {
            let wt = self.weights.get(name).copied().unwrap_or(0.0);
            (w + wt, s + wt * p)
        });
        (w > 0.0).then(|| s / w)
    }
}

pub fn fit(history: &[Graded]) -> Blend {
    let mut errors: BTreeMap<&str, (f64, usize)> = BTreeMap::new();
    for g in history {
        let e = errors.entry(g.system.as_str()).or_default();
        e.0 += (g.predicted - g.actual).abs();
        e.1 += 1;
    }
    let all_seasoned = MEMBERS
        .iter()
        .all(|m| errors.get(m).is_some_and(|(_, n)| *n >= MIN_HISTORY));
    let weights: BTreeMap<String, f64> = MEMBERS
        .iter()
        .map(|m| {
            let w = match errors.get(m) {
                Some((sum, n)) if all_seasoned => {
                    let mae = (sum / *n as f64).max(0.5);
                    1.0 / (mae * mae)
                }
                _ => 1.0,
            };
            (m.to_string(), w)
        })
        .collect();
    let total: f64 = weights.values().sum();
    let weights: BTreeMap<String, f64> = weights.into_iter().map(|(k, w)| (k, w / total)).collect();
    // (date, player) -> (member predictions, line, actual)
    type Game = (BTreeMap<String, f64>, f64, f64);
    let mut games: BTreeMap<(&str, i64), Game> = BTreeMap::new();
    for g in history {
        let e = games
            .entry((g.game_date.as_str(), g.player_id))
            .or_insert_with(|| (BTreeMap::new(), g.line, g.actual));
        e.0.insert(g.system.clone(), g.predicted);
    }
    let mut blend = Blend {
        weights,
        alpha: DEFAULT_ALPHA,
        history: games.len(),
    };
    if games.len() >= MIN_HISTORY {
        let (mut rd, mut dd) = (0.0, 0.0);
        for (members, line, actual) in games.values() {
            if let Some(m) = blend.combine(members) {
                rd += (actual - line) * (m - line);
                dd += (m - line) * (m - line);
            }
        }
        if dd > 0.0 {
            blend.alpha = (rd / dd).clamp(0.0, 1.0);
        }
    }
    blend
}

pub fn estimate(
    blend: &Blend,
    members: Option<&BTreeMap<String, f64>>,
    c: &Candidate,
) -> std::result::Result<Estimate, String> {
    let Some(m) = members.and_then(|m| blend.combine(m)) else {
        return Err("no member system predicted him".to_string());
    };
    let points = c.line.line + blend.alpha * (m - c.line.line);
    let side = (points - c.line.line).signum();
    let members = members
        .map(|m| m.values().collect::<Vec<_>>())
        .unwrap_or_default();
    let agree = members
        .iter()
        .filter(|p| side != 0.0 && (**p - c.line.line).signum() == side)
        .count();
    Ok(Estimate {
        points,
        confidence: agree as f64 / members.len().max(1) as f64,
    })
}

async fn history(snapshot: &mut Snapshot, from: &str, date: &str) -> Result<Vec<Graded>> {
    Ok(queries::predict::graded_rows(snapshot, from, date)
        .await?
        .into_iter()
        .map(
            |(game_date, player_id, system, predicted, line, actual)| Graded {
                game_date,
                player_id,
                system,
                predicted,
                line,
                actual: actual as f64,
            },
        )
        .collect())
}

/// The blend fitted on the graded history before `date`. The batches of a date share one fit
/// (kept in the process's cache), keyed by a digest of the rows it reads: each prediction's
/// and box score's row hash, read in the same transaction as the rows.
async fn blend_for(deps: &Deps, date: &str) -> Result<std::sync::Arc<Blend>> {
    let from = days_before(date, HISTORY_DAYS)?;
    let mut snapshot = deps.warehouse.snapshot().await?;
    let rows = queries::predict::graded_digest(&mut snapshot, &from, date).await?;
    let digest = blake3::hash(rows.as_bytes()).to_hex();
    let key = format!("{from} {date} {digest}");
    let blend = deps
        .predict_cache
        .blends
        .get_or_try_init(&key, || async {
            Ok(fit(&history(&mut snapshot, &from, date).await?))
        })
        .await?;
    snapshot.finish().await?;
    Ok(blend)
}

pub async fn run(
    deps: &Deps,
    req: &ProcessorRequest,
    date: &str,
    meta: &WriteMeta,
) -> Result<ProcessorResult> {
    let batch = load_batch(deps, req, date).await?;
    let blend = blend_for(deps, date).await?;
    let live: Vec<super::predictions::PredictionRow> = deps
        .warehouse
        .rows(
            &Filter::new()
                .eq("game_date", date)
                .is_in("player_id", batch.scope.values.iter().cloned())
                .is_in("system", MEMBERS),
        )
        .await?;
    let mut members: BTreeMap<i64, BTreeMap<String, f64>> = BTreeMap::new();
    let mut member_hashes = Vec::new();
    for p in &live {
        members
            .entry(p.player_id)
            .or_default()
            .insert(p.system.clone(), p.predicted_points);
        member_hashes.push(crate::hashing::row_hash(&[
            p.player_id.into(),
            p.system.clone().into(),
            p.predicted_points.into(),
        ]));
    }
    let system = System {
        name: NAME,
        model_version: blend.model_version(),
        edge_threshold: EDGE_THRESHOLD,
    };
    member_hashes.push(blend.describe());
    let extra = crate::hashing::combine(member_hashes.iter().map(String::as_str));
    let mut result = run_system(deps, &batch, &system, &extra, meta, |c| {
        estimate(&blend, members.get(&c.player_id), c)
    })
    .await?;
    result
        .warnings
        .push(format!("ensemble: {}", blend.describe()));
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::predict::moving_average::tests::candidate;

    fn graded(day: usize, player: i64, system: &str, predicted: f64, actual: f64) -> Graded {
        Graded {
            game_date: format!("2025-01-{:02}", day % 28 + 1),
            player_id: player,
            system: system.into(),
            predicted,
            line: 20.0,
            actual,
        }
    }

    #[test]
    fn equal_weights_and_default_alpha_without_history() {
        let blend = fit(&[]);
        assert_eq!(blend.alpha, DEFAULT_ALPHA);
        assert!(blend.weights.values().all(|w| (w - 0.25).abs() < 1e-12));
        let members: BTreeMap<String, f64> = [
            ("moving_average".to_string(), 24.0),
            ("matchup".to_string(), 22.0),
        ]
        .into();
        // Mean 23 over line 20.5, half kept: 21.75; both members above the line.
        let e = estimate(&blend, Some(&members), &candidate(20.5, &[])).unwrap();
        assert!((e.points - 21.75).abs() < 1e-9);
        assert_eq!(e.confidence, 1.0);
        assert!(estimate(&blend, None, &candidate(20.5, &[])).is_err());
    }

    #[test]
    fn weights_follow_accuracy_and_alpha_fits_the_residual() {
        // gbm is exact, the others 4 points off; actual = line + 2 every time.
        let mut h = Vec::new();
        for i in 0..200 {
            let p = i as i64;
            h.push(graded(i, p, "gbm", 22.0, 22.0));
            h.push(graded(i, p, "moving_average", 26.0, 22.0));
            h.push(graded(i, p, "matchup", 18.0, 22.0));
            h.push(graded(i, p, "similarity", 26.0, 22.0));
        }
        let b = fit(&h);
        // 1/0.5² (MAE floored at 0.5) against 1/4² for the others.
        assert!(b.weights["gbm"] > 0.9, "{b:?}");
        assert_eq!(b.history, 200);
        assert!(b.alpha > 0.8 && b.alpha <= 1.0, "{}", b.alpha);
    }
}
