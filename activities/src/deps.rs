//! Everything an activity needs, built once per worker and shared (`Arc<Deps>`).

use std::path::Path;

use crate::storage::SchemaPolicy;
use std::sync::Arc;

use crate::error::Result;
use crate::ops::metrics::PipelineMetrics;
use crate::predict::cache::PredictCache;
use crate::sources::http::SourceClient;
use crate::sources::SourceConfig;
use crate::storage::{RawStore, Warehouse};

/// Where the data lives and where the sources answer.
#[derive(Debug, Clone)]
pub struct DepsConfig {
    /// The warehouse: `sqlite://PATH` (the embedded default) or `postgres://…`.
    pub database_url: String,
    /// Whether this process applies the warehouse's migrations or requires them applied.
    pub schema: SchemaPolicy,
    /// The raw payload store: `file://PATH` (the default, `raw/` in the data folder) or
    /// `s3://BUCKET[/PREFIX]` (`storage::raw_store::RawStore::open`).
    pub raw_store_url: String,
    /// Settings of an S3 raw store besides the environment's (`aws_endpoint`, …).
    pub raw_store_options: Vec<(String, String)>,
    pub sources: SourceConfig,
    /// Where alerts are POSTed as JSON besides the `alerts` table and the log (none: only
    /// those two).
    pub alert_webhook: Option<String>,
}

impl DepsConfig {
    /// The standard layout under one data folder: `warehouse.sqlite` and `raw/`.
    pub fn under(data_dir: &Path, sources: SourceConfig) -> Self {
        let database_url = sqlite_url(data_dir);
        Self {
            schema: SchemaPolicy::default_for(&database_url),
            database_url,
            raw_store_url: format!("file://{}", data_dir.join("raw").display()),
            raw_store_options: Vec::new(),
            sources,
            alert_webhook: None,
        }
    }
}

/// The embedded warehouse's URL under a data folder.
pub fn sqlite_url(data_dir: &Path) -> String {
    format!("sqlite://{}", data_dir.join("warehouse.sqlite").display())
}

#[derive(Clone, Debug)]
pub struct Deps {
    pub warehouse: Warehouse,
    pub raw: RawStore,
    pub sources: SourceClient,
    pub alerts: crate::ops::alerts::AlertSink,
    /// What the batches of a Phase 5 date share, kept for the process's life
    /// (`predict::cache`).
    pub predict_cache: Arc<PredictCache>,
    /// The pipeline's metrics (`ops::metrics`): recording nothing unless the worker exports
    /// them ([`Deps::with_metrics`]).
    pub metrics: PipelineMetrics,
}

impl Deps {
    pub async fn open(config: &DepsConfig) -> Result<Self> {
        Ok(Self {
            warehouse: Warehouse::connect(&config.database_url, config.schema).await?,
            raw: RawStore::open(&config.raw_store_url, &config.raw_store_options)?,
            sources: SourceClient::new(config.sources.clone())?,
            alerts: crate::ops::alerts::AlertSink::new(config.alert_webhook.clone())?,
            predict_cache: Arc::new(PredictCache::default()),
            metrics: PipelineMetrics::default(),
        })
    }

    /// These dependencies recording the pipeline's metrics on `metrics`.
    pub fn with_metrics(self, metrics: PipelineMetrics) -> Self {
        Self { metrics, ..self }
    }
}
