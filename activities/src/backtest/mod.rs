//! `nbaprops backtest`: the whole pipeline over real history, in-process, and how its
//! predictions did.
//!
//! 1. **Ingest**: every CSV in the data folder whose name starts with `team_games_`,
//!    `player_game_logs_` or `points_lines_` goes through the historical import source, in
//!    name order (a row that two files hold is read from the file imported last).
//! 2. **Backfill**: Phases 2-4 of every date the files cover (and the day after each, which is
//!    when a date's box scores are summarised), from `warmup_days` before the first predicted
//!    date on. A season without team games gets its games from the player logs and the lines'
//!    events (`analytics::inputs`).
//! 3. **Predict**: Phase 5 of every date in `[from, to]` that has lines, in date order. Every
//!    system reads only games before the date and the line snapshot of the date (point in
//!    time is the pipeline's own rule, tested in `tests/real_history.rs`).
//! 4. **Grade** every predicted date with the GradingWorkflow's processor
//!    (`prediction_grades`).
//! 5. **Report** ([`report`]): accuracy against what happened, bets at each edge, coverage,
//!    and the leakage guard.
//!
//! A date that fails (a bad file, an error) is reported with its error and not predicted; a
//! quality gate that fails is reported and the date goes on (see [`run`]).

pub mod evaluation;
pub mod report;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use nbaprops_proto::{Mode, Phase, ProcessorRequest, ProcessorResult, RunContext, Trigger};

use crate::error::{PipelineError, Result};
use crate::inprocess::run_phase;
use crate::sources::historical_import::{import_file, ImportSummary};
use crate::sources::shift_date;
use crate::Deps;

/// The file-name prefixes the backtest reads.
pub const FILE_PREFIXES: [&str; 3] = ["team_games_", "player_game_logs_", "points_lines_"];

/// Days of history before the first predicted date that are backfilled: the player context's
/// 200-day window, which reaches into last season for early-season form.
pub const DEFAULT_WARMUP_DAYS: i64 = 200;

#[derive(Debug, Clone)]
pub struct BacktestOptions {
    pub data_dir: PathBuf,
    pub from: String,
    pub to: String,
    pub warmup_days: i64,
}

/// A date the pipeline could not finish, and why.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FailedDate {
    pub date: String,
    pub phases: String,
    pub error: String,
}

/// What the run did, for the report.
#[derive(Debug, Clone, Default)]
pub struct BacktestRun {
    pub imports: Vec<ImportSummary>,
    pub backfilled_dates: Vec<String>,
    pub predicted_dates: Vec<String>,
    pub failed: Vec<FailedDate>,
    /// Phase 5 warnings by date: the plan's and every system's skips.
    pub warnings: Vec<(String, String, String)>,
}

/// The backtest's files in `dir`, sorted by name.
pub fn data_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        PipelineError::InvalidRequest(format!("backtest: cannot read {}: {e}", dir.display()))
    })?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| PipelineError::InvalidRequest(format!("backtest: {e}")))?
            .path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let csv = name.ends_with(".csv") || name.ends_with(".csv.gz");
        if csv && FILE_PREFIXES.iter().any(|p| name.starts_with(p)) {
            files.push(path);
        }
    }
    files.sort();
    if !files.iter().any(|f| {
        f.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("points_lines_"))
    }) {
        return Err(PipelineError::InvalidRequest(format!(
            "backtest: {} has no points_lines_*.csv file: nothing to predict against",
            dir.display()
        )));
    }
    Ok(files)
}

pub fn context(date: &str) -> RunContext {
    RunContext {
        correlation_id: format!("backtest-{date}"),
        game_date: date.to_string(),
        mode: Mode::Backfill as i32,
        trigger: Trigger::Backfill as i32,
        // Historical lines: the recorded pre-game snapshots stand for the morning's line.
        lines_as_of: String::new(),
    }
}

/// The dates the imported files hold, by source.
async fn imported_dates(deps: &Deps, source: &str) -> Result<BTreeSet<String>> {
    crate::storage::queries::raw::kept_dates(&deps.warehouse, source, None).await
}

fn first_line(e: &impl std::fmt::Display) -> String {
    e.to_string().lines().next().unwrap_or_default().to_string()
}

fn collect_warnings(run: &mut BacktestRun, date: &str, results: &[ProcessorResult]) {
    for r in results {
        for w in &r.warnings {
            run.warnings
                .push((date.to_string(), r.processor.clone(), w.clone()));
        }
    }
}

/// Ingests, backfills and predicts. `progress` gets one line per step.
pub async fn run(
    deps: &Deps,
    opts: &BacktestOptions,
    mut progress: impl FnMut(&str),
) -> Result<BacktestRun> {
    if opts.from > opts.to {
        return Err(PipelineError::InvalidRequest(format!(
            "backtest: --from {} is after --to {}",
            opts.from, opts.to
        )));
    }
    let mut run = BacktestRun::default();
    for file in data_files(&opts.data_dir)? {
        let summary = import_file(deps, &file).await?;
        progress(&format!(
            "imported {}: {} rows over {} dates",
            summary.file, summary.rows, summary.dates
        ));
        run.imports.push(summary);
    }

    // Every date a file covers, and the day after it (box scores are summarised on D+1).
    let start = shift_date(&opts.from, -opts.warmup_days)?;
    let end = shift_date(&opts.to, 1)?;
    let mut dates = BTreeSet::new();
    for source in nbaprops_proto::registry::IMPORTED_SOURCES {
        let source = source.trim_start_matches("raw:");
        for d in imported_dates(deps, source).await? {
            dates.insert(shift_date(&d, 1)?);
            dates.insert(d);
        }
    }
    let dates: Vec<String> = dates
        .into_iter()
        .filter(|d| *d >= start && *d <= end)
        .collect();
    let line_dates = imported_dates(deps, "historical_points_lines").await?;

    // Phase 2 of every date first, then Phases 3 and 4: the name registry then holds every
    // player of the files before any date is summarised, as the player index does on a live
    // day, so a rerun sees exactly what the first run saw. A gate that fails on history is
    // reported and the date goes on: imported history is thinner than a live day (logs hold only
    // players who had lines, no play-by-play, no game lines), and a backtest should measure
    // what the data allows rather than stop.
    let total = dates.len();
    let mut broken: BTreeSet<String> = BTreeSet::new();
    let steps: [&[Phase]; 2] = [&[Phase::Raw], &[Phase::Analytics, Phase::Precompute]];
    for phases in steps {
        for (i, date) in dates.iter().enumerate() {
            if broken.contains(date) {
                continue;
            }
            let ctx = context(date);
            for &phase in phases {
                if let Err(e) = run_phase(deps, &ctx, phase, false).await {
                    run.failed.push(FailedDate {
                        date: date.clone(),
                        phases: phase.number().to_string(),
                        error: first_line(&e),
                    });
                    broken.insert(date.clone());
                    break;
                }
                let gate = crate::ops::quality::check(deps, &ctx, phase.number()).await?;
                if !gate.passed {
                    run.failed.push(FailedDate {
                        date: date.clone(),
                        phases: format!("{} (gate)", phase.number()),
                        error: gate.describe_failures(),
                    });
                }
            }
            if (i + 1) % 25 == 0 || i + 1 == total {
                progress(&format!(
                    "phases {}-{}: {} of {total} dates",
                    phases[0].number(),
                    phases[phases.len() - 1].number(),
                    i + 1
                ));
            }
        }
    }
    run.backfilled_dates = dates
        .iter()
        .filter(|d| !broken.contains(*d))
        .cloned()
        .collect();

    let predict: Vec<&String> = dates
        .iter()
        .filter(|d| **d >= opts.from && **d <= opts.to && line_dates.contains(*d))
        .collect();
    for date in predict {
        if !run.backfilled_dates.contains(date) {
            continue;
        }
        let ctx = context(date);
        match run_phase(deps, &ctx, Phase::Predict, false).await {
            Ok(predicted) => {
                for w in predicted.plan_warnings {
                    run.warnings.push((date.clone(), "plan".to_string(), w));
                }
                collect_warnings(&mut run, date, &predicted.results);
                run.predicted_dates.push(date.clone());
                // A failed gate is reported; the date's predictions still count.
                let gate = crate::ops::quality::check(deps, &ctx, 5).await?;
                if !gate.passed {
                    run.failed.push(FailedDate {
                        date: date.clone(),
                        phases: "5 (gate)".into(),
                        error: gate.describe_failures(),
                    });
                }
            }
            Err(e) => run.failed.push(FailedDate {
                date: date.clone(),
                phases: "5".into(),
                error: first_line(&e),
            }),
        }
        progress(&format!("phase 5: {date}"));
    }

    // Grading: the same processor the GradingWorkflow runs, once the box scores are in.
    for date in run.predicted_dates.clone() {
        let req = ProcessorRequest {
            context: Some(context(&date)),
            processor: crate::grade::prediction_grades::NAME.to_string(),
            raw_payloads: vec![],
            entity_filter: None,
        };
        let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        if let Err(e) = crate::runner::run_processor(deps, &req, &now).await {
            run.failed.push(FailedDate {
                date: date.clone(),
                phases: "grading".into(),
                error: first_line(&e),
            });
        }
    }
    progress(&format!("graded {} dates", run.predicted_dates.len()));
    Ok(run)
}
