//! `nbaprops report`: a date's HTML page from the warehouse, or a backtest's from its JSON.
//! Bad input (a date that is not one, a file that is not a backtest result) is a usage error,
//! exit 2; a date without data still gets a page that says so, exit 0.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use nbaprops_activities::backtest::report::Report;
use nbaprops_activities::report;
use nbaprops_activities::storage::Warehouse;

#[derive(clap::Args, Debug, Clone)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["date", "backtest"])))]
pub struct ReportArgs {
    /// The date whose page to render: its slate, the last 30 graded days, its run, data health.
    #[arg(long, value_parser = super::game_date_arg)]
    pub date: Option<String>,
    /// A backtest's result (`nbaprops backtest --json FILE`) to render instead.
    #[arg(long)]
    pub backtest: Option<PathBuf>,
    /// Where to write the page (default: `reports/DATE.html` in the data folder, or the
    /// backtest file's name with `.html`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// The report the pipeline keeps in the raw store for the date (graded, else the
    /// morning's), copied to `--out` (default `reports/DATE-KIND.html` in the data folder);
    /// rendered from the warehouse when the raw store holds none.
    #[arg(long, requires = "date")]
    pub open: bool,
}

/// What `report` did, for the caller to print.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub path: PathBuf,
    /// The page says the date has no data at all.
    pub empty: bool,
}

/// A usage error: the command line asked for something that cannot be rendered (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct BadReportInput(pub String);

/// Renders a date's page to `out` (default under `data_dir`).
pub async fn render_date(
    warehouse: &Warehouse,
    date: &str,
    data_dir: &Path,
    out: Option<&Path>,
) -> Result<Rendered> {
    let loaded = report::load_day(warehouse, date, chrono::Utc::now())
        .await
        .with_context(|| format!("report for {date}: reading {}", warehouse.describe()))?;
    let path = out.map_or_else(
        || data_dir.join("reports").join(format!("{date}.html")),
        Path::to_path_buf,
    );
    write(&path, &report::render_day(&loaded))?;
    Ok(Rendered {
        path,
        empty: loaded.is_empty(),
    })
}

/// The report the pipeline kept for `date` in the raw store (graded first, else the
/// morning's), copied to `out` (default under `data_dir`); `None` when it kept none.
pub async fn copy_stored(
    config: &nbaprops_activities::DepsConfig,
    date: &str,
    data_dir: &Path,
    out: Option<&Path>,
) -> Result<Option<(PathBuf, String)>> {
    let store = nbaprops_activities::storage::RawStore::open(
        &config.raw_store_url,
        &config.raw_store_options,
    )?;
    for kind in report::KINDS {
        let key = report::stored_key(date, kind);
        if let Some(body) = store.get_named(&key).await? {
            let path = out.map_or_else(
                || data_dir.join("reports").join(format!("{date}-{kind}.html")),
                Path::to_path_buf,
            );
            write(&path, &String::from_utf8_lossy(&body))?;
            return Ok(Some((path, format!("{}/{key}", store.location()))));
        }
    }
    Ok(None)
}

/// The reports the pipeline kept for `date`, for `status`: one line each, or a line saying
/// there is none.
pub async fn stored_reports(config: &nbaprops_activities::DepsConfig, date: &str) -> String {
    let store = match nbaprops_activities::storage::RawStore::open(
        &config.raw_store_url,
        &config.raw_store_options,
    ) {
        Ok(s) => s,
        Err(e) => return format!("reports: the raw store did not open: {e}"),
    };
    let mut lines = Vec::new();
    for kind in report::KINDS {
        let key = report::stored_key(date, kind);
        match store.has_named(&key).await {
            Ok(true) => lines.push(format!(
                "report ({kind}): {}/{key} (nbaprops report --date {date} --open)",
                store.location()
            )),
            Ok(false) => {}
            Err(e) => lines.push(format!("report ({kind}): unreadable: {e}")),
        }
    }
    if lines.is_empty() {
        format!("reports: none kept for {date} yet (nbaprops report --date {date} renders one)")
    } else {
        lines.join("\n")
    }
}

/// Renders a backtest's page from its JSON result.
pub fn render_backtest(file: &Path, out: Option<&Path>) -> Result<Rendered> {
    let bytes = std::fs::read(file)
        .map_err(|e| BadReportInput(format!("report: cannot read {}: {e}", file.display())))?;
    let parsed: Report = serde_json::from_slice(&bytes).map_err(|e| {
        BadReportInput(format!(
            "report: {} is not a backtest result (nbaprops backtest --json FILE writes one): {e}",
            file.display()
        ))
    })?;
    let path = out.map_or_else(|| file.with_extension("html"), Path::to_path_buf);
    if path == file {
        return Err(BadReportInput(format!(
            "report: --out {} would overwrite the backtest result",
            path.display()
        ))
        .into());
    }
    write(
        &path,
        &report::render_backtest(&parsed, &file.display().to_string()),
    )?;
    Ok(Rendered { path, empty: false })
}

fn write(path: &Path, html: &str) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("report: creating {}", dir.display()))?;
    }
    std::fs::write(path, html).with_context(|| format!("report: writing {}", path.display()))
}
