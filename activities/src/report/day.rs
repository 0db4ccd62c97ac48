//! A date's page: the slate, the last graded days, the day's run against the deadline, and
//! the data's health. Every section renders whatever is missing, and says what is.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use chrono_tz::America::New_York;

use super::accuracy;
use super::data::{DayReport, ROLLING_DAYS};
use super::page::{self, classed, int, num, text};
use super::plots::{self, Series};
use crate::predict::ensemble;

fn et(t: DateTime<Utc>) -> String {
    t.with_timezone(&New_York)
        .format("%Y-%m-%d %H:%M:%S ET")
        .to_string()
}

fn et_clock(t: DateTime<Utc>) -> String {
    t.with_timezone(&New_York).format("%H:%M:%S").to_string()
}

/// The whole page of a date.
pub fn render(r: &DayReport) -> String {
    let mut body = header(r);
    body.push_str(&page::section("slate", "The slate", &slate(r)));
    body.push_str(&page::section(
        "graded",
        &format!("The last {} graded days", super::data::GRADED_DAYS),
        &graded(r),
    ));
    body.push_str(&page::section("run", "The day's run", &run(r)));
    body.push_str(&page::section("health", "Data health", &health(r)));
    page::shell(&format!("nbaprops · {}", r.date), &body)
}

fn header(r: &DayReport) -> String {
    let live = r.slate.iter().filter(|s| s.call.is_some()).count();
    let calls = |c: &str| {
        r.slate
            .iter()
            .filter(|s| s.call.as_deref() == Some(c))
            .count()
    };
    let reruns = runs_of_pipeline(r).saturating_sub(1);
    let mut out = format!(
        "<h1>nbaprops · {}</h1>\n<p class=\"meta\">Generated {}. {} players with a line, {} \
         ensemble predictions ({} OVER, {} UNDER, {} PASS), {} alerts, {} reruns.</p>\n",
        page::escape(&r.date),
        et(r.generated_at),
        r.slate.len(),
        live,
        calls("OVER"),
        calls("UNDER"),
        calls("PASS"),
        r.alerts.len(),
        reruns,
    );
    out.push_str(
        "<nav><a href=\"#slate\">Slate</a><a href=\"#graded\">Graded days</a>\
         <a href=\"#run\">The run</a><a href=\"#health\">Data health</a></nav>\n",
    );
    if r.is_empty() {
        out.push_str(&page::bad(&format!(
            "No data for {} in this warehouse: no line, prediction, run, alert or grade. Run \
             the day (nbaprops run day --date {}) or check which warehouse this is.",
            r.date, r.date
        )));
    } else if live == 0 {
        out.push_str(&page::bad(&format!(
            "No prediction for {}: {}",
            r.date,
            why_no_predictions(r)
        )));
    }
    out
}

/// Runs of the day's pipeline (grading apart): the first, then the reruns.
fn runs_of_pipeline(r: &DayReport) -> usize {
    r.groups.iter().filter(|g| !g.is_grading()).count()
}

/// The first failure of the day, else how far it got.
fn why_no_predictions(r: &DayReport) -> String {
    if let Some(f) = r.runs.iter().find(|x| x.status != "ok") {
        return format!(
            "{} (phase {}) failed: {}",
            f.processor,
            f.phase,
            f.error.as_deref().unwrap_or("no error recorded")
        );
    }
    match r.runs.iter().map(|x| x.phase).max() {
        Some(p) => format!("the run history reaches phase {p} and no further"),
        None => "nothing has run for the date".into(),
    }
}

fn slate(r: &DayReport) -> String {
    if r.slate.is_empty() {
        return page::note(&format!(
            "No player has a line for {}: no games that day, or Phase 3 has not run for it.",
            r.date
        ));
    }
    let mut by_call: BTreeMap<String, Vec<(f64, f64)>> = BTreeMap::new();
    for s in &r.slate {
        if let (Some(call), Some(p)) = (&s.call, s.predictions.get(ensemble::NAME)) {
            by_call.entry(call.clone()).or_default().push((s.line, *p));
        }
    }
    let mut out = page::figure(
        "slate",
        plots::scatter(
            "The ensemble's prediction against the line",
            "line (points)",
            "predicted points",
            &by_call.into_iter().collect::<Vec<_>>(),
            false,
        ),
    );
    let mut headers: Vec<String> = ["player", "team", "opp", "#line", "book"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    headers.extend(r.systems.iter().map(|s| format!("#{s}")));
    headers.extend(["call", "#edge", "injury", "rerun"].map(String::from));
    let rows: Vec<Vec<page::Cell>> = r
        .slate
        .iter()
        .map(|s| {
            let mut row = vec![
                text(&s.player_name),
                text(&s.team),
                text(&s.opponent),
                num(Some(s.line), 1),
                text(&s.book),
            ];
            row.extend(
                r.systems
                    .iter()
                    .map(|sys| num(s.predictions.get(sys).copied(), 1)),
            );
            row.push(match &s.call {
                Some(c) => classed(c, c),
                None => classed("PASS", "none"),
            });
            row.push(num(s.edge, 1));
            row.push(text(s.injury.clone().unwrap_or_default()));
            let rerun = if s.replaced.is_empty() {
                String::new()
            } else {
                let live = s.call.iter().map(|c| {
                    let p = s
                        .predictions
                        .get(ensemble::NAME)
                        .copied()
                        .unwrap_or_default();
                    format!("{p:.1} {c}")
                });
                s.replaced
                    .iter()
                    .map(|(p, c)| format!("{p:.1} {c}"))
                    .chain(live)
                    .collect::<Vec<_>>()
                    .join(" → ")
            };
            row.push(text(rerun));
            row
        })
        .collect();
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    out.push_str(&page::table(&headers, &rows));
    out.push_str(
        "<p class=\"meta\">Strongest edge first. The rerun column shows the ensemble's earlier \
         predictions an injury rerun replaced, then the live one.</p>\n",
    );
    out
}

fn graded(r: &DayReport) -> String {
    let (Some(first), Some(last)) = (r.graded_dates.first(), r.graded_dates.last()) else {
        return page::note(&format!(
            "No graded prediction on or before {} yet: a date is graded once every game's box \
             score is in (nbaprops grade --date D).",
            r.date
        ));
    };
    let mut out = format!(
        "<p class=\"meta\">{} graded dates, {} to {}.</p>\n",
        r.graded_dates.len(),
        page::escape(first),
        page::escape(last)
    );
    out.push_str(&accuracy::summary_table(&r.graded));
    out.push_str(&page::figure("rolling-mae", rolling_mae(r)));
    out.push_str(&accuracy::against_line_plot(&r.graded));
    out.push_str(&accuracy::hit_rate_plot(&r.graded));
    out.push_str(&accuracy::calibration_plot(&r.graded));
    out
}

/// Each system's MAE over the last [`ROLLING_DAYS`] graded dates at each date, and the line's
/// (over the ensemble's player-games, else the first system's).
fn rolling_mae(r: &DayReport) -> Result<String, String> {
    let index: BTreeMap<&str, usize> = r
        .graded_dates
        .iter()
        .enumerate()
        .map(|(i, d)| (d.as_str(), i))
        .collect();
    let n = r.graded_dates.len();
    let rolled = |system: &str, line: bool| -> Vec<(f64, f64)> {
        let mut per_date = vec![(0usize, 0.0f64); n];
        for d in r.daily.iter().filter(|d| d.system == system) {
            if let Some(&i) = index.get(d.date.as_str()) {
                per_date[i] = (
                    d.graded,
                    if line {
                        d.line_abs_error_sum
                    } else {
                        d.abs_error_sum
                    },
                );
            }
        }
        (0..n)
            .filter_map(|i| {
                let window = &per_date[i.saturating_sub(ROLLING_DAYS - 1)..=i];
                let count: usize = window.iter().map(|w| w.0).sum();
                let sum: f64 = window.iter().map(|w| w.1).sum();
                (count > 0).then(|| (i as f64, sum / count as f64))
            })
            .collect()
    };
    let mut series: Vec<Series> = r
        .graded
        .iter()
        .map(|s| Series {
            name: s.system.clone(),
            points: rolled(&s.system, false),
            reference: false,
        })
        .collect();
    let line_basis = r
        .graded
        .iter()
        .find(|s| s.system == ensemble::NAME)
        .or(r.graded.first());
    if let Some(b) = line_basis {
        series.push(Series {
            name: "the line".into(),
            points: rolled(&b.system, true),
            reference: true,
        });
    }
    plots::lines(
        &format!("Rolling MAE over {ROLLING_DAYS} graded dates"),
        &r.graded_dates,
        "mean absolute error (points)",
        &series,
    )
}

fn run(r: &DayReport) -> String {
    if r.runs.is_empty() {
        return page::note(&format!(
            "Nothing has run for {} in this warehouse's run history.",
            r.date
        ));
    }
    let mut out = page::figure(
        "timeline",
        plots::timeline(
            "Phases and processors on the Eastern clock",
            &r.runs,
            r.deadline,
        ),
    );
    out.push_str(&deadline_note(r));

    // One row per phase: when it started and finished, and against the deadline.
    let mut phases: BTreeMap<i64, (DateTime<Utc>, DateTime<Utc>, usize, usize)> = BTreeMap::new();
    for x in &r.runs {
        let end = x.started + chrono::Duration::milliseconds(x.duration_ms);
        let e = phases.entry(x.phase).or_insert((x.started, end, 0, 0));
        e.0 = e.0.min(x.started);
        e.1 = e.1.max(end);
        e.2 += 1;
        e.3 += usize::from(x.status != "ok");
    }
    let rows: Vec<Vec<page::Cell>> = phases
        .iter()
        .map(|(p, (start, end, runs, failed))| {
            vec![
                int(p),
                int(runs),
                int(failed),
                text(et_clock(*start)),
                text(et_clock(*end)),
                num(Some((*end - *start).num_milliseconds() as f64 / 1000.0), 1),
            ]
        })
        .collect();
    out.push_str("<h3>Phases</h3>\n");
    out.push_str(&page::table(
        &[
            "#phase",
            "#attempts",
            "#failed",
            "first start (ET)",
            "last finish (ET)",
            "#seconds",
        ],
        &rows,
    ));

    out.push_str("<h3>Quality gates</h3>\n");
    let gates: Vec<Vec<page::Cell>> = r
        .gates()
        .map(|g| {
            vec![
                int(g.phase),
                int(g.attempt),
                classed(if g.status == "ok" { "OVER" } else { "UNDER" }, &g.status),
                text(et_clock(g.started)),
                text(g.error.clone().unwrap_or_default()),
            ]
        })
        .collect();
    if gates.is_empty() {
        out.push_str(&page::note("No quality gate has run for the date."));
    } else {
        out.push_str(&page::table(
            &["#phase", "#attempt", "result", "at (ET)", "failed checks"],
            &gates,
        ));
    }

    out.push_str("<h3>Alerts</h3>\n");
    if r.alerts.is_empty() {
        out.push_str("<p>No alert for the date.</p>\n");
    } else {
        let rows: Vec<Vec<page::Cell>> = r
            .alerts
            .iter()
            .map(|a| {
                vec![
                    text(&a.created_at),
                    text(&a.kind),
                    classed(
                        if a.severity == "critical" {
                            "UNDER"
                        } else {
                            "PASS"
                        },
                        &a.severity,
                    ),
                    text(&a.subject),
                    text(&a.message),
                ]
            })
            .collect();
        out.push_str(&page::table(
            &["created", "kind", "severity", "subject", "message"],
            &rows,
        ));
    }

    out.push_str("<h3>Runs and reruns</h3>\n");
    let mut pipeline_runs = 0;
    let rows: Vec<Vec<page::Cell>> = r
        .groups
        .iter()
        .map(|g| {
            let what = if g.is_grading() {
                "grading"
            } else {
                pipeline_runs += 1;
                if pipeline_runs == 1 {
                    "the day"
                } else {
                    "rerun"
                }
            };
            vec![
                text(what),
                text(&g.trigger),
                text(&g.correlation_id),
                text(et(g.started)),
                num(Some(g.latency_secs()), 1),
                int(g.runs),
                int(g.failed),
                int(g.rows_written),
            ]
        })
        .collect();
    out.push_str(&page::table(
        &[
            "run",
            "trigger",
            "correlation id",
            "started",
            "#seconds (first start to last finish)",
            "#attempts",
            "#failed",
            "#rows written",
        ],
        &rows,
    ));
    out
}

/// When the predictions were complete (the last Phase 5 run of the first run of the day)
/// against the deadline.
fn deadline_note(r: &DayReport) -> String {
    let Some(first) = r.groups.iter().find(|g| !g.is_grading()) else {
        return String::new();
    };
    let done = r
        .runs
        .iter()
        .filter(|x| x.correlation_id == first.correlation_id && x.phase == 5 && x.status == "ok")
        .map(|x| x.started + chrono::Duration::milliseconds(x.duration_ms))
        .max();
    let Some(done) = done else {
        return page::bad(&format!(
            "The predictions of {} did not complete (no successful Phase 5 run).",
            r.date
        ));
    };
    if !plots::deadline_on_clock(first.started, done, r.deadline) {
        return page::note(&format!(
            "Predictions complete at {}: this date ran long after its day (a backfill, replay \
             or simulation), so the 10:00 ET deadline of {} is not drawn.",
            et(done),
            r.date
        ));
    }
    let margin = (r.deadline - done).num_seconds() as f64 / 60.0;
    let text = if margin >= 0.0 {
        format!(
            "Predictions complete at {}, {margin:.1} minutes before the 10:00 ET deadline.",
            et(done)
        )
    } else {
        format!(
            "Predictions complete at {}, {:.1} minutes after the 10:00 ET deadline.",
            et(done),
            -margin
        )
    };
    if margin >= 0.0 {
        format!("<p>{}</p>\n", page::escape(&text))
    } else {
        page::bad(&text)
    }
}

fn health(r: &DayReport) -> String {
    let lined = r.slate.len();
    let predicted = r.slate.iter().filter(|s| s.call.is_some()).count();
    let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
    for s in &r.skipped {
        let key = s.reason.split(':').next().unwrap_or(&s.reason);
        *reasons.entry(key).or_default() += 1;
    }
    let mut bars = vec![("predicted".to_string(), predicted as f64)];
    bars.extend(reasons.iter().map(|(k, v)| (k.to_string(), *v as f64)));
    let mut out = if lined == 0 {
        page::note("No player with a line: nothing to cover.")
    } else {
        format!(
            "<p>{predicted} of {lined} players with a line have an ensemble prediction \
             ({:.1}%).</p>\n",
            100.0 * predicted as f64 / lined as f64
        )
    };
    out.push_str(&page::figure(
        "coverage",
        if lined == 0 {
            Err("no player with a line".into())
        } else {
            plots::bars(
                "Players with a line: predicted, or why not",
                "players",
                &bars,
            )
        },
    ));
    if !r.skipped.is_empty() {
        out.push_str("<h3>Players with a line and no prediction</h3>\n");
        let rows: Vec<Vec<page::Cell>> = r
            .skipped
            .iter()
            .map(|s| vec![text(&s.player_name), text(&s.reason)])
            .collect();
        out.push_str(&page::table(&["player", "why"], &rows));
    }
    out.push_str("<h3>Sportsbook names that matched no player</h3>\n");
    if r.unmatched_names.is_empty() {
        out.push_str("<p>Every sportsbook name of the date matched a known player.</p>\n");
    } else {
        let rows: Vec<Vec<page::Cell>> = r.unmatched_names.iter().map(|n| vec![text(n)]).collect();
        out.push_str(&page::table(&["sportsbook's spelling"], &rows));
    }
    out
}
