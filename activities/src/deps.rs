//! Everything an activity needs, built once per worker and shared (`Arc<Deps>`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::Result;
use crate::predict::cache::PredictCache;
use crate::sources::http::SourceClient;
use crate::sources::SourceConfig;
use crate::storage::{RawStore, Warehouse};

/// Where the data lives and where the sources answer.
#[derive(Debug, Clone)]
pub struct DepsConfig {
    /// The SQLite warehouse file.
    pub warehouse_path: PathBuf,
    /// The raw payload store's root folder.
    pub raw_store_root: PathBuf,
    pub sources: SourceConfig,
    /// Where alerts are POSTed as JSON besides the `alerts` table and the log (none: only
    /// those two).
    pub alert_webhook: Option<String>,
}

impl DepsConfig {
    /// The standard layout under one data folder: `warehouse.sqlite` and `raw/`.
    pub fn under(data_dir: &Path, sources: SourceConfig) -> Self {
        Self {
            warehouse_path: data_dir.join("warehouse.sqlite"),
            raw_store_root: data_dir.join("raw"),
            sources,
            alert_webhook: None,
        }
    }
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
}

impl Deps {
    pub async fn open(config: &DepsConfig) -> Result<Self> {
        Ok(Self {
            warehouse: Warehouse::open(&config.warehouse_path).await?,
            raw: RawStore::local(&config.raw_store_root)?,
            sources: SourceClient::new(config.sources.clone())?,
            alerts: crate::ops::alerts::AlertSink::new(config.alert_webhook.clone())?,
            predict_cache: Arc::new(PredictCache::default()),
        })
    }
}
