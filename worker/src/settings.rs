//! Where things are: Temporal, the task queue, the data folder and the sources. Every command
//! takes these from flags or the environment; nothing is read from anywhere else.

use std::path::PathBuf;

use nbaprops_activities::sources::SourceConfig;
use nbaprops_activities::DepsConfig;

#[derive(Debug, Clone, clap::Args)]
pub struct Settings {
    /// Temporal frontend address (host:port).
    #[arg(
        long,
        env = "TEMPORAL_ADDRESS",
        default_value = "127.0.0.1:7233",
        global = true
    )]
    pub temporal_address: String,
    /// Temporal namespace.
    #[arg(
        long,
        env = "TEMPORAL_NAMESPACE",
        default_value = "default",
        global = true
    )]
    pub namespace: String,
    /// Task queue the worker polls and runs are started on.
    #[arg(
        long,
        env = "NBAPROPS_TASK_QUEUE",
        default_value = "nbaprops",
        global = true
    )]
    pub task_queue: String,
    /// Folder holding the embedded warehouse (warehouse.sqlite) and the raw store (raw/).
    #[arg(long, env = "NBAPROPS_DATA_DIR", default_value = "data", global = true)]
    pub data_dir: PathBuf,
    /// The warehouse: `sqlite://PATH` or `postgres://USER:PASS@HOST:PORT/DB` (default: the
    /// SQLite file in the data folder). On PostgreSQL, `nbaprops migrate` applies the schema
    /// once and every other command refuses a schema it does not know.
    #[arg(long, env = "NBAPROPS_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// The raw payload store: `file://PATH` or `s3://BUCKET[/PREFIX]` (endpoint, region and
    /// credentials from `AWS_ENDPOINT_URL`, `AWS_REGION`, `AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, `AWS_ALLOW_HTTP`). Default: `raw/` in the data folder.
    #[arg(long, env = "NBAPROPS_RAW_STORE_URL", global = true)]
    pub raw_store_url: Option<String>,
    /// Serve every source from this base URL (a replay server) instead of the live hosts.
    #[arg(long, env = "NBAPROPS_SOURCES_URL", global = true)]
    pub sources_url: Option<String>,
    /// Requests per second this process sends to any one source host (0: no limit). Per
    /// process: N workers together send up to N times this, so a deployment divides a source's
    /// limit by its workers. Default: 2 for the live hosts, no limit for a replay server.
    #[arg(long, env = "NBAPROPS_SOURCE_REQUESTS_PER_SECOND", global = true)]
    pub source_requests_per_second: Option<u32>,
    /// POST every alert (missed SLA, stuck phase, failed quality gate, change detection) as
    /// JSON to this URL, besides the alerts table and the log.
    #[arg(long, env = "NBAPROPS_ALERT_WEBHOOK_URL", global = true)]
    pub alert_webhook_url: Option<String>,
}

impl Settings {
    /// The warehouse URL these settings name.
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| nbaprops_activities::deps::sqlite_url(&self.data_dir))
    }

    pub fn source_config(&self) -> SourceConfig {
        let mut config = match &self.sources_url {
            Some(url) => SourceConfig::replay(url),
            None => SourceConfig::live(),
        };
        if let Ok(key) = std::env::var("ODDS_API_KEY") {
            config.odds_api_key = Some(key);
        }
        if let Ok(key) = std::env::var("BDL_API_KEY") {
            config.bdl_api_key = Some(key);
        }
        if let Some(rps) = self.source_requests_per_second {
            config.requests_per_second_per_host = (rps > 0).then_some(rps);
        }
        config
    }

    pub fn deps_config(&self) -> DepsConfig {
        let mut config = DepsConfig::under(&self.data_dir, self.source_config());
        if let Some(url) = &self.database_url {
            config.database_url = url.clone();
            config.schema = nbaprops_activities::storage::SchemaPolicy::default_for(url);
        }
        if let Some(url) = &self.raw_store_url {
            config.raw_store_url = url.clone();
        }
        config.alert_webhook = self.alert_webhook_url.clone();
        config
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        settings: Settings,
    }

    fn settings(args: &[&str]) -> Settings {
        Cli::try_parse_from(std::iter::once("nbaprops").chain(args.iter().copied()))
            .unwrap()
            .settings
    }

    #[test]
    fn the_source_rate_limit_is_a_setting() {
        let live = |args: &[&str]| settings(args).source_config().requests_per_second_per_host;
        assert_eq!(live(&[]), Some(2));
        assert_eq!(live(&["--source-requests-per-second", "1"]), Some(1));
        assert_eq!(live(&["--source-requests-per-second", "0"]), None);
        let replay = settings(&["--sources-url", "http://127.0.0.1:9"]).source_config();
        assert_eq!(replay.requests_per_second_per_host, None);
    }
}
