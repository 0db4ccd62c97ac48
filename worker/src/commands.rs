//! What the CLI does: start a day and wait for it, show its status, print predictions, grade a
//! date.

use std::time::Duration;

use anyhow::{Context, Result};
use futures::TryStreamExt;
use nbaprops_activities::ops::alerts::{self, StoredAlert};
use nbaprops_activities::ops::run_history::{self, RunRow};
use nbaprops_activities::predict::predictions::{live_predictions, PredictionRow};
use nbaprops_activities::storage::Warehouse;
use nbaprops_proto::{
    DayInput, DayResult, DayState, GradeInput, GradeResult, InjuryUpdate, Mode, SignalDayResult,
    Trigger,
};
use nbaprops_workflows::{day, grading, ids, scheduled, search, DayWorkflow, GradingWorkflow};
use temporalio_client::{
    Client, WorkflowDescribeOptions, WorkflowGetResultOptions, WorkflowIdConflictPolicy,
    WorkflowIdReusePolicy, WorkflowListOptions, WorkflowQueryOptions, WorkflowStartOptions,
};

/// How every start of a day is made (`run day`, `signal injury`, the injury watch): searchable
/// from its first event, attaching to a running day, running again after it closed.
pub fn day_start_options(task_queue: &str, input: &DayInput) -> WorkflowStartOptions {
    let id = ids::day_workflow_id(&input.game_date);
    let attributes = search::attributes(&day::run_context(&id, input), None);
    WorkflowStartOptions::new(task_queue, &id)
        // Searchable from its first event (the workflow sets them too, for starts that carry
        // none: schedules, the `temporal` CLI).
        .search_attributes(attributes)
        // A second start of a running day attaches to it; after it closed, a start runs the
        // day again (idempotent: unchanged rows stay untouched).
        .id_conflict_policy(WorkflowIdConflictPolicy::UseExisting)
        .id_reuse_policy(WorkflowIdReusePolicy::AllowDuplicate)
        // The day stays open for injury updates until the last tip-off.
        .execution_timeout(scheduled::DAY_TIMEOUT)
        .build()
}

/// Starts the day workflow of a date (or attaches to the running one) and waits for its main
/// run: the day's result when it closes, or its main result as soon as the main run is done
/// and the day goes on listening for injury updates until the last tip-off.
pub async fn run_day(client: &Client, task_queue: &str, input: DayInput) -> Result<DayResult> {
    nbaprops_proto::validate_game_date(&input.game_date).map_err(anyhow::Error::msg)?;
    let id = ids::day_workflow_id(&input.game_date);
    let handle = client
        .start_workflow(
            DayWorkflow::run,
            input.clone(),
            day_start_options(task_queue, &input),
        )
        .await
        .with_context(|| format!("starting {id}"))?;
    let result = handle.get_result(WorkflowGetResultOptions::default());
    tokio::pin!(result);
    loop {
        tokio::select! {
            r = &mut result => return r.map_err(|e| anyhow::anyhow!("{id} failed: {e}")),
            _ = tokio::time::sleep(Duration::from_millis(500)) => {
                if let Ok(Some(state)) = settled_day_state(client, &id).await {
                    if listening_for_a_while(&state) {
                        if let Some(main) = state.main {
                            return Ok(main);
                        }
                    }
                }
            }
        }
    }
}

/// Whether a day's main run is done and it stays open for injury updates for more than a few
/// seconds (a day whose last tip-off is past closes at once: wait for its result instead).
fn listening_for_a_while(state: &DayState) -> bool {
    let listening = state.stage == "listening" || state.stage.starts_with("rerun");
    let until = chrono::DateTime::parse_from_rfc3339(&state.listen_until).ok();
    listening && until.is_some_and(|u| u > chrono::Utc::now() + chrono::Duration::seconds(5))
}

/// Events a day's history has once its first workflow tasks are past: the search attributes,
/// the plan's local activity and the first scrapes scheduled.
const DAY_SETTLED_EVENTS: usize = 24;

/// The day's `state`, queried only once the day is past its first workflow tasks (None before).
///
/// Why: with the Temporal Rust SDK 1.1.1, a query that arrives while the day's plan (a local
/// activity) runs can end the first workflow task with the local activity's marker but before
/// the code after it ran, and the commands after it then land in the next task: with a patch
/// marker there, such a history did not replay (`patch marker encountered … no corresponding
/// change command`; seen under load in `tests/injury_updates.rs`). Polling `describe` is
/// harmless, so the query waits until the day is past its first tasks.
pub async fn settled_day_state(client: &Client, id: &str) -> Result<Option<DayState>> {
    let d = client
        .get_workflow_handle::<DayWorkflow>(id)
        .describe(WorkflowDescribeOptions::default())
        .await
        .map_err(|e| anyhow::anyhow!("describing {id}: {e}"))?;
    if d.history_length() < DAY_SETTLED_EVENTS {
        return Ok(None);
    }
    day_state(client, id).await.map(Some)
}

/// The `state` query of a day: its stage, main result, queued updates and reruns.
pub async fn day_state(client: &Client, id: &str) -> Result<DayState> {
    client
        .get_workflow_handle::<DayWorkflow>(id)
        .query(DayWorkflow::state, (), WorkflowQueryOptions::default())
        .await
        .map_err(|e| anyhow::anyhow!("querying {id}: {e}"))
}

/// Waits (polling every `poll`) for the day's rerun that applied `update`, for at most
/// `timeout`; an error when the day closed or failed without applying it.
pub async fn wait_for_rerun(
    client: &Client,
    id: &str,
    update: &InjuryUpdate,
    poll: Duration,
    timeout: Duration,
) -> Result<nbaprops_proto::RerunSummary> {
    let started = std::time::Instant::now();
    loop {
        if let Ok(Some(state)) = settled_day_state(client, id).await {
            if let Some(r) = state
                .reruns
                .iter()
                .rev()
                .find(|r| r.updates.contains(update))
            {
                return Ok(r.clone());
            }
            if state.stage == "closed" || state.stage == "failed" {
                anyhow::bail!("{id} is {} and did not apply the update", state.stage);
            }
        }
        if started.elapsed() > timeout {
            anyhow::bail!(
                "no rerun of {id} applied the update within {} s (is a worker running? \
                 `nbaprops status --date …`)",
                timeout.as_secs()
            );
        }
        tokio::time::sleep(poll).await;
    }
}

/// Signals `day-{date}` with injury updates, starting it when it is not running
/// (signal-with-start: a start of a day that is running only signals it).
pub async fn signal_injury(
    client: &Client,
    task_queue: &str,
    game_date: &str,
    trigger: Trigger,
    updates: &[InjuryUpdate],
) -> Result<SignalDayResult> {
    nbaprops_proto::validate_game_date(game_date).map_err(anyhow::Error::msg)?;
    let input = DayInput {
        game_date: game_date.to_string(),
        mode: Mode::Full as i32,
        trigger: trigger as i32,
        ..Default::default()
    };
    let id = ids::day_workflow_id(game_date);
    let mut out = SignalDayResult {
        workflow_id: id.clone(),
        ..Default::default()
    };
    for update in updates {
        let handle = client
            .signal_with_start_workflow(
                DayWorkflow::run,
                input.clone(),
                DayWorkflow::injury_update,
                update.clone(),
                day_start_options(task_queue, &input),
            )
            .await
            .with_context(|| format!("signalling {id} (injury_update {})", update.player))?;
        out.run_id = handle.run_id().unwrap_or_default().to_string();
        out.signals_sent += 1;
    }
    Ok(out)
}

/// Starts the grading workflow of a date (or attaches to the running one, which may be waiting
/// for the date's box scores) and, with `wait`, waits for its result.
pub async fn run_grade(
    client: &Client,
    task_queue: &str,
    date: &str,
    wait: bool,
) -> Result<Option<GradeResult>> {
    nbaprops_proto::validate_game_date(date).map_err(anyhow::Error::msg)?;
    let id = ids::grade_workflow_id(date);
    let input = GradeInput {
        game_date: date.to_string(),
        trigger: Trigger::Manual as i32,
    };
    let attributes = search::attributes(
        &grading::run_context(&id, &input),
        Some(nbaprops_proto::registry::GRADING_PHASE),
    );
    let handle = client
        .start_workflow(
            GradingWorkflow::run,
            input,
            WorkflowStartOptions::new(task_queue, &id)
                .search_attributes(attributes)
                // Like a day: a second start attaches; after it closed, a start grades again
                // (idempotent: unchanged grades stay untouched).
                .id_conflict_policy(WorkflowIdConflictPolicy::UseExisting)
                .id_reuse_policy(WorkflowIdReusePolicy::AllowDuplicate)
                // Up to 12 hours waiting for box scores, and some room after it.
                .execution_timeout(Duration::from_secs(13 * 3600))
                .build(),
        )
        .await
        .with_context(|| format!("starting {id}"))?;
    if !wait {
        return Ok(None);
    }
    handle
        .get_result(WorkflowGetResultOptions::default())
        .await
        .map(Some)
        .map_err(|e| anyhow::anyhow!("{id} failed: {e}"))
}

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

pub fn manual_day(date: &str) -> DayInput {
    DayInput {
        game_date: date.to_string(),
        mode: Mode::Full as i32,
        trigger: Trigger::Manual as i32,
        ..Default::default()
    }
}

/// One line per phase of a finished day.
pub fn summarize_day(result: &DayResult) -> String {
    let mut out = format!("{} ({})\n", result.game_date, result.correlation_id);
    for p in &result.phases {
        if p.phase == 1 {
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

pub async fn print_predictions(warehouse: &Warehouse, date: &str, json: bool) -> Result<()> {
    let rows = live_predictions(warehouse, date).await?;
    if json {
        let v: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| {
                serde_json::json!({
                    "game_date": r.game_date, "player_id": r.player_id, "player_name": r.player_name,
                    "system": r.system, "model_version": r.model_version, "line": r.line,
                    "line_source": r.line_source, "line_snapshot_time": r.line_snapshot_time,
                    "predicted_points": r.predicted_points, "edge": r.edge,
                    "recommendation": r.recommendation, "confidence": r.confidence,
                    "over_price": r.over_price, "under_price": r.under_price,
                    "feature_hash": r.feature_hash,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else if rows.is_empty() {
        println!("no predictions for {date}");
    } else {
        print!("{}", predictions_table(&rows));
    }
    Ok(())
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
    for r in runs {
        phases.entry(r.phase).or_default().push(r);
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
            if phase == 1 { "sources" } else { "processors" },
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

/// The day workflow, its children, the run history and alerts, and the warehouse's rows for a
/// date.
pub async fn status(client: &Client, warehouse: &Warehouse, date: &str) -> Result<String> {
    nbaprops_proto::validate_game_date(date).map_err(anyhow::Error::msg)?;
    let id = ids::day_workflow_id(date);
    let mut out = String::new();
    let handle = client.get_workflow_handle::<DayWorkflow>(&id);
    match handle.describe(WorkflowDescribeOptions::default()).await {
        Ok(d) => {
            out.push_str(&format!("{id}: {:?} (run {})\n", d.status(), d.run_id()));
            let children: Vec<temporalio_client::WorkflowExecution> = client
                .list_workflows(
                    format!("WorkflowId STARTS_WITH '{id}-'"),
                    WorkflowListOptions::default(),
                )
                .try_collect()
                .await
                .unwrap_or_default();
            let mut children: Vec<(String, String)> = children
                .iter()
                .map(|c| (c.id().to_string(), format!("{:?}", c.status())))
                .collect();
            children.sort();
            children.dedup_by(|a, b| a.0 == b.0);
            for (cid, st) in children {
                out.push_str(&format!("  {cid}: {st}\n"));
            }
        }
        Err(e) => out.push_str(&format!("{id}: not found in Temporal ({e})\n")),
    }
    let runs = run_history::of_game_date(warehouse, date)
        .await
        .with_context(|| format!("reading the run history of {date}"))?;
    let alerts = alerts::of_date(warehouse, date)
        .await
        .with_context(|| format!("reading the alerts of {date}"))?;
    out.push_str(&format_run_history(&runs, &alerts));
    out.push_str("warehouse rows written for this day (each processor's own data date):\n");
    for spec in nbaprops_proto::registry::specs()
        .into_iter()
        .filter(|s| (2..=4).contains(&s.phase))
    {
        let data_date = nbaprops_activities::runner::data_date(&spec, date)?;
        let Some(def) = nbaprops_activities::catalog::processor(spec.name).and_then(|p| p.table)
        else {
            continue;
        };
        let (table, column) = (def.name, def.partition_column);
        let n: i64 =
            sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table} WHERE {column} = ?"))
                .bind(&data_date)
                .fetch_one(warehouse.pool())
                .await?;
        out.push_str(&format!(
            "  phase {} {table:<28} {data_date}  {n}\n",
            spec.phase
        ));
    }
    let (live, superseded): (i64, i64) = sqlx::query_as(
        "SELECT COALESCE(SUM(superseded_at IS NULL), 0), COALESCE(SUM(superseded_at IS NOT NULL), 0) FROM predictions WHERE game_date = ?",
    )
    .bind(date)
    .fetch_one(warehouse.pool())
    .await?;
    out.push_str(&format!(
        "  {:<28} {live} live, {superseded} superseded\n",
        "predictions"
    ));
    Ok(out)
}
