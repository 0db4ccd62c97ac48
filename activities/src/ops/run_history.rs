//! The run history: one `processor_runs` row per attempt of every processor run, scrape and
//! quality gate, written by the runner whether the attempt succeeded or failed (and before its
//! failure is returned), so `nbaprops status` and SQL can show what ran, when, on what, from
//! which workflow execution and with what result.

use nbaprops_proto::{EntitySet, Mode, ProcessorResult, RunContext, Trigger};

use crate::error::{PipelineError, Result};
use crate::ops::metrics::RunMeasure;
use crate::storage::queries::ops;
use crate::Deps;

/// How a run was narrowed, as stored in `processor_runs.scope`: `all`, or the counts of the
/// filter's entities and a short hash of them (`players:25:3f9a0c1b2d4e`), so two prediction
/// batches of the same size are never mistaken for each other.
pub fn scope_label(filter: Option<&EntitySet>) -> String {
    let Some(f) = filter else {
        return "all".into();
    };
    let mut parts = Vec::new();
    let mut all = Vec::new();
    for (name, values) in [
        ("players", &f.players),
        ("teams", &f.teams),
        ("games", &f.games),
    ] {
        if !values.is_empty() {
            parts.push(format!("{name}:{}", values.len()));
            all.extend(values.iter().map(|v| format!("{name}={v}")));
        }
    }
    if parts.is_empty() {
        return "all".into();
    }
    let hash = crate::hashing::combine(all.iter().map(String::as_str));
    format!("{}:{}", parts.join(","), &hash[..12])
}

/// Which Temporal execution ran a processor or scrape: the activity's workflow id, run id,
/// activity id and attempt. Empty ids (`in_process`) when it ran outside Temporal (tools,
/// benchmarks, the backtest).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunOrigin {
    pub workflow_id: String,
    pub run_id: String,
    pub activity_id: String,
    pub attempt: u32,
}

impl RunOrigin {
    pub fn in_process() -> Self {
        Self {
            attempt: 1,
            ..Default::default()
        }
    }
}

/// A stored run's kind.
pub const KIND_SCRAPE: &str = "scrape";
pub const KIND_PROCESS: &str = "process";
/// A quality gate's check after a phase (processor `QUALITY_GATE`, the phase it judged).
pub const KIND_GATE: &str = "gate";
/// The `processor` of a gate's row.
pub const QUALITY_GATE: &str = "quality_gate";

/// How long a run's row waits for a warehouse that refuses it (locked past its busy timeout,
/// restarting) before the attempt stops trying to record itself: a failed attempt is recorded
/// before its failure is returned, within a scrape's two-minute bound.
const RECORD_PATIENCE: std::time::Duration = std::time::Duration::from_secs(60);

pub fn mode_name(ctx: &RunContext) -> &'static str {
    match ctx.mode() {
        Mode::Incremental => "incremental",
        Mode::Backfill => "backfill",
        _ => "full",
    }
}

pub fn trigger_name(ctx: &RunContext) -> &'static str {
    match ctx.trigger() {
        Trigger::Schedule => "schedule",
        Trigger::Signal => "signal",
        Trigger::Backfill => "backfill",
        _ => "manual",
    }
}

/// The counts of a scrape, as a processor result: records seen are the rows read; payloads
/// newly kept in the raw store the rows written, payloads already kept the rows unchanged.
pub fn scrape_counts(
    source: &str,
    data_date: &str,
    seen: u32,
    new: u32,
    kept: u32,
) -> ProcessorResult {
    ProcessorResult {
        processor: source.to_string(),
        data_date: data_date.to_string(),
        rows_read: seen,
        rows_written: new,
        rows_unchanged: kept.saturating_sub(new),
        ..Default::default()
    }
}

/// What one processor run (or scrape) was and did.
pub struct RunRecord<'a> {
    /// `KIND_SCRAPE` or `KIND_PROCESS`.
    pub kind: &'static str,
    pub processor: &'a str,
    pub phase: u32,
    pub context: &'a RunContext,
    pub data_date: &'a str,
    pub scope: String,
    pub started_at: &'a str,
    pub duration_ms: u64,
    pub outcome: std::result::Result<&'a ProcessorResult, &'a PipelineError>,
    pub origin: &'a RunOrigin,
}

/// Writes the attempt's row and, once it is written, counts the attempt in the metrics.
pub async fn record(deps: &Deps, run: &RunRecord<'_>) -> Result<()> {
    let recorded = insert(deps, run).await;
    if recorded.is_ok() {
        count(deps, run);
    }
    recorded
}

/// The attempt's `processor_runs.status`: `ok` or `failed`.
fn status_of(run: &RunRecord<'_>) -> &'static str {
    match run.outcome {
        Ok(_) => "ok",
        Err(_) => "failed",
    }
}

/// A recorded attempt in the metrics: as a run of its processor, and a gate's as passed or
/// failed.
fn count(deps: &Deps, run: &RunRecord<'_>) {
    let result = run.outcome.ok();
    deps.metrics.record_run(&RunMeasure {
        kind: run.kind,
        processor: run.processor,
        phase: run.phase,
        status: status_of(run),
        duration: std::time::Duration::from_millis(run.duration_ms),
        rows_written: result.map_or(0, |r| u64::from(r.rows_written)),
        rows_unchanged: result.map_or(0, |r| u64::from(r.rows_unchanged)),
    });
    if run.kind == KIND_GATE {
        deps.metrics.record_gate(run.phase, result.is_none());
    }
}

/// Writes the attempt's row, retrying a warehouse error for up to `RECORD_PATIENCE`.
async fn insert(deps: &Deps, run: &RunRecord<'_>) -> Result<()> {
    let status = status_of(run);
    let (result, error) = match run.outcome {
        Ok(r) => (Some(r), None),
        Err(e) => (None, Some(e.to_string())),
    };
    let row = ops::NewRun {
        processor: run.processor,
        phase: run.phase as i64,
        game_date: &run.context.game_date,
        data_date: run.data_date,
        correlation_id: &run.context.correlation_id,
        mode: mode_name(run.context),
        trigger_kind: trigger_name(run.context),
        scope: &run.scope,
        status,
        rows_read: result.map(|r| r.rows_read as i64).unwrap_or(0),
        rows_written: result.map(|r| r.rows_written as i64).unwrap_or(0),
        rows_unchanged: result.map(|r| r.rows_unchanged as i64).unwrap_or(0),
        rows_removed: result.map(|r| r.rows_removed as i64).unwrap_or(0),
        input_hash: result.map(|r| r.input_hash.as_str()),
        output_hash: result.map(|r| r.output_hash.as_str()),
        error: error.as_deref(),
        started_at: run.started_at,
        duration_ms: run.duration_ms as i64,
        kind: run.kind,
        workflow_id: &run.origin.workflow_id,
        run_id: &run.origin.run_id,
        activity_id: &run.origin.activity_id,
        attempt: run.origin.attempt as i64,
    };
    let started = std::time::Instant::now();
    let mut wait = std::time::Duration::from_millis(500);
    loop {
        match ops::insert_run(&deps.warehouse, &row).await {
            Err(e @ PipelineError::Warehouse(_)) if started.elapsed() + wait < RECORD_PATIENCE => {
                tracing::warn!(
                    processor = run.processor,
                    attempt = run.origin.attempt,
                    error = %e,
                    "the run history refused this attempt's row; trying again"
                );
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(std::time::Duration::from_secs(5));
            }
            other => return other,
        }
    }
}

/// An attempt's outcome, given whether its row is recorded. A row the warehouse refuses fails
/// the attempt (the warehouse error, retryable) unless the attempt itself fails: then its own
/// error, the cause, is returned and the lost row is logged.
pub fn settle<T>(recorded: Result<()>, processor: &str, outcome: Result<T>) -> Result<T> {
    match (recorded, outcome) {
        (Ok(()), outcome) => outcome,
        (Err(lost), Err(cause)) => {
            tracing::error!(processor, error = %lost, "this failed attempt has no run-history row");
            Err(cause)
        }
        (Err(lost), Ok(_)) => Err(lost),
    }
}

pub use crate::storage::queries::ops::{PreviousRun, RunRow};

pub async fn previous_ok(
    deps: &Deps,
    processor: &str,
    data_date: &str,
    scope: &str,
) -> Result<Option<PreviousRun>> {
    ops::previous_ok(&deps.warehouse, processor, data_date, scope).await
}

/// Every run recorded for a game date, in the order they started.
pub async fn of_game_date(
    warehouse: &crate::storage::Warehouse,
    game_date: &str,
) -> Result<Vec<RunRow>> {
    ops::runs_of_game_date(warehouse, game_date).await
}
