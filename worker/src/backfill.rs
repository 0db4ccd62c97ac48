//! `nbaprops backfill`: start (or attach to) the BackfillWorkflow of a range, show its progress
//! from the `progress` query as a bar, pause / resume it, and rerun only its failed dates.

use std::io::IsTerminal;
use std::time::Duration;

use anyhow::{Context, Result};
use nbaprops_activities::storage::Warehouse;
use nbaprops_proto::{BackfillInput, BackfillProgress};
use nbaprops_workflows::{ids, BackfillWorkflow};
use temporalio_client::{
    Client, WorkflowDescribeOptions, WorkflowExecutionStatus, WorkflowGetResultOptions,
    WorkflowIdConflictPolicy, WorkflowIdReusePolicy, WorkflowQueryOptions, WorkflowSignalOptions,
    WorkflowStartOptions,
};

#[derive(clap::Args, Debug, Clone)]
pub struct BackfillArgs {
    /// First date of the range (YYYY-MM-DD, Eastern game date).
    #[arg(long, value_parser = crate::commands::game_date_arg)]
    pub from: String,
    /// Last date of the range.
    #[arg(long, value_parser = crate::commands::game_date_arg)]
    pub to: String,
    /// Phases to run: `1-5` (default), `2-5` to reprocess kept payloads, `5` to predict again.
    #[arg(long, default_value = "1-5")]
    pub phases: String,
    /// Dates in flight at once (child workflows).
    #[arg(long, default_value_t = COMMAND_CONCURRENCY)]
    pub concurrency: u32,
    /// Rerun only the dates the last backfill of this range failed.
    #[arg(long)]
    pub retry_failed: bool,
    /// Start (or attach) and return without waiting.
    #[arg(long)]
    pub no_wait: bool,
    /// Print the running backfill's progress once and return.
    #[arg(long, conflicts_with_all = ["pause", "resume"])]
    pub progress: bool,
    /// Pause the running backfill: no new dates start; those in flight finish.
    #[arg(long, conflicts_with = "resume")]
    pub pause: bool,
    /// Resume a paused backfill.
    #[arg(long)]
    pub resume: bool,
}

impl BackfillArgs {
    /// Phases 1-5 of `[from, to]`, `concurrency` dates in flight, started and waited for.
    pub fn range(from: &str, to: &str, concurrency: u32) -> Self {
        Self {
            from: from.into(),
            to: to.into(),
            phases: "1-5".into(),
            concurrency,
            retry_failed: false,
            no_wait: false,
            progress: false,
            pause: false,
            resume: false,
        }
    }
}

/// The command's default dates in flight: the workflow's default for inputs without one, so a
/// `temporal workflow start` runs like `nbaprops backfill`.
pub const COMMAND_CONCURRENCY: u32 = nbaprops_workflows::backfill::DEFAULT_CONCURRENCY;

/// `2-5` → (2, 5); `3` → (3, 3).
pub fn parse_phases(s: &str) -> Result<(u32, u32)> {
    let (a, b) = s.split_once('-').unwrap_or((s, s));
    let first: u32 = a
        .trim()
        .parse()
        .with_context(|| format!("--phases {s:?}"))?;
    let last: u32 = b
        .trim()
        .parse()
        .with_context(|| format!("--phases {s:?}"))?;
    anyhow::ensure!(
        (1..=5).contains(&first) && (1..=5).contains(&last) && first <= last,
        "--phases {s:?}: give a range within 1-5, like 2-5"
    );
    Ok((first, last))
}

/// The input of a backfill of the arguments' range.
pub fn input_of(args: &BackfillArgs, only_dates: Vec<String>) -> Result<BackfillInput> {
    for d in [&args.from, &args.to] {
        nbaprops_proto::validate_game_date(d).map_err(anyhow::Error::msg)?;
    }
    let (first_phase, last_phase) = parse_phases(&args.phases)?;
    Ok(BackfillInput {
        from: args.from.clone(),
        to: args.to.clone(),
        first_phase,
        last_phase,
        concurrency: args.concurrency,
        only_dates,
        state: None,
        children_per_run: 0,
    })
}

/// Starts the backfill of the input's range, or attaches to the one running.
pub async fn start(client: &Client, task_queue: &str, input: BackfillInput) -> Result<String> {
    let id = ids::backfill_workflow_id(&input.from, &input.to);
    client
        .start_workflow(
            BackfillWorkflow::run,
            input,
            WorkflowStartOptions::new(task_queue, &id)
                // One backfill per range at a time: a second start attaches to the running
                // one. After it closed, a start runs it again (writing only what changed).
                .id_conflict_policy(WorkflowIdConflictPolicy::UseExisting)
                .id_reuse_policy(WorkflowIdReusePolicy::AllowDuplicate)
                .build(),
        )
        .await
        .with_context(|| format!("starting {id}"))?;
    Ok(id)
}

/// The progress of the running (or last) run of a backfill.
pub async fn progress(client: &Client, id: &str) -> Result<BackfillProgress> {
    client
        .get_workflow_handle::<BackfillWorkflow>(id)
        .query(
            BackfillWorkflow::progress,
            (),
            WorkflowQueryOptions::default(),
        )
        .await
        .map_err(|e| anyhow::anyhow!("querying {id}: {e}"))
}

/// Waits for a backfill, drawing its progress (a bar on a terminal, a line every 15 s
/// otherwise), and returns its result.
pub async fn wait(client: &Client, id: &str) -> Result<BackfillProgress> {
    let handle = client.get_workflow_handle::<BackfillWorkflow>(id);
    let result = crate::commands::through_outages(id, None, || {
        handle.get_result(WorkflowGetResultOptions::default())
    });
    tokio::pin!(result);
    let tty = std::io::stderr().is_terminal();
    let bar = indicatif::ProgressBar::new(0);
    if tty {
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} date-steps {msg}",
            )
            .expect("a valid template"),
        );
    } else {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let mut last_line = std::time::Instant::now();
    loop {
        tokio::select! {
            r = &mut result => {
                bar.finish_and_clear();
                return r;
            }
            _ = tick.tick() => {
                // A query can fail between runs (continue-as-new); the next tick asks again.
                if let Ok(p) = progress(client, id).await {
                    bar.set_length(p.steps_total as u64);
                    bar.set_position(p.steps_done as u64);
                    bar.set_message(status_line(&p));
                    if !tty && last_line.elapsed() >= Duration::from_secs(15) {
                        eprintln!("{id}: {}/{} date-steps, {}", p.steps_done, p.steps_total, status_line(&p));
                        last_line = std::time::Instant::now();
                    }
                }
            }
        }
    }
}

/// "phase 3 level 2, 41.0/min, ETA 12m, 2 failed".
pub fn status_line(p: &BackfillProgress) -> String {
    let mut s = format!("{}, {:.1}/min", p.current, p.rate_per_minute);
    if let Some(eta) = p.eta_seconds {
        s.push_str(&format!(", ETA {}", human(eta)));
    }
    if !p.failed.is_empty() {
        s.push_str(&format!(", {} failed", p.failed.len()));
    }
    if p.paused {
        s.push_str(", PAUSED");
    }
    s
}

fn human(secs: f64) -> String {
    let s = secs.round() as u64;
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m{:02}s", s / 60, s % 60),
        _ => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
    }
}

/// A backfill's progress or result as a table: per phase, then the failed dates.
pub fn summarize(id: &str, p: &BackfillProgress) -> String {
    let mut out = format!(
        "{id}: {} ({} game dates, {} runs); {}/{} date-steps in {}; rows written {}, unchanged {}\n",
        p.current,
        p.game_dates,
        p.runs + 1,
        p.steps_done,
        p.steps_total,
        human(p.elapsed_seconds),
        p.rows_written,
        p.rows_unchanged
    );
    out.push_str(&format!(
        "  {:<8} {:>6} {:>6} {:>7} {:>8} {:>10}\n",
        "phase", "total", "done", "failed", "skipped", "remaining"
    ));
    for ph in &p.phases {
        let name = if ph.phase == nbaprops_proto::registry::GRADING_PHASE {
            "grading".to_string()
        } else {
            ph.phase.to_string()
        };
        out.push_str(&format!(
            "  {:<8} {:>6} {:>6} {:>7} {:>8} {:>10}\n",
            name, ph.total, ph.done, ph.failed, ph.skipped, ph.remaining
        ));
    }
    if !p.failed.is_empty() {
        out.push_str(&format!(
            "{} failed (their later steps were skipped); rerun them with --retry-failed:\n",
            p.failed.len()
        ));
        for f in &p.failed {
            let step = if f.phase == nbaprops_proto::registry::GRADING_PHASE {
                "grading".to_string()
            } else if f.level == nbaprops_proto::registry::GATE_STEP {
                format!("phase {} gate", f.phase)
            } else {
                format!("phase {} level {}", f.phase, f.level)
            };
            out.push_str(&format!("  {} {step}: {}\n", f.date, f.error));
        }
    }
    out
}

/// The distinct failed dates of the last run of a range, refusing while one runs.
async fn failed_dates(client: &Client, id: &str) -> Result<Vec<String>> {
    let handle = client.get_workflow_handle::<BackfillWorkflow>(id);
    let described = handle
        .describe(WorkflowDescribeOptions::default())
        .await
        .with_context(|| format!("--retry-failed: no earlier backfill {id} to retry"))?;
    anyhow::ensure!(
        described.status() != WorkflowExecutionStatus::Running,
        "--retry-failed: {id} is still running; wait for it (or pause it) first"
    );
    let last = handle
        .get_result(WorkflowGetResultOptions::default())
        .await
        .map_err(|e| anyhow::anyhow!("--retry-failed: {id} has no result to retry from: {e}"))?;
    let mut dates: Vec<String> = last.failed.iter().map(|f| f.date.clone()).collect();
    dates.sort();
    dates.dedup();
    Ok(dates)
}

/// The line `nbaprops backfill` prints once when the range starts where the warehouse's history
/// does: its first dates have players with no game this season or the last (everyone, on the
/// very first), whom the ensemble gives the line, PASS, and the gates count apart. `None`
/// when there are games before `from`.
pub async fn first_dates_note(warehouse: &Warehouse, from: &str) -> Result<Option<String>> {
    let first = nbaprops_activities::storage::queries::ops::first_game_date(warehouse).await?;
    Ok(match first {
        Some(first) if first.as_str() < from => None,
        _ => Some(format!(
            "no history before {from}: the first dates predict from the line only (PASS) for \
             every player without a game this season or the last, and the gates count those \
             players apart"
        )),
    })
}

/// What `nbaprops backfill` does. Returns whether the finished backfill has failed dates.
pub async fn run(client: &Client, task_queue: &str, args: &BackfillArgs) -> Result<bool> {
    let id = ids::backfill_workflow_id(&args.from, &args.to);
    if args.progress {
        let p = progress(client, &id).await?;
        print!("{}", summarize(&id, &p));
        return Ok(false);
    }
    if args.pause || args.resume {
        let handle = client.get_workflow_handle::<BackfillWorkflow>(&id);
        if args.pause {
            handle
                .signal(
                    BackfillWorkflow::pause,
                    nbaprops_workflows::signals::raw(&()),
                    WorkflowSignalOptions::default(),
                )
                .await
        } else {
            handle
                .signal(
                    BackfillWorkflow::resume,
                    nbaprops_workflows::signals::raw(&()),
                    WorkflowSignalOptions::default(),
                )
                .await
        }
        .map_err(|e| anyhow::anyhow!("signalling {id}: {e}"))?;
        println!(
            "{id}: {}",
            if args.pause {
                "paused (dates in flight finish; none start until --resume)"
            } else {
                "resumed"
            }
        );
        return Ok(false);
    }
    let only = if args.retry_failed {
        let dates = failed_dates(client, &id).await?;
        if dates.is_empty() {
            println!("{id}: no failed dates to retry");
            return Ok(false);
        }
        println!("{id}: retrying {} dates: {}", dates.len(), dates.join(", "));
        dates
    } else {
        vec![]
    };
    start(client, task_queue, input_of(args, only)?).await?;
    if args.no_wait {
        println!("started {id} (or attached to it); follow it with `nbaprops backfill --from {} --to {} --progress`", args.from, args.to);
        return Ok(false);
    }
    let result = wait(client, &id).await?;
    print!("{}", summarize(&id, &result));
    Ok(!result.failed.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_parse_as_ranges() {
        assert_eq!(parse_phases("2-5").unwrap(), (2, 5));
        assert_eq!(parse_phases("3").unwrap(), (3, 3));
        assert!(parse_phases("5-2").is_err());
        assert!(parse_phases("0-9").is_err());
        assert!(parse_phases("x").is_err());
    }

    #[test]
    fn durations_read_like_a_person_would_say_them() {
        assert_eq!(human(42.0), "42s");
        assert_eq!(human(125.0), "2m05s");
        assert_eq!(human(7300.0), "2h01m");
    }
}
