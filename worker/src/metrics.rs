//! The worker's `/metrics` endpoint (Prometheus text format): the Temporal SDK's own metrics
//! (`temporal_…`: workflow and activity tasks, slots, pollers, requests to the server) and the
//! pipeline's (`nbaprops_…`, `nbaprops_activities::ops::metrics`), served by one HTTP server per
//! worker process. docs/operations.md lists every metric.

use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::Arc;

use anyhow::{Context, Result};
use nbaprops_activities::ops::metrics::{self as pipeline, PipelineMetrics};
use temporalio_common::telemetry::metrics::{CoreMeter, TemporalMeter};
use temporalio_common::telemetry::{
    start_prometheus_metric_exporter, telemetry_init, HistogramBucketOverrides,
    PrometheusExporterOptions, TelemetryOptions,
};
use temporalio_sdk::runtime::RuntimeOptions;

/// Where `nbaprops worker` serves `/metrics` unless told otherwise: every interface, so a
/// Prometheus in another container or on another machine reaches it.
pub const DEFAULT_ADDRESS: &str = "0.0.0.0:9464";

/// `--metrics-address`: `IP:PORT` (`:PORT` for every interface, port 0 for any free port), or
/// `off` for no endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricsAddress {
    Off,
    At(SocketAddr),
}

impl FromStr for MetricsAddress {
    type Err = String;

    fn from_str(given: &str) -> Result<Self, Self::Err> {
        let s = given.trim();
        if s.eq_ignore_ascii_case("off") || s.eq_ignore_ascii_case("none") {
            return Ok(Self::Off);
        }
        let full = match s.strip_prefix(':') {
            Some(port) => format!("0.0.0.0:{port}"),
            None => s.to_string(),
        };
        full.parse().map(Self::At).map_err(|_| {
            format!(
                "metrics address {given:?} is not IP:PORT (0.0.0.0:9464, 127.0.0.1:0, \
                 [::]:9464, :9464) or `off`"
            )
        })
    }
}

/// A running `/metrics` endpoint and the meter behind it. Dropping it stops the server.
pub struct MetricsExporter {
    meter: Arc<dyn CoreMeter>,
    pipeline: PipelineMetrics,
    address: SocketAddr,
    server: tokio::task::AbortHandle,
}

impl MetricsExporter {
    /// Binds `address` and serves `/metrics` on this process's tokio runtime: counters end in
    /// `_total`, durations are histograms in seconds (`…_seconds`).
    pub fn start(address: SocketAddr) -> Result<Self> {
        let options = PrometheusExporterOptions::builder()
            .socket_addr(address)
            .counters_total_suffix(true)
            .unit_suffix(true)
            .use_seconds_for_durations(true)
            .histogram_bucket_overrides(HistogramBucketOverrides {
                overrides: pipeline::histogram_buckets(),
            })
            .build();
        let started = start_prometheus_metric_exporter(options).with_context(|| {
            format!(
                "serving /metrics on {address} (set --metrics-address or \
                 NBAPROPS_METRICS_ADDRESS to a free IP:PORT, or to off)"
            )
        })?;
        let meter: Arc<dyn CoreMeter> = started.meter;
        Ok(Self {
            pipeline: PipelineMetrics::new(meter.clone()),
            meter,
            address: started.bound_addr,
            server: started.abort_handle,
        })
    }

    /// The endpoint `--metrics-address` asks for, its URL logged; None for `off`.
    pub fn serve(address: MetricsAddress) -> Result<Option<Self>> {
        let MetricsAddress::At(address) = address else {
            return Ok(None);
        };
        let exporter = Self::start(address)?;
        tracing::info!(url = %exporter.url(), "serving metrics");
        Ok(Some(exporter))
    }

    /// The address it listens on (with port 0, the port the system picks).
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    pub fn url(&self) -> String {
        format!("http://{}/metrics", self.address)
    }

    /// The pipeline's metrics on this endpoint, for the activities' `Deps`.
    pub fn pipeline_metrics(&self) -> PipelineMetrics {
        self.pipeline.clone()
    }

    /// SDK runtime options whose worker metrics go to this endpoint.
    pub fn runtime_options(&self) -> Result<RuntimeOptions> {
        RuntimeOptions::builder()
            .telemetry_options(self.telemetry())
            .build()
            .map_err(|e| anyhow::anyhow!("the SDK runtime's options: {e}"))
    }

    /// The meter a client connection records its requests to the server on (`temporal_request…`),
    /// with the prefix and labels of the worker's own SDK metrics.
    pub fn client_meter(&self) -> Result<Option<TemporalMeter>> {
        Ok(telemetry_init(self.telemetry())
            .context("the SDK telemetry of the client's metrics")?
            .get_temporal_metric_meter())
    }

    fn telemetry(&self) -> TelemetryOptions {
        TelemetryOptions::builder()
            .metrics(self.meter.clone())
            .build()
    }
}

impl Drop for MetricsExporter {
    fn drop(&mut self) {
        self.server.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_ip_and_port_or_off() {
        let at = |s: &str| MetricsAddress::At(s.parse().unwrap());
        assert_eq!("0.0.0.0:9464".parse(), Ok(at("0.0.0.0:9464")));
        assert_eq!(":9464".parse(), Ok(at("0.0.0.0:9464")));
        assert_eq!("[::1]:0".parse(), Ok(at("[::1]:0")));
        assert_eq!(DEFAULT_ADDRESS.parse(), Ok(at("0.0.0.0:9464")));
        assert_eq!("off".parse(), Ok(MetricsAddress::Off));
        assert_eq!("None".parse(), Ok(MetricsAddress::Off));
        for bad in ["", "9464", "localhost:9464", "0.0.0.0:99999", "0.0.0.0"] {
            let err = bad.parse::<MetricsAddress>().unwrap_err();
            assert!(err.contains("is not IP:PORT"), "{bad:?}: {err}");
        }
    }

    #[tokio::test]
    async fn an_address_in_use_is_an_error_naming_it_and_the_setting() {
        let first = MetricsExporter::start("127.0.0.1:0".parse().unwrap()).unwrap();
        let err = MetricsExporter::start(first.address())
            .err()
            .expect("the same port twice");
        let message = format!("{err:#}");
        assert!(
            message.contains(&first.address().to_string()) && message.contains("--metrics-address"),
            "{message}"
        );
    }

    async fn page_of(exporter: &MetricsExporter) -> String {
        reqwest::get(exporter.url())
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// The pipeline's metric families the endpoint serves once each has a value.
    async fn served_pipeline_families() -> std::collections::BTreeSet<String> {
        let exporter = MetricsExporter::start("127.0.0.1:0".parse().unwrap()).unwrap();
        let metrics = exporter.pipeline_metrics();
        metrics.record_run(&pipeline::RunMeasure {
            kind: "process",
            processor: "moving_average",
            phase: 5,
            status: "ok",
            duration: std::time::Duration::from_millis(40),
            rows_written: 3,
            rows_unchanged: 2,
        });
        metrics.record_gate(5, false);
        metrics.record_sla_margin("2025-11-28", 42.5);
        metrics.record_injury_rerun_latency(std::time::Duration::from_secs(2));
        let page = page_of(&exporter).await;
        page.lines()
            .filter_map(|l| l.strip_prefix("# TYPE nbaprops_"))
            .map(|l| format!("nbaprops_{}", l.split(' ').next().unwrap()))
            .collect()
    }

    /// Every `nbaprops_…` metric name in `text`, without a histogram's series suffix (the
    /// prefix alone, as in `nbaprops_…`, names none).
    fn named_pipeline_metrics(text: &str) -> std::collections::BTreeSet<String> {
        text.match_indices("nbaprops_")
            .filter_map(|(at, _)| {
                let name: String = text[at..]
                    .chars()
                    .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                    .collect();
                let name = ["_bucket", "_count", "_sum"]
                    .iter()
                    .find_map(|suffix| name.strip_suffix(suffix))
                    .map(str::to_string)
                    .unwrap_or(name);
                (name != "nbaprops_").then_some(name)
            })
            .collect()
    }

    #[tokio::test]
    async fn the_docs_and_the_dashboard_name_exactly_the_pipeline_metrics_served() {
        let served = served_pipeline_families().await;
        assert_eq!(served.len(), 7, "{served:?}");
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let read = |path: &str| std::fs::read_to_string(root.join(path)).unwrap();
        let docs = read("docs/operations.md");
        let section = docs
            .split("\n## ")
            .find(|s| s.starts_with("Metrics"))
            .expect("docs/operations.md has a Metrics section");
        assert_eq!(
            named_pipeline_metrics(section),
            served,
            "docs/operations.md"
        );
        let dashboard = read("deploy/grafana/nbaprops-dashboard.json");
        let panels = serde_json::from_str::<serde_json::Value>(&dashboard)
            .expect("the dashboard is JSON")["panels"]
            .as_array()
            .map_or(0, Vec::len);
        assert!(panels > 0, "the dashboard has panels");
        assert_eq!(
            named_pipeline_metrics(&dashboard),
            served,
            "deploy/grafana/nbaprops-dashboard.json"
        );
    }

    #[tokio::test]
    async fn the_endpoint_serves_the_pipeline_metrics() {
        let exporter = MetricsExporter::start("127.0.0.1:0".parse().unwrap()).unwrap();
        exporter.pipeline_metrics().record_gate(5, true);
        exporter
            .pipeline_metrics()
            .record_injury_rerun_latency(std::time::Duration::from_millis(1500));
        let text = page_of(&exporter).await;
        assert!(
            text.contains("nbaprops_gate_failures_total{phase=\"5\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("nbaprops_injury_rerun_latency_seconds_bucket{le=\"1.5\"} 1"),
            "{text}"
        );
        drop(exporter);
    }
}
