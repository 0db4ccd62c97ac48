//! The report the team reads over coffee (`nbaprops report`): one self-contained HTML page per
//! date with the slate, the last graded days, the day's run against the 10 AM ET deadline and
//! the data's health, or a backtest's figures with the same plots. Inline style and SVG only:
//! the page opens offline and fetches nothing.
//!
//! `data` reads the warehouse, `plots` draws, `page` holds the HTML blocks, `accuracy` the
//! figures a date and a backtest share, `day` and `backtest` lay out their pages.

mod accuracy;
mod backtest;
pub mod data;
mod day;
mod page;
mod plots;

pub use data::{load_day, DayReport};

/// A date's page.
pub fn render_day(report: &DayReport) -> String {
    day::render(report)
}

/// A backtest's page; `source` says where its figures came from (the JSON file).
pub fn render_backtest(report: &crate::backtest::report::Report, source: &str) -> String {
    backtest::render(report, source)
}

/// The raw store key of a date's report of `kind` (`morning`, `graded`).
pub fn stored_key(date: &str, kind: &str) -> String {
    format!("reports/{date}/{kind}.html")
}

/// The kinds of report the workflows write, newest information first: what `nbaprops report
/// --open` looks for.
pub const KINDS: [&str; 2] = ["graded", "morning"];

/// Renders a date's report and keeps it in the raw store under [`stored_key`], replacing the
/// last one of its kind (the `write_report` activity).
pub async fn write_stored(
    deps: &crate::Deps,
    date: &str,
    kind: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> crate::Result<nbaprops_proto::ReportResult> {
    if !KINDS.contains(&kind) {
        return Err(crate::PipelineError::InvalidRequest(format!(
            "report for {date}: unknown kind {kind:?} (one of {KINDS:?})"
        )));
    }
    let loaded = load_day(&deps.warehouse, date, now).await?;
    let key = stored_key(date, kind);
    let location = deps
        .raw
        .put_replacing(&key, bytes::Bytes::from(render_day(&loaded)))
        .await?;
    Ok(nbaprops_proto::ReportResult { key, location })
}
