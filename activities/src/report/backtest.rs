//! A backtest's page (`nbaprops backtest --json`, then `nbaprops report --backtest`): the
//! range and settings, the systems' accuracy against the line with the same plots as a date's
//! graded days, coverage, the leakage guard and the failed dates.

use crate::backtest::report::Report;

use super::accuracy;
use super::page::{self, int, pct, text};
use super::plots;

pub fn render(r: &Report, source: &str) -> String {
    let mut body = format!(
        "<h1>nbaprops backtest · {} to {}</h1>\n<p class=\"meta\">From {}. {} dates \
         backfilled, {} predicted, {} failed steps.</p>\n<nav><a href=\"#graded\">Accuracy</a>\
         <a href=\"#health\">Coverage</a><a href=\"#settings\">Settings</a></nav>\n",
        page::escape(&r.from),
        page::escape(&r.to),
        page::escape(source),
        r.dates_backfilled,
        r.dates_predicted,
        r.failed_dates.len()
    );
    for w in &r.leakage_warnings {
        body.push_str(&page::bad(w));
    }

    let mut graded = String::new();
    if r.systems.iter().all(|s| s.summary.graded == 0) {
        graded.push_str(&page::note("No graded prediction in the backtest's range."));
    }
    graded.push_str(&accuracy::summary_table(&r.systems));
    graded.push_str(&accuracy::against_line_plot(&r.systems));
    graded.push_str(&accuracy::hit_rate_plot(&r.systems));
    graded.push_str(&accuracy::calibration_plot(&r.systems));
    body.push_str(&page::section(
        "graded",
        "Accuracy against the line",
        &graded,
    ));

    let c = &r.coverage;
    let mut health = format!(
        "<p>{} of {} lines have an ensemble prediction ({:.1}%); {} of them the line itself \
         (a player with no game this season or the last).</p>\n",
        c.predicted,
        c.lines,
        c.rate * 100.0,
        c.line_only
    );
    let mut bars = vec![("predicted".to_string(), c.predicted as f64)];
    bars.extend(c.reasons.iter().map(|(k, v)| (k.clone(), *v as f64)));
    health.push_str(&page::figure(
        "coverage",
        plots::bars("Lines: predicted, or why not", "lines", &bars),
    ));
    let rows: Vec<Vec<page::Cell>> = c
        .reasons
        .iter()
        .map(|(k, v)| {
            vec![
                text(k),
                int(v),
                pct(Some(*v as f64 / c.lines.max(1) as f64)),
            ]
        })
        .collect();
    if !rows.is_empty() {
        health.push_str(&page::table(
            &["why no prediction", "#lines", "#share"],
            &rows,
        ));
    }
    if !r.failed_dates.is_empty() {
        health.push_str("<h3>Failed steps</h3>\n");
        let rows: Vec<Vec<page::Cell>> = r
            .failed_dates
            .iter()
            .map(|f| vec![text(&f.date), text(&f.phases), text(&f.error)])
            .collect();
        health.push_str(&page::table(&["date", "phases", "error"], &rows));
    }
    body.push_str(&page::section("health", "Coverage", &health));

    let rows: Vec<Vec<page::Cell>> = r
        .settings
        .iter()
        .map(|(k, v)| vec![text(k), text(v)])
        .collect();
    let mut settings = page::table(&["setting", "value"], &rows);
    if !r.files.is_empty() {
        settings.push_str(&format!(
            "<p class=\"meta\">Data: {}</p>\n",
            page::escape(&r.files.join(", "))
        ));
    }
    body.push_str(&page::section("settings", "Settings", &settings));
    page::shell(&format!("nbaprops backtest {} to {}", r.from, r.to), &body)
}
