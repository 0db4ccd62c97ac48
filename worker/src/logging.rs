//! tracing: compact and human-readable on a terminal, JSON lines otherwise (`--log-format`
//! chooses). Every activity span carries the correlation id (the root workflow id), so one
//! day's logs filter on one field. `RUST_LOG` overrides the levels.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// How logs are written (`--log-format`, `NBAPROPS_LOG_FORMAT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Text on a terminal, JSON when stderr is not one (a file, a pipe, a container's log).
    Auto,
    /// tracing's compact text format.
    Text,
    /// One JSON object per line.
    Json,
}

impl LogFormat {
    /// Text or JSON, for where stderr goes now.
    pub fn resolved(self) -> LogFormat {
        match self {
            LogFormat::Auto if std::io::stderr().is_terminal() => LogFormat::Text,
            LogFormat::Auto => LogFormat::Json,
            other => other,
        }
    }
}

/// The levels when `RUST_LOG` is not set.
const DEFAULT_LEVELS: &str = "info,temporalio_sdk_core=warn,temporalio_sdk=warn,sqlx=error";

/// Starts logging. `quiet_on_text`: a command whose own output is the story (the demo) shows
/// only warnings and errors as text, so its summary lines are not buried in log lines.
pub fn init(format: LogFormat, quiet_on_text: bool) {
    let format = format.resolved();
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        EnvFilter::new(if quiet_on_text && format == LogFormat::Text {
            "warn"
        } else {
            DEFAULT_LEVELS
        })
    });
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
        _ => builder.compact().try_init(),
    };
}
