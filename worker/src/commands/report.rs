//! What the terminal shows: a finished day, a grading run, the predictions table and the run
//! history of a date, as text.

use nbaprops_activities::ops::alerts::StoredAlert;
use nbaprops_activities::ops::run_history::{self, RunRow};
use nbaprops_activities::predict::predictions::PredictionRow;
use nbaprops_proto::{DayResult, GradeResult, Phase};

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "-".into(), |v| format!("{:.1}", v * 100.0))
}

fn num(x: Option<f64>) -> String {
    x.map_or_else(|| "-".into(), |v| format!("{v:.2}"))
}

/// A finished grading run: the counts, then one line per system.
pub fn summarize_grade(result: &GradeResult) -> String {
    let mut out = format!(
        "{} ({}): {} predictions, {} graded, {} void",
        result.game_date, result.correlation_id, result.predictions, result.graded, result.voids
    );
    if let Some(g) = &result.grading {
        out.push_str(&format!(
            "; prediction_grades written {}, unchanged {}, removed {}",
            g.rows_written, g.rows_unchanged, g.rows_removed
        ));
    }
    out.push('\n');
    out.push_str(&format!(
        "  {:<20} {:>6} {:>5} {:>6} {:>6} {:>6} {:>8} {:>5} {:>9} {:>6} {:>15} {:>7} {:>7}\n",
        "system",
        "graded",
        "void",
        "MAE",
        "line",
        "bias",
        "within3",
        "bets",
        "W-L-P",
        "hit%",
        "95% CI",
        "profit",
        "ROI%"
    ));
    for s in &result.systems {
        out.push_str(&format!(
            "  {:<20} {:>6} {:>5} {:>6} {:>6} {:>6} {:>8} {:>5} {:>9} {:>6} {:>15} {:>+7.2} {:>7}\n",
            s.system,
            s.graded,
            s.voids,
            num(s.mae),
            num(s.line_mae),
            num(s.bias),
            pct(s.within_3),
            s.bets,
            format!("{}-{}-{}", s.wins, s.losses, s.pushes),
            pct(s.hit_rate),
            match (s.hit_rate_lo, s.hit_rate_hi) {
                (Some(lo), Some(hi)) => format!("[{}, {}]", pct(Some(lo)), pct(Some(hi))),
                _ => "-".into(),
            },
            s.profit,
            pct(s.roi),
        ));
        if s.default_priced > 0 {
            out.push_str(&format!(
                "  {:<20} ({} bets had no price for their side: -110 assumed)\n",
                "", s.default_priced
            ));
        }
    }
    if let Some(g) = &result.grading {
        for w in &g.warnings {
            out.push_str(&format!("  warning: {w}\n"));
        }
    }
    out
}

/// One line per phase of a finished day.
pub fn summarize_day(result: &DayResult) -> String {
    let mut out = format!("{} ({})\n", result.game_date, result.correlation_id);
    for p in &result.phases {
        if p.phase == Phase::Scrape.number() {
            let payloads: usize = p.scrapes.iter().map(|s| s.payloads.len()).sum();
            let records: u32 = p.scrapes.iter().map(|s| s.records_seen).sum();
            out.push_str(&format!(
                "  phase 1  {} sources, {payloads} payloads, {records} records\n",
                p.scrapes.len()
            ));
        } else {
            for r in &p.processors {
                out.push_str(&format!(
                    "  phase {}  {:<28} {}  read {:>5}  written {:>5}  unchanged {:>5}  removed {:>4}{}\n",
                    p.phase,
                    r.processor,
                    r.data_date,
                    r.rows_read,
                    r.rows_written,
                    r.rows_unchanged,
                    r.rows_removed,
                    if r.warnings.is_empty() { String::new() } else { format!("  ({} warnings)", r.warnings.len()) }
                ));
            }
        }
    }
    out
}

/// The predictions of a date as a table.
/// One line per player: his line, every system's predicted points, and the ensemble's call
/// (the published one), players with the biggest ensemble edge first.
pub fn predictions_table(rows: &[PredictionRow]) -> String {
    let systems: Vec<&str> = nbaprops_proto::registry::phase(5)
        .into_iter()
        .filter(nbaprops_proto::registry::is_batched)
        .map(|s| s.name)
        .collect();
    let mut players: Vec<i64> = Vec::new();
    for r in rows {
        if !players.contains(&r.player_id) {
            players.push(r.player_id);
        }
    }
    // Each player's published call: the ensemble's, else the first system's.
    let mut calls: std::collections::BTreeMap<i64, &PredictionRow> = Default::default();
    for r in rows {
        let slot = calls.entry(r.player_id).or_insert(r);
        if r.system == "ensemble" {
            *slot = r;
        }
    }
    players.sort_by(|a, b| {
        let edge = |id: &i64| calls.get(id).map_or(0.0, |r| r.edge.abs());
        edge(b).total_cmp(&edge(a)).then(a.cmp(b))
    });
    let mut out = format!("{:<24} {:>6} {:<10}", "player", "line", "book");
    for s in &systems {
        out.push_str(&format!(" {:>10}", short(s)));
    }
    out.push_str(&format!("  {:>6} {:<5} {:>5}\n", "edge", "call", "conf"));
    for id in players {
        let Some(call) = calls.get(&id).copied() else {
            continue;
        };
        out.push_str(&format!(
            "{:<24} {:>6.1} {:<10}",
            call.player_name, call.line, call.line_source
        ));
        for s in &systems {
            let p = rows.iter().find(|r| r.player_id == id && r.system == *s);
            out.push_str(&format!(
                " {:>10}",
                p.map_or("-".to_string(), |p| format!("{:.2}", p.predicted_points))
            ));
        }
        out.push_str(&format!(
            "  {:>+6.2} {:<5} {:>5.2}\n",
            call.edge, call.recommendation, call.confidence
        ));
    }
    out
}

/// A column header short enough for the table.
fn short(system: &str) -> &str {
    match system {
        "moving_average" => "moving_avg",
        "similarity" => "similar",
        other => other,
    }
}

fn parse_utc(ts: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(ts)
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc))
}

/// The run history of a game date, phase by phase: for each processor (or source) the latest
/// run of each scope it ran over (a prediction system runs once per batch), their counts summed,
/// the status, the time it took and how many runs the history holds for it (retries, reruns);
/// each phase's wall time from its first start to its last end. Then the alerts of the date.
pub fn format_run_history(runs: &[RunRow], alerts: &[StoredAlert]) -> String {
    use std::collections::BTreeMap;
    let mut out = String::new();
    if runs.is_empty() {
        out.push_str("run history: no processor or scrape has run for this date\n");
    } else {
        let last = runs.last().expect("not empty");
        out.push_str(&format!(
            "run history ({} runs; latest: {}, mode {}, trigger {}):\n",
            runs.len(),
            last.correlation_id,
            last.mode,
            last.trigger_kind
        ));
    }
    let mut phases: BTreeMap<i64, Vec<&RunRow>> = BTreeMap::new();
    let mut gates: BTreeMap<i64, Vec<&RunRow>> = BTreeMap::new();
    for r in runs {
        let by_phase = if r.kind == run_history::KIND_GATE {
            &mut gates
        } else {
            &mut phases
        };
        by_phase.entry(r.phase).or_default().push(r);
    }
    for (phase, rows) in phases {
        // The latest run of each (processor, data date, scope), processors in first-run order.
        let mut order: Vec<&str> = Vec::new();
        let mut latest: BTreeMap<(&str, &str, &str), &RunRow> = BTreeMap::new();
        let mut count: BTreeMap<&str, usize> = BTreeMap::new();
        for r in &rows {
            if !order.contains(&r.processor.as_str()) {
                order.push(&r.processor);
            }
            *count.entry(&r.processor).or_default() += 1;
            latest.insert((&r.processor, &r.data_date, &r.scope), r);
        }
        let current: Vec<&RunRow> = latest.values().copied().collect();
        let start = current
            .iter()
            .filter_map(|r| parse_utc(&r.started_at))
            .min();
        let end = current
            .iter()
            .filter_map(|r| {
                parse_utc(&r.started_at).map(|t| t + chrono::Duration::milliseconds(r.duration_ms))
            })
            .max();
        let failed = order
            .iter()
            .filter(|p| {
                current
                    .iter()
                    .any(|r| r.processor == **p && r.status != "ok")
            })
            .count();
        out.push_str(&format!(
            "phase {phase}  {} {}, {} ok, {failed} failed",
            order.len(),
            if phase == i64::from(Phase::Scrape.number()) {
                "sources"
            } else {
                "processors"
            },
            order.len() - failed,
        ));
        if let (Some(s), Some(e)) = (start, end) {
            out.push_str(&format!(
                "  {} -> {} UTC ({:.2} s)",
                s.format("%Y-%m-%d %H:%M:%S%.3f"),
                e.format("%H:%M:%S%.3f"),
                (e - s).num_milliseconds() as f64 / 1000.0
            ));
        }
        out.push('\n');
        for name in order {
            let mine: Vec<&RunRow> = current
                .iter()
                .copied()
                .filter(|r| r.processor == name)
                .collect();
            let sum = |f: fn(&RunRow) -> i64| mine.iter().map(|r| f(r)).sum::<i64>();
            let newest = mine
                .iter()
                .max_by(|a, b| a.started_at.cmp(&b.started_at))
                .expect("a processor has runs");
            let bad = mine.iter().find(|r| r.status != "ok");
            let dates: Vec<&str> = {
                let mut d: Vec<&str> = mine.iter().map(|r| r.data_date.as_str()).collect();
                d.sort();
                d.dedup();
                d
            };
            out.push_str(&format!(
                "  {:<32} {:<10} {:<6} read {:>6}  written {:>6}  unchanged {:>6}  removed {:>5}  {:>7} ms{}  {}{}\n",
                name,
                dates.join(","),
                if bad.is_some() { "FAILED" } else { "ok" },
                sum(|r| r.rows_read),
                sum(|r| r.rows_written),
                sum(|r| r.rows_unchanged),
                sum(|r| r.rows_removed),
                sum(|r| r.duration_ms),
                if mine.len() > 1 {
                    format!(" in {} batches", mine.len())
                } else {
                    String::new()
                },
                newest.workflow_id,
                match count[name] - mine.len() {
                    0 => String::new(),
                    n => format!("  ({n} earlier runs)"),
                }
            ));
            if let Some(b) = bad {
                out.push_str(&format!(
                    "      error (attempt {}): {}\n",
                    b.attempt,
                    b.error.as_deref().unwrap_or("")
                ));
            }
        }
        if let Some(checks) = gates.get(&phase) {
            out.push_str(&format_gate(checks));
        }
    }
    if alerts.is_empty() {
        out.push_str("alerts: none\n");
    } else {
        out.push_str(&format!("alerts ({}):\n", alerts.len()));
        for a in alerts {
            out.push_str(&format!(
                "  {} {:<8} {:<16} {}: {}\n",
                a.created_at, a.severity, a.kind, a.subject, a.message
            ));
        }
    }
    out
}

/// The gate after a phase: its latest check, and how many checks (attempts, reruns) came
/// before it.
fn format_gate(checks: &[&RunRow]) -> String {
    let latest = checks.last().expect("a gate has checks");
    let earlier = match checks.len() - 1 {
        0 => String::new(),
        n => format!("  ({n} earlier checks)"),
    };
    match latest.status.as_str() {
        "ok" => format!(
            "  gate: passed ({} checks){earlier}  {}\n",
            latest.rows_read, latest.workflow_id
        ),
        _ => format!(
            "  gate: FAILED (attempt {}){earlier}  {}\n      {}\n",
            latest.attempt,
            latest.workflow_id,
            latest.error.as_deref().unwrap_or("")
        ),
    }
}
