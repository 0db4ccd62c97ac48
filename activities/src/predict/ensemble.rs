//! `ensemble`: the member systems combined as residuals against the line.
//!
//! Every member's prediction is read as a residual, `member − line`: how far it would move
//! off the market's median. The ensemble predicts `line + Σ βₘ · (memberₘ − line)` with
//! coefficients fitted walk-forward, from the members' live predictions of the last
//! [`HISTORY_DAYS`] days that have a result (strictly before the date):
//! - only **seasoned** members are weighed: those with at least [`MIN_HISTORY`] graded
//!   predictions there; the others get no weight (they do count for confidence);
//! - the βs are the **least-absolute-deviation** fit of `actual − line` on the seasoned
//!   members' residuals over the player-games every one of them predicted, each β in 0..1, no
//!   intercept (the line is already the median). A median fit, because the team scores by
//!   absolute error and the line sits at the median of the outcome;
//! - the fit is trusted only from [`MIN_HISTORY`] such player-games and is **shrunk toward the
//!   line** by `n / (n + SHRINK_GAMES)`: with no history the ensemble is the line itself (a
//!   PASS), and it moves off the line as its members prove they can.
//!
//! A player some seasoned member did not predict gets the others' weighted residual with the
//! same total weight (`alpha = Σβ`, `weights = β / alpha`). Confidence is the share of all
//! members on the ensemble's side of the line. The weights and alpha are in the model version
//! (`ensemble-v2-<hash>`) and in the processor's warnings. docs/predictions.md has the rule.
//!
//! A player no member could predict because he has **no history** (no game this season or the
//! last: a rookie before his first game, or any player on the first dates of the data) still
//! gets a row: the line itself, PASS, model version [`LINE_ONLY_MODEL`], and a warning naming
//! him and why. A player with history whom no member predicted is a gap and gets no row.

use std::collections::BTreeMap;

use nbaprops_proto::{ProcessorRequest, ProcessorResult};

use super::inputs::{load_batch, Candidate};
use super::median;
use super::system::{predict_batch, write_batch, Estimate, System};
use crate::analytics::upcoming_player_game_context::days_before;
use crate::error::Result;
use crate::storage::queries;
use crate::storage::warehouse::{Filter, Snapshot, WriteMeta};
use crate::Deps;

pub const NAME: &str = "ensemble";
pub const EDGE_THRESHOLD: f64 = 1.0;
pub const MEMBERS: [&str; 5] = [
    "moving_average",
    "matchup",
    "similarity",
    "gbm",
    "fair_points",
];
pub const HISTORY_DAYS: i64 = 60;
/// Graded predictions a member needs to be weighed, and player-games the fit needs.
pub const MIN_HISTORY: usize = 200;
/// The fitted coefficients count for `n / (n + SHRINK_GAMES)` of themselves.
pub const SHRINK_GAMES: f64 = 200.0;
/// The model version of a row that is the line itself, for a player with no history.
pub const LINE_ONLY_MODEL: &str = "line-only";
/// The start of the warning that names each such player (`… : name [id]`).
pub const LINE_ONLY_WARNING: &str =
    "predicted from the line only (PASS), no game this season or the last";
/// Coordinate-descent passes of the LAD fit (it stops earlier once a pass changes nothing).
const LAD_SWEEPS: usize = 200;

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
    /// The blend `line + Σ βₘ · (memberₘ − line)`, stored as `alpha = Σβ` and `weights =
    /// β / alpha` (all zero when alpha is).
    pub fn from_coefficients(beta: BTreeMap<String, f64>, history: usize) -> Self {
        let alpha: f64 = beta.values().sum();
        let weights = beta
            .into_iter()
            .map(|(m, b)| (m, if alpha > 0.0 { b / alpha } else { 0.0 }))
            .collect();
        Blend {
            weights,
            alpha,
            history,
        }
    }

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
        format!("ensemble-v2-{}", &hash[..12.min(hash.len())])
    }

    /// The weighted mean of the members present (`None` when none of them has weight).
    pub fn combine(&self, members: &BTreeMap<String, f64>) -> Option<f64> {
        let (w, s) = members.iter().fold((0.0, 0.0), |(w, s), (name, p)| {
            let wt = self.weights.get(name).copied().unwrap_or(0.0);
            (w + wt, s + wt * p)
        });
        (w > 0.0).then(|| s / w)
    }
}

pub fn fit(history: &[Graded]) -> Blend {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for g in history {
        *counts.entry(g.system.as_str()).or_default() += 1;
    }
    // (date, player) -> (member residuals, actual − line)
    type Game = (BTreeMap<String, f64>, f64);
    let mut games: BTreeMap<(&str, i64), Game> = BTreeMap::new();
    for g in history {
        let e = games
            .entry((g.game_date.as_str(), g.player_id))
            .or_insert_with(|| (BTreeMap::new(), g.actual - g.line));
        e.0.insert(g.system.clone(), g.predicted - g.line);
    }
    let mut seasoned: Vec<&str> = MEMBERS
        .iter()
        .copied()
        .filter(|m| counts.get(m).is_some_and(|n| *n >= MIN_HISTORY))
        .collect();
    // The player-games every seasoned member predicted; while too few, drop the member with
    // the fewest predictions (the one that limits them most).
    let complete = |members: &[&str]| -> Vec<&Game> {
        games
            .values()
            .filter(|(r, _)| members.iter().all(|m| r.contains_key(*m)))
            .collect()
    };
    let mut rows = complete(&seasoned);
    while !seasoned.is_empty() && rows.len() < MIN_HISTORY {
        let fewest = seasoned
            .iter()
            .enumerate()
            .min_by_key(|(_, m)| counts[**m])
            .map(|(i, _)| i)
            .unwrap_or(0);
        seasoned.remove(fewest);
        rows = complete(&seasoned);
    }
    let mut beta: BTreeMap<String, f64> = MEMBERS.iter().map(|m| (m.to_string(), 0.0)).collect();
    let n = rows.len();
    if !seasoned.is_empty() && n >= MIN_HISTORY {
        let x: Vec<Vec<f64>> = rows
            .iter()
            .map(|(r, _)| seasoned.iter().map(|m| r[*m]).collect())
            .collect();
        let y: Vec<f64> = rows.iter().map(|(_, y)| *y).collect();
        let shrink = n as f64 / (n as f64 + SHRINK_GAMES);
        for (m, b) in seasoned
            .iter()
            .zip(median::lad_fit(&x, &y, 1.0, LAD_SWEEPS))
        {
            beta.insert(m.to_string(), b * shrink);
        }
    }
    Blend::from_coefficients(beta, n)
}

pub fn estimate(
    blend: &Blend,
    members: Option<&BTreeMap<String, f64>>,
    c: &Candidate,
) -> std::result::Result<Estimate, String> {
    let Some(present) = members.filter(|m| !m.is_empty()) else {
        if without_history(c) {
            // Known unknown: the market's number, and no bet.
            return Ok(Estimate {
                points: c.line.line,
                confidence: 0.0,
            });
        }
        return Err("no member system predicted him".to_string());
    };
    // No weighed member predicted him (or none is weighed yet): the line.
    let m = blend.combine(present).unwrap_or(c.line.line);
    let points = c.line.line + blend.alpha * (m - c.line.line);
    // The side of the line: +1 over, -1 under, 0 on it (f64::signum has no 0).
    let side = |p: f64| (p - c.line.line).partial_cmp(&0.0).map_or(0, |o| o as i8);
    let ours = side(points);
    let agree = present
        .values()
        .filter(|p| ours != 0 && side(**p) == ours)
        .count();
    Ok(Estimate {
        points,
        confidence: agree as f64 / present.len() as f64,
    })
}

/// Whether the player has no game this season or the last: no daily-cache row (its
/// `games_played` feature is missing) and no recent scoring in his game context. A player
/// without a feature row or a context is a gap, not a rookie.
pub fn without_history(c: &Candidate) -> bool {
    match (&c.features, &c.context) {
        (Some(_), Some(context)) => {
            c.feature("games_played").is_none()
                && context.points_avg_l5.is_none()
                && context.points_avg_l10.is_none()
        }
        _ => false,
    }
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
    let (mut rows, mut warnings) = predict_batch(&system, &batch, |c| {
        estimate(&blend, members.get(&c.player_id), c)
    });
    for row in rows.iter_mut() {
        if !members.contains_key(&row.player_id) {
            row.model_version = LINE_ONLY_MODEL.to_string();
            warnings.push(format!(
                "{LINE_ONLY_WARNING}: {} [{}]",
                row.player_name, row.player_id
            ));
        }
    }
    let mut result = write_batch(deps, &batch, &system, &extra, meta, &rows, warnings).await?;
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

    fn members(pairs: &[(&str, f64)]) -> BTreeMap<String, f64> {
        pairs.iter().map(|(m, p)| (m.to_string(), *p)).collect()
    }

    #[test]
    fn without_history_the_ensemble_is_the_line() {
        let blend = fit(&[]);
        assert_eq!(blend.alpha, 0.0);
        let e = estimate(
            &blend,
            Some(&members(&[("moving_average", 24.0), ("matchup", 22.0)])),
            &candidate(20.5, &[]),
        )
        .unwrap();
        assert_eq!(e.points, 20.5);
        assert_eq!(e.confidence, 0.0);
        assert!(estimate(&blend, None, &candidate(20.5, &[])).is_err());
        assert!(estimate(&blend, Some(&members(&[])), &candidate(20.5, &[])).is_err());
    }

    #[test]
    fn a_player_with_no_history_gets_the_line_and_one_with_history_is_a_gap() {
        use crate::analytics::upcoming_player_game_context::PlayerContextRow;
        let blend = fit(&[]);
        // A rookie: a feature row and a context, no cache figures, no recent scoring.
        let mut rookie = candidate(8.5, &[]);
        rookie.context = Some(PlayerContextRow::sample());
        assert!(without_history(&rookie));
        let e = estimate(&blend, None, &rookie).unwrap();
        assert_eq!((e.points, e.confidence), (8.5, 0.0));
        // Games this season: no member predicting him is a gap, not a rookie.
        let mut veteran = candidate(20.5, &[("games_played", 12.0)]);
        veteran.context = Some(PlayerContextRow::sample());
        assert!(!without_history(&veteran));
        assert!(estimate(&blend, None, &veteran).is_err());
        // Last season's games only (in his context's recent scoring): not a rookie either.
        let mut returning = candidate(20.5, &[]);
        let mut context = PlayerContextRow::sample();
        context.points_avg_l10 = Some(14.0);
        returning.context = Some(context);
        assert!(!without_history(&returning));
        // No context at all: a gap.
        assert!(!without_history(&candidate(20.5, &[])));
    }

    #[test]
    fn a_hand_computed_blend() {
        // 300 player-games, line 20. similarity says +4 and gbm +2 every time. The actual
        // residual is +2 on 200 games and +8 on 100 (median 2, mean 4). Coordinate descent
        // takes the members in MEMBERS order, similarity first: the weighted median of y/4
        // (0.5 on 200 games, 2 on 100) is 0.5, which fits the 200 exactly; then gbm's partial
        // residuals (0 on 200 games, 6 on 100) have median 0. So β_sim = 0.5, β_gbm = 0,
        // shrunk by 300/(300+200) = 0.6: alpha 0.3, all the weight on similarity.
        // moving_average has only 150 graded predictions: unseasoned, weight 0.
        let mut h = Vec::new();
        for i in 0..300 {
            let p = i as i64;
            let actual = if i % 3 == 2 { 28.0 } else { 22.0 };
            h.push(graded(i, p, "gbm", 22.0, actual));
            h.push(graded(i, p, "similarity", 24.0, actual));
            if i < 150 {
                h.push(graded(i, p, "moving_average", 30.0, actual));
            }
        }
        let b = fit(&h);
        assert_eq!(b.history, 300);
        assert!((b.alpha - 0.3).abs() < 1e-9, "{b:?}");
        assert!((b.weights["similarity"] - 1.0).abs() < 1e-9, "{b:?}");
        assert_eq!(b.weights["gbm"], 0.0);
        assert_eq!(b.weights["moving_average"], 0.0);
        // Today similarity says 25 on a line of 21: 21 + 0.3·4 = 22.2.
        let today = members(&[("similarity", 25.0), ("moving_average", 10.0)]);
        let e = estimate(&b, Some(&today), &candidate(21.0, &[])).unwrap();
        assert!((e.points - 22.2).abs() < 1e-9, "{}", e.points);
        // One of the two members is on the OVER side.
        assert_eq!(e.confidence, 0.5);
        // Without similarity today, no weighed member predicted him: the line.
        let today = members(&[("gbm", 30.0), ("moving_average", 10.0)]);
        let e = estimate(&b, Some(&today), &candidate(21.0, &[]));
        assert_eq!(e.unwrap().points, 21.0);
    }

    #[test]
    fn weights_follow_accuracy_and_the_median() {
        // The actual residual is a signal s in -4..4, plus a wild +30 on a tenth of the games
        // (which would pull a mean). gbm's residual is s; moving_average's is s ± 4; matchup's
        // is -s; similarity's is s plus a pattern of its own. LAD fits gbm exactly on nine
        // games in ten.
        let mut h = Vec::new();
        for i in 0..400 {
            let p = i as i64;
            let s = (i % 9) as f64 - 4.0;
            let actual = 20.0 + s + if i % 10 == 0 { 30.0 } else { 0.0 };
            let noise = if i % 2 == 0 { 4.0 } else { -4.0 };
            h.push(graded(i, p, "gbm", 20.0 + s, actual));
            h.push(graded(i, p, "moving_average", 20.0 + s + noise, actual));
            h.push(graded(i, p, "matchup", 20.0 - s, actual));
            h.push(graded(
                i,
                p,
                "similarity",
                20.0 + s + (i % 5) as f64 - 2.0,
                actual,
            ));
        }
        let b = fit(&h);
        assert_eq!(b.history, 400);
        assert!(b.weights["gbm"] > 0.9, "{b:?}");
        // The whole residual kept before shrinkage: 400/(400+200).
        assert!((b.alpha - 400.0 / 600.0).abs() < 0.02, "{b:?}");
    }

    #[test]
    fn a_member_that_limits_the_common_games_is_dropped() {
        // gbm (250) and similarity (240) are both seasoned but predicted different players:
        // no game has both, so similarity, the one with fewer, is dropped and gbm fits alone
        // (β 1, shrunk by 250/450).
        let mut h = Vec::new();
        for i in 0..250 {
            h.push(graded(i, i as i64, "gbm", 22.0, 22.0));
            if i < 240 {
                h.push(graded(i, 1000 + i as i64, "similarity", 22.0, 22.0));
            }
        }
        let b = fit(&h);
        assert_eq!(b.history, 250);
        assert_eq!(b.weights["gbm"], 1.0);
        assert_eq!(b.weights["similarity"], 0.0);
        assert!((b.alpha - 250.0 / 450.0).abs() < 1e-9, "{b:?}");
    }
}
