//! The pipeline's metrics, exported on the worker's `/metrics` beside the Temporal SDK's own
//! (docs/operations.md, "Metrics"). The run history counts every attempt of a scrape,
//! processor run and quality gate here once its `processor_runs` row is written, so the
//! counters add up to the table; a day's Phase 5 gate records how early its predictions were
//! or how fast an injury rerun published them (`ops::prediction_timing`).
//!
//! `PipelineMetrics::default()` records nothing: tools, tests and in-process runs that export
//! no metrics use it. The worker builds one over its Prometheus meter (`worker/src/metrics.rs`).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use temporalio_common::telemetry::metrics::{
    CoreMeter, Counter, GaugeF64, HistogramDuration, MetricAttributes, MetricKeyValue,
    MetricParameters, NewAttributes, NoOpCoreMeter,
};

/// The names the metrics are created with. The exporter adds `_total` to counters and
/// `_seconds` to duration histograms (`nbaprops_processor_runs_total`,
/// `nbaprops_processor_duration_seconds`).
pub const PROCESSOR_RUNS: &str = "nbaprops_processor_runs";
pub const PROCESSOR_DURATION: &str = "nbaprops_processor_duration";
pub const ROWS_WRITTEN: &str = "nbaprops_rows_written";
pub const ROWS_UNCHANGED: &str = "nbaprops_rows_unchanged";
pub const GATE_FAILURES: &str = "nbaprops_gate_failures";
pub const SLA_MARGIN: &str = "nbaprops_predictions_sla_margin_minutes";
pub const INJURY_RERUN_LATENCY: &str = "nbaprops_injury_rerun_latency";

/// The bucket bounds (seconds) of the pipeline's histograms, by name: the exporter's
/// overrides of its default buckets.
pub fn histogram_buckets() -> HashMap<String, Vec<f64>> {
    HashMap::from([
        (
            PROCESSOR_DURATION.to_string(),
            vec![
                0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0,
                300.0, 600.0,
            ],
        ),
        (
            INJURY_RERUN_LATENCY.to_string(),
            vec![
                0.5, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0,
            ],
        ),
    ])
}

/// One attempt as the run history recorded it.
#[derive(Debug, Clone, Copy)]
pub struct RunMeasure<'a> {
    /// `scrape`, `process` or `gate` (`processor_runs.kind`).
    pub kind: &'a str,
    pub processor: &'a str,
    pub phase: u32,
    /// `ok` or `failed` (`processor_runs.status`).
    pub status: &'a str,
    pub duration: Duration,
    pub rows_written: u64,
    pub rows_unchanged: u64,
}

/// The pipeline's instruments over one meter. Cloning shares them.
#[derive(Clone)]
pub struct PipelineMetrics {
    instruments: Arc<Instruments>,
}

struct Instruments {
    meter: Arc<dyn CoreMeter>,
    runs: Counter,
    duration: HistogramDuration,
    rows_written: Counter,
    rows_unchanged: Counter,
    gate_failures: Counter,
    sla_margin: GaugeF64,
    injury_rerun_latency: HistogramDuration,
}

fn described(name: &'static str, description: &'static str) -> MetricParameters {
    MetricParameters::builder()
        .name(name)
        .description(description)
        .build()
}

impl PipelineMetrics {
    /// The pipeline's metrics, created on `meter`.
    pub fn new(meter: Arc<dyn CoreMeter>) -> Self {
        let instruments = Instruments {
            runs: meter.counter(described(
                PROCESSOR_RUNS,
                "Attempts of scrapes, processor runs and quality gates recorded in processor_runs",
            )),
            duration: meter.histogram_duration(described(
                PROCESSOR_DURATION,
                "Duration of each recorded attempt (processor_runs.duration_ms)",
            )),
            rows_written: meter.counter(described(
                ROWS_WRITTEN,
                "Rows written (payloads newly kept, for a scrape) by the recorded attempts",
            )),
            rows_unchanged: meter.counter(described(
                ROWS_UNCHANGED,
                "Rows found unchanged (payloads already kept, for a scrape) by the recorded \
                 attempts",
            )),
            gate_failures: meter.counter(described(
                GATE_FAILURES,
                "Quality gate attempts that failed (a check out of bounds or unmeasurable)",
            )),
            sla_margin: meter.gauge_f64(described(
                SLA_MARGIN,
                "Minutes before the game date's 09:45 America/New_York deadline at which its \
                 latest main run's predictions completed (negative: after it)",
            )),
            injury_rerun_latency: meter.histogram_duration(described(
                INJURY_RERUN_LATENCY,
                "From an injury rerun's first processor run to its predictions checked by the \
                 Phase 5 gate",
            )),
            meter,
        };
        Self {
            instruments: Arc::new(instruments),
        }
    }

    fn labels(&self, labels: &[(&str, &str)]) -> MetricAttributes {
        self.instruments.meter.new_attributes(NewAttributes::new(
            labels
                .iter()
                .map(|(k, v)| MetricKeyValue::new(*k, v.to_string()))
                .collect(),
        ))
    }

    /// Counts an attempt whose `processor_runs` row is written.
    pub fn record_run(&self, run: &RunMeasure<'_>) {
        let i = &self.instruments;
        let phase = run.phase.to_string();
        let by_outcome = self.labels(&[
            ("processor", run.processor),
            ("kind", run.kind),
            ("phase", &phase),
            ("status", run.status),
        ]);
        i.runs.add(1, &by_outcome);
        i.duration.record(run.duration, &by_outcome);
        let by_processor = self.labels(&[
            ("processor", run.processor),
            ("kind", run.kind),
            ("phase", &phase),
        ]);
        i.rows_written.add(run.rows_written, &by_processor);
        i.rows_unchanged.add(run.rows_unchanged, &by_processor);
    }

    /// Counts a quality gate's attempt after `phase`: a failure adds one; a pass adds nothing
    /// but makes the phase's series exist (at 0), so an alert on its increase has a series.
    pub fn record_gate(&self, phase: u32, failed: bool) {
        let phase = phase.to_string();
        self.instruments
            .gate_failures
            .add(u64::from(failed), &self.labels(&[("phase", &phase)]));
    }

    /// Minutes before its SLA deadline at which a day's predictions completed, by game date
    /// (one series per date: the workers that ran other dates keep theirs).
    pub fn record_sla_margin(&self, game_date: &str, minutes: f64) {
        self.instruments
            .sla_margin
            .record(minutes, &self.labels(&[("game_date", game_date)]));
    }

    /// How long an injury rerun took to publish its predictions.
    pub fn record_injury_rerun_latency(&self, latency: Duration) {
        self.instruments
            .injury_rerun_latency
            .record(latency, &self.labels(&[]));
    }
}

impl Default for PipelineMetrics {
    /// Metrics that record nothing.
    fn default() -> Self {
        Self::new(Arc::new(NoOpCoreMeter))
    }
}

impl std::fmt::Debug for PipelineMetrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PipelineMetrics")
            .field("meter", &self.instruments.meter)
            .finish()
    }
}
