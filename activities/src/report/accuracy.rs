//! Accuracy against the line, the same for a date's last graded days and for a backtest: the
//! systems' table, MAE minus the line's with its bootstrap interval, hit rate by edge with
//! Wilson bars, and calibration by decile.

use crate::backtest::report::SystemReport;

use super::page::{self, classed, int, num, pct, text};
use super::plots::{self, Interval, BREAK_EVEN};

/// One row per system: accuracy, against the line, its calls and their record.
pub fn summary_table(systems: &[SystemReport]) -> String {
    let rows: Vec<Vec<page::Cell>> = systems
        .iter()
        .map(|s| {
            let m = &s.summary;
            let against = s.against_line.as_ref().map_or_else(
                || "–".to_string(),
                |d| format!("{:+.3} ({:+.3}, {:+.3})", d.mean, d.lo, d.hi),
            );
            let verdict = match &s.against_line {
                Some(d) if d.hi < 0.0 => classed("OVER", against),
                Some(d) if d.lo > 0.0 => classed("UNDER", against),
                _ => text(against),
            };
            vec![
                text(&s.system),
                int(m.graded),
                int(m.voids),
                num(m.mae, 2),
                num(m.line_mae, 2),
                verdict,
                num(m.bias, 2),
                int(m.record.wins + m.record.losses + m.record.pushes),
                text(format!(
                    "{}-{}-{}",
                    m.record.wins, m.record.losses, m.record.pushes
                )),
                pct(m.record.hit_rate),
                pct(m.record.roi),
            ]
        })
        .collect();
    let mut out = page::table(
        &[
            "system",
            "#graded",
            "#void",
            "#MAE",
            "#line MAE",
            "MAE − line's (95% CI)",
            "#bias",
            "#bets",
            "W-L-P",
            "#hit rate",
            "#ROI",
        ],
        &rows,
    );
    out.push_str(
        "<p class=\"meta\">MAE − line's: the system's mean absolute error minus the line's on \
         the same player-games, with a date-block bootstrap 95% interval; green when the whole \
         interval is below zero (closer than the line), red when above. Bets are the system's \
         own OVER / UNDER calls; PASS is no bet.</p>\n",
    );
    out
}

/// MAE minus the line's MAE per system, with its interval, against zero.
pub fn against_line_plot(systems: &[SystemReport]) -> String {
    let with: Vec<&SystemReport> = systems
        .iter()
        .filter(|s| s.against_line.is_some())
        .collect();
    let labels: Vec<String> = with.iter().map(|s| s.system.clone()).collect();
    let points = with
        .iter()
        .map(|s| {
            s.against_line.as_ref().map(|d| Interval {
                value: d.mean,
                lo: d.lo,
                hi: d.hi,
            })
        })
        .collect();
    page::figure(
        "against-line",
        plots::intervals(
            "MAE minus the line's MAE (below zero: closer than the line)",
            &labels,
            "points",
            &[("MAE − line MAE, 95% CI".into(), points)],
            Some((0.0, "the line")),
            None,
        ),
    )
}

/// Hit rate of the bets at each edge threshold, per system with bets, with Wilson 95% bars
/// and the break-even rate at −110.
pub fn hit_rate_plot(systems: &[SystemReport]) -> String {
    let thresholds: Vec<f64> = systems
        .iter()
        .flat_map(|s| s.summary.by_edge.iter().map(|e| e.threshold))
        .fold(Vec::new(), |mut acc, t| {
            if !acc.contains(&t) {
                acc.push(t);
            }
            acc
        });
    let labels: Vec<String> = thresholds.iter().map(|t| format!("|edge| ≥ {t}")).collect();
    let series: Vec<(String, Vec<Option<Interval>>)> = systems
        .iter()
        .filter(|s| {
            s.summary
                .by_edge
                .iter()
                .any(|e| e.record.hit_rate.is_some())
        })
        .map(|s| {
            let points = thresholds
                .iter()
                .map(|t| {
                    let e = s.summary.by_edge.iter().find(|e| e.threshold == *t)?;
                    Some(Interval {
                        value: e.record.hit_rate?,
                        lo: e.record.hit_rate_lo?,
                        hi: e.record.hit_rate_hi?,
                    })
                })
                .collect();
            (s.system.clone(), points)
        })
        .collect();
    page::figure(
        "hit-rate",
        plots::intervals(
            "Hit rate by edge, Wilson 95% intervals",
            &labels,
            "hit rate",
            &series,
            Some((BREAK_EVEN, "break-even at −110")),
            Some((0.0, 1.0)),
        ),
    )
}

/// Mean actual points against mean predicted, by decile of the prediction.
pub fn calibration_plot(systems: &[SystemReport]) -> String {
    let series: Vec<(String, Vec<(f64, f64)>)> = systems
        .iter()
        .filter(|s| !s.calibration.is_empty())
        .map(|s| {
            (
                s.system.clone(),
                s.calibration
                    .iter()
                    .map(|b| (b.mean_predicted, b.mean_actual))
                    .collect(),
            )
        })
        .collect();
    page::figure(
        "calibration",
        plots::scatter(
            "Calibration: actual against predicted, by decile",
            "predicted points (decile mean)",
            "actual points (mean)",
            &series,
            true,
        ),
    )
}
