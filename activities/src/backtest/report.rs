//! The backtest's figures: for each system, accuracy against what happened and against the
//! line on the same player-games, bets at edges of 1, 2 and 3 points (hit rate with Wilson 95%
//! bounds, ROI at the prices offered), coverage of the lines and why the rest got no
//! prediction, and the leakage guard.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::evaluation::{self, CalibrationBin, GradedGame, PairedDifference};
use super::{BacktestRun, FailedDate};
use crate::error::Result;
use crate::grade::metrics::{opt, Pick, Record, Side, Summary};
use crate::storage::Warehouse;
use crate::Deps;

/// Edges at which bets are counted.
pub const EDGES: [f64; 3] = [1.0, 2.0, 3.0];
/// Below this MAE, or above this hit rate over at least [`LEAKAGE_MIN_BETS`] bets, a backtest
/// is too good to be true: something saw the result.
pub const LEAKAGE_MAE: f64 = 3.5;
pub const LEAKAGE_HIT_RATE: f64 = 0.60;
pub const LEAKAGE_MIN_BETS: usize = 300;
/// Failed steps printed; the JSON has all of them.
const MAX_FAILURES_SHOWN: usize = 12;

/// One system's accuracy and bets over the range (see [`Summary`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SystemReport {
    pub system: String,
    #[serde(flatten)]
    pub summary: Summary,
    /// Its MAE minus the line's on the same player-games, with a date-block bootstrap 95%
    /// interval (negative: closer than the line).
    pub against_line: Option<PairedDifference>,
    /// Predicted against actual (and the line) by decile of the prediction.
    pub calibration: Vec<CalibrationBin>,
    /// Why it made no prediction for a player with a line, with counts.
    pub skipped: BTreeMap<String, usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    /// Distinct (date, sportsbook player) lines on the predicted dates.
    pub lines: usize,
    /// Of them, those with an ensemble prediction.
    pub predicted: usize,
    /// Of those, the line itself (PASS) for a player with no game this season or the last.
    pub line_only: usize,
    pub rate: f64,
    /// Why the others got none, with counts.
    pub reasons: BTreeMap<String, usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The systems' settings, all fixed before the range (none is chosen from its results).
    pub settings: Vec<(String, String)>,
    pub from: String,
    pub to: String,
    pub files: Vec<String>,
    pub dates_backfilled: usize,
    pub dates_predicted: usize,
    pub failed_dates: Vec<FailedDate>,
    pub systems: Vec<SystemReport>,
    pub coverage: Coverage,
    pub leakage_warnings: Vec<String>,
}

/// Too good to be true: an MAE under [`LEAKAGE_MAE`] or a hit rate over [`LEAKAGE_HIT_RATE`],
/// each over at least [`LEAKAGE_MIN_BETS`] graded predictions or bets.
pub fn leakage_warnings(systems: &[SystemReport]) -> Vec<String> {
    let mut out = Vec::new();
    for s in systems {
        let m = &s.summary;
        if let Some(mae) = m.mae {
            if m.graded as usize >= LEAKAGE_MIN_BETS && mae < LEAKAGE_MAE {
                out.push(format!(
                    "{}: MAE {mae:.2} over {} player-games is below {LEAKAGE_MAE}: no honest \
                     points model is this accurate; look for results leaking into features",
                    s.system, m.graded
                ));
            }
        }
        let records = std::iter::once(("its calls".to_string(), &m.record)).chain(
            m.by_edge
                .iter()
                .map(|e| (format!("edge >= {}", e.threshold), &e.record)),
        );
        for (what, r) in records {
            if let Some(h) = r.hit_rate {
                if (r.wins + r.losses) as usize >= LEAKAGE_MIN_BETS && h > LEAKAGE_HIT_RATE {
                    out.push(format!(
                        "{}: hit rate {:.1}% over {} bets ({what}) is above {:.0}%: look for \
                         results leaking into features",
                        s.system,
                        h * 100.0,
                        r.wins + r.losses,
                        LEAKAGE_HIT_RATE * 100.0
                    ));
                }
            }
        }
    }
    out
}

/// Why a player with a line has no ensemble prediction: the plan's reason (his name), else the
/// reason `moving_average` (the member that needs least) gave.
fn reason_of(warning: &str) -> String {
    warning
        .split_once(": ")
        .map_or(warning, |(r, _)| r)
        .to_string()
}

/// A system's graded predictions of the range: the picks and, for those whose player played,
/// the dated games the bootstrap and the calibration read.
#[derive(Default)]
pub(crate) struct Graded {
    pub picks: Vec<Pick>,
    pub games: Vec<GradedGame>,
}

/// Every graded prediction of the range, by system (`prediction_grades`, written by the same
/// grader the GradingWorkflow runs): void when his box score has no row for the date (did not
/// play, or missing from the logs) or shows no minutes.
pub(crate) async fn graded(
    warehouse: &Warehouse,
    from: &str,
    to: &str,
) -> Result<BTreeMap<String, Graded>> {
    let rows = crate::storage::queries::predict::graded_picks(warehouse, from, to).await?;
    let mut out: BTreeMap<String, Graded> = BTreeMap::new();
    for (date, system, predicted, line, edge, rec, over_price, under_price, actual) in rows {
        let g = out.entry(system).or_default();
        if let Some(actual) = actual {
            g.games.push(GradedGame {
                date,
                predicted,
                line,
                actual: actual as f64,
            });
        }
        g.picks.push(Pick {
            predicted_points: predicted,
            line,
            edge,
            side: Side::of_recommendation(&rec),
            over_price,
            under_price,
            actual_points: actual.map(|p| p as f64),
        });
    }
    Ok(out)
}

/// Registry order (the members, then the ensemble), then any other system graded.
pub(crate) fn system_order(by_system: &BTreeMap<String, Graded>) -> Vec<String> {
    registry_order(by_system.keys())
}

/// The Phase 5 systems in registry order (the members, then the ensemble), then `others`
/// that are not among them.
pub(crate) fn registry_order<'a>(others: impl Iterator<Item = &'a String>) -> Vec<String> {
    let mut order: Vec<String> = nbaprops_proto::registry::phase(5)
        .into_iter()
        .filter(nbaprops_proto::registry::is_batched)
        .map(|s| s.name.to_string())
        .collect();
    for s in others {
        if !order.contains(s) {
            order.push(s.clone());
        }
    }
    order
}

/// One system's figures from its graded predictions (none: an empty summary).
pub(crate) fn system_report(
    system: &str,
    graded: Option<&Graded>,
    skipped: BTreeMap<String, usize>,
) -> SystemReport {
    let games = graded.map_or(&[][..], |g| &g.games[..]);
    SystemReport {
        system: system.to_string(),
        summary: Summary::of(graded.map_or(&[][..], |g| &g.picks[..]), &EDGES),
        against_line: evaluation::paired_difference(games),
        calibration: evaluation::calibration(games),
        skipped,
    }
}

pub async fn build(
    deps: &Deps,
    opts: &super::BacktestOptions,
    run: &BacktestRun,
) -> Result<Report> {
    let by_system = graded(&deps.warehouse, &opts.from, &opts.to).await?;
    let systems: Vec<SystemReport> = system_order(&by_system)
        .iter()
        .map(|s| {
            let mut skipped: BTreeMap<String, usize> = BTreeMap::new();
            for (_, processor, w) in &run.warnings {
                if processor == s && w.ends_with(')') {
                    *skipped.entry(reason_of(w)).or_default() += 1;
                }
            }
            system_report(s, by_system.get(s.as_str()), skipped)
        })
        .collect();

    // Coverage: every line of a predicted date is a resolved player (with or without an
    // ensemble prediction) or a plan warning (a name that matched no player, or several).
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    let mut lines = 0;
    let mut predicted = 0;
    for date in &run.predicted_dates {
        let plan = crate::predict::plan::plan(deps, date, None).await?;
        lines += plan.players.len() + plan.warnings.len();
        for w in &plan.warnings {
            *reasons.entry(reason_of(w)).or_default() += 1;
        }
        let ensembled: std::collections::BTreeSet<String> =
            crate::storage::queries::predict::predicted_players(
                &deps.warehouse,
                date,
                crate::predict::ensemble::NAME,
            )
            .await?
            .into_iter()
            .map(|p| p.to_string())
            .collect();
        for p in &plan.players {
            if ensembled.contains(p) {
                predicted += 1;
                continue;
            }
            let tag = format!("({p})");
            let why = run
                .warnings
                .iter()
                .find(|(d, proc_, w)| d == date && proc_ == "moving_average" && w.ends_with(&tag))
                .map_or("no prediction from any system".to_string(), |(_, _, w)| {
                    reason_of(w)
                });
            *reasons.entry(why).or_default() += 1;
        }
    }
    let systems_ref = &systems;
    Ok(Report {
        settings: settings(),
        from: opts.from.clone(),
        to: opts.to.clone(),
        files: run.imports.iter().map(|i| i.file.clone()).collect(),
        dates_backfilled: run.backfilled_dates.len(),
        dates_predicted: run.predicted_dates.len(),
        failed_dates: run.failed.clone(),
        leakage_warnings: leakage_warnings(systems_ref),
        systems,
        coverage: Coverage {
            lines,
            predicted,
            line_only: run
                .warnings
                .iter()
                .filter(|(d, p, w)| {
                    run.predicted_dates.contains(d)
                        && p == crate::predict::ensemble::NAME
                        && w.starts_with(crate::predict::ensemble::LINE_ONLY_WARNING)
                })
                .count(),
            rate: if lines == 0 {
                0.0
            } else {
                (predicted as f64 / lines as f64 * 10_000.0).round() / 10_000.0
            },
            reasons,
        },
    })
}

/// The settings that shape the figures, as `(name, value)`. Every one is a constant of the
/// code, fixed before any backtest range is scored; the walk-forward fits (the ensemble's
/// blend, gbm's weekly model) read only dates before the one they predict.
pub fn settings() -> Vec<(String, String)> {
    use crate::precompute::{fair_projection, player_daily_cache};
    use crate::predict::{ensemble, gbm, similarity};
    [
        ("ensemble.history_days", ensemble::HISTORY_DAYS.to_string()),
        ("ensemble.min_history", ensemble::MIN_HISTORY.to_string()),
        ("ensemble.shrink_games", ensemble::SHRINK_GAMES.to_string()),
        (
            "ensemble.edge_threshold",
            ensemble::EDGE_THRESHOLD.to_string(),
        ),
        ("similarity.k", similarity::K.to_string()),
        ("similarity.pool_days", similarity::POOL_DAYS.to_string()),
        ("gbm.training_days", gbm::TRAINING_DAYS.to_string()),
        ("gbm.median_refits", gbm::MEDIAN_REFITS.to_string()),
        (
            "gbm.median_weight_floor",
            gbm::MEDIAN_WEIGHT_FLOOR.to_string(),
        ),
        (
            "fair_projection.recent_games",
            fair_projection::RECENT_GAMES.to_string(),
        ),
        (
            "fair_projection.minutes_prior_games",
            fair_projection::MINUTES_PRIOR_GAMES.to_string(),
        ),
        (
            "fair_projection.rate_prior_games",
            fair_projection::RATE_PRIOR_GAMES.to_string(),
        ),
        (
            "player_daily_cache.full_season_games",
            player_daily_cache::FULL_SEASON_GAMES.to_string(),
        ),
        ("bootstrap.resamples", evaluation::RESAMPLES.to_string()),
        ("bootstrap.seed", evaluation::SEED.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

fn record_line(system: &str, what: &str, r: &Record) -> String {
    format!(
        "{:<15} {:>6} {:>6} {:>5} {:>5} {:>5} {:>7} {:>13} {:>7}\n",
        system,
        what,
        r.bets,
        r.wins,
        r.losses,
        r.pushes,
        opt(r.hit_rate, 100.0, 1),
        match (r.hit_rate_lo, r.hit_rate_hi) {
            (Some(l), Some(h)) => format!("{:.1}-{:.1}", l * 100.0, h * 100.0),
            _ => "-".into(),
        },
        opt(r.roi, 100.0, 1),
    )
}

/// The report as the command prints it.
pub fn render(r: &Report) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "Backtest {} to {}: {} dates predicted, {} dates backfilled, {} files\n",
        r.from,
        r.to,
        r.dates_predicted,
        r.dates_backfilled,
        r.files.len()
    ));
    let fixed: Vec<String> = r.settings.iter().map(|(k, v)| format!("{k}={v}")).collect();
    out.push_str(&format!(
        "Settings fixed beforehand: {}\n\n",
        fixed.join(" ")
    ));
    out.push_str(&format!(
        "{:<15} {:>6} {:>6} {:>7} {:>8} {:>7} {:>6} {:>6}\n",
        "system", "graded", "voids", "MAE", "line MAE", "bias", "<=3 %", "<=5 %"
    ));
    for s in &r.systems {
        let m = &s.summary;
        out.push_str(&format!(
            "{:<15} {:>6} {:>6} {:>7} {:>8} {:>7} {:>6} {:>6}\n",
            s.system,
            m.graded,
            m.voids,
            opt(m.mae, 1.0, 3),
            opt(m.line_mae, 1.0, 3),
            opt(m.bias, 1.0, 2),
            opt(m.within_3, 100.0, 1),
            opt(m.within_5, 100.0, 1),
        ));
    }
    out.push_str(&format!(
        "\n{:<15} {:>9} {:>17} {:>6}   (MAE minus the line's; date-block bootstrap, {} \
         resamples)\n",
        "system",
        "vs line",
        "95% interval",
        "dates",
        evaluation::RESAMPLES
    ));
    for s in &r.systems {
        if let Some(d) = &s.against_line {
            out.push_str(&format!(
                "{:<15} {:>+9.3} {:>17} {:>6}\n",
                s.system,
                d.mean,
                format!("{:+.3} to {:+.3}", d.lo, d.hi),
                d.dates
            ));
        }
    }
    out.push_str(&format!(
        "\n{:<15} {:>6} {:>6} {:>5} {:>5} {:>5} {:>7} {:>13} {:>7}\n",
        "system", "bets", "n", "won", "lost", "push", "hit %", "Wilson 95%", "ROI %"
    ));
    for s in &r.systems {
        out.push_str(&record_line(&s.system, "calls", &s.summary.record));
        for e in &s.summary.by_edge {
            out.push_str(&record_line(
                &s.system,
                &format!("edge{}", e.threshold),
                &e.record,
            ));
        }
    }
    out.push_str("\nCalibration (mean predicted / actual / line by decile of the prediction)\n");
    for s in &r.systems {
        if s.calibration.is_empty() {
            continue;
        }
        let bins: Vec<String> = s
            .calibration
            .iter()
            .map(|b| {
                format!(
                    "{:.1}/{:.1}/{:.1}",
                    b.mean_predicted, b.mean_actual, b.mean_line
                )
            })
            .collect();
        out.push_str(&format!("{:<15} {}\n", s.system, bins.join("  ")));
    }
    out.push_str(&format!(
        "\nCoverage: {} of {} lines got an ensemble prediction ({:.1}%)\n",
        r.coverage.predicted,
        r.coverage.lines,
        r.coverage.rate * 100.0
    ));
    if r.coverage.line_only > 0 {
        out.push_str(&format!(
            "  {:>6}  of them the line itself, PASS: no game this season or the last\n",
            r.coverage.line_only
        ));
    }
    let mut reasons: Vec<(&String, &usize)> = r.coverage.reasons.iter().collect();
    reasons.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (why, n) in reasons {
        out.push_str(&format!("  {n:>6}  {why}\n"));
    }
    for s in &r.systems {
        if s.skipped.is_empty() {
            continue;
        }
        out.push_str(&format!("\n{} made no prediction for:\n", s.system));
        let mut reasons: Vec<(&String, &usize)> = s.skipped.iter().collect();
        reasons.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for (why, n) in reasons {
            out.push_str(&format!("  {n:>6}  {why}\n"));
        }
    }
    if !r.failed_dates.is_empty() {
        out.push_str(&format!(
            "\n{} failed steps (a failed gate is reported and the date goes on):\n",
            r.failed_dates.len()
        ));
        // The predicted range's first: they explain missing predictions.
        let in_range = |f: &&FailedDate| f.date >= r.from && f.date <= r.to;
        let ordered = r
            .failed_dates
            .iter()
            .filter(in_range)
            .chain(r.failed_dates.iter().filter(|f| !in_range(f)));
        for f in ordered.take(MAX_FAILURES_SHOWN) {
            let error: String = f.error.chars().take(150).collect();
            out.push_str(&format!("  {} phase {}: {error}\n", f.date, f.phases));
        }
        if r.failed_dates.len() > MAX_FAILURES_SHOWN {
            out.push_str(&format!(
                "  ... and {} more (every one, in full, in --json)\n",
                r.failed_dates.len() - MAX_FAILURES_SHOWN
            ));
        }
    }
    for w in &r.leakage_warnings {
        out.push_str(&format!("\nLEAKAGE WARNING: {w}\n"));
    }
    out
}
