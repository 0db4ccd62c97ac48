//! What the CLI does, one job per file: start a day and wait for it, signal injury news
//! (`day.rs`); grade a date (`grade.rs`); show a date's status and predictions (`status.rs`);
//! the text the terminal shows for each (`report.rs`) and for a failed workflow (`failure.rs`);
//! the HTML page of a date or a backtest (`report_page.rs`);
//! waiting through a lost connection to Temporal (`wait.rs`).

mod day;
mod failure;
mod grade;
mod report;
mod report_page;
mod status;
mod wait;

pub use day::{
    day_start_options, day_state, manual_day, run_day, run_day_within, settled_day_state,
    signal_injury, wait_for_rerun,
};
pub use failure::{describe_failure, describe_result_error};
pub use grade::run_grade;
pub use report::{format_run_history, predictions_table, summarize_day, summarize_grade};
pub use report_page::{
    copy_stored, render_backtest, render_date, stored_reports, BadReportInput, Rendered, ReportArgs,
};
pub use status::{print_predictions, raw_store_health, status};
pub use wait::{send_through_outages, through_outages};

/// A `--date` / `--from` / `--to` argument: a real calendar date of the supported seasons
/// (`nbaprops_proto::validate_game_date`), refused by clap before anything runs.
pub fn game_date_arg(date: &str) -> Result<String, String> {
    nbaprops_proto::validate_game_date(date).map(|()| date.to_string())
}
