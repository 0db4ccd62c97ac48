//! `nbaprops signal injury`: tell a day a player's status changed (the `injury_update` signal,
//! with signal-with-start), then wait for the rerun that applies it and say what it did.

use std::time::Duration;

use anyhow::Result;
use clap::Args;
use nbaprops_proto::{InjuryUpdate, RerunSummary, Trigger};
use nbaprops_workflows::ids;
use temporalio_client::Client;

use crate::commands;

#[derive(Args, Debug, Clone)]
pub struct InjuryArgs {
    /// The game date (America/New_York), YYYY-MM-DD.
    #[arg(long, value_parser = crate::commands::game_date_arg)]
    pub date: String,
    /// NBA person id, player lookup ("lebronjames") or name ("LeBron James").
    #[arg(long)]
    pub player: String,
    /// Out, Doubtful, Questionable, Probable or Available.
    #[arg(long)]
    pub status: String,
    /// Who said so.
    #[arg(long, default_value = "manual")]
    pub source: String,
    /// When it was reported (RFC 3339); default: when the day receives it.
    #[arg(long)]
    pub report_time: Option<String>,
    /// Free text kept with the update.
    #[arg(long, default_value = "")]
    pub reason: String,
    /// Return once the signal is delivered, without waiting for the rerun.
    #[arg(long)]
    pub no_wait: bool,
    /// Give up waiting for the rerun after this many seconds.
    #[arg(long, default_value_t = 600)]
    pub timeout_secs: u64,
}

impl InjuryArgs {
    pub fn update(&self) -> InjuryUpdate {
        InjuryUpdate {
            player: self.player.clone(),
            status: self.status.clone(),
            source: self.source.clone(),
            report_time: self.report_time.clone().unwrap_or_default(),
            reason: self.reason.clone(),
        }
    }
}

/// One line for a rerun.
pub fn summarize_rerun(r: &RerunSummary) -> String {
    let who: Vec<String> = r
        .updates
        .iter()
        .map(|u| format!("{} {}", u.player, u.status))
        .collect();
    format!(
        "rerun {} [{}]: {}; {} players and {} teams recomputed, {} predictions written ({} \
         superseded the earlier ones), {} unchanged, in {:.1} s",
        r.number,
        who.join(", "),
        r.outcome,
        r.players,
        r.teams,
        r.predictions_written,
        r.predictions_written,
        r.predictions_unchanged,
        (r.finished_at - r.started_at).max(0.0)
    )
}

/// Signals the update and, unless `--no-wait`, waits for the rerun that applied it. A rerun
/// that refused the update or failed is an error, with the rerun's line.
pub async fn injury(client: &Client, task_queue: &str, args: &InjuryArgs) -> Result<String> {
    let update = args.update();
    let sent = commands::signal_injury(
        client,
        task_queue,
        &args.date,
        Trigger::Signal,
        std::slice::from_ref(&update),
    )
    .await?;
    let id = ids::day_workflow_id(&args.date);
    let mut out = format!(
        "signalled injury_update ({} {}) to {id} (run {})\n",
        update.player, update.status, sent.run_id
    );
    if args.no_wait {
        return Ok(out);
    }
    let rerun = commands::wait_for_rerun(
        client,
        &id,
        &update,
        Duration::from_millis(200),
        Duration::from_secs(args.timeout_secs),
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e} ({})", out.trim_end()))?;
    out.push_str(&summarize_rerun(&rerun));
    // A refused or failed update is an error of the command: it exits non-zero with why.
    if rerun.outcome.starts_with("rejected") || rerun.outcome.starts_with("failed") {
        anyhow::bail!("{out}");
    }
    out.push('\n');
    Ok(out)
}
