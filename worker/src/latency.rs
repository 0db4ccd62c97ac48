//! `nbaprops bench injury`: the live-day latency benchmark of docs/benchmarks.md. On a full
//! simulated slate (the season shape: 30 teams, every source, served by the replay server), a
//! real dev server and a worker process:
//!
//! 1. the dates before the slate are backfilled (Phases 1-5), so the slate has history;
//! 2. the slate's day runs: start → predictions complete (the main run), timed by the client;
//! 3. the day stays open, and N players (default 20, spread over the slate's teams) are ruled
//!    out one after another with the `injury_update` signal; each is timed from the signal to
//!    the day's state showing his rerun finished (his and his teammates' predictions
//!    superseded). p50 / p95 / max are printed, with the reruns' own durations (workflow time).
//!
//! A command, not a test: the figures are only comparable within one run on one machine.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use nbaprops_proto::{DayInput, InjuryUpdate, Mode, Trigger};
use nbaprops_simulator::replay_server::ReplayServer;
use nbaprops_workflows::{ids, DayWorkflow};
use temporalio_client::WorkflowSignalOptions;

use crate::backfill::{self, BackfillArgs};
use crate::bench::{ensure_season_simulation, fresh_dir, peak_rss_mib, spawn_worker};
use crate::dev_server::DevServer;
use crate::{client, commands};

#[derive(clap::Args, Debug, Clone)]
pub struct BenchInjuryArgs {
    /// The slate: a date of the simulated season with a full schedule.
    #[arg(long, default_value = "2024-11-12")]
    pub date: chrono::NaiveDate,
    /// The first date of history backfilled before the slate (the season's opening night).
    #[arg(long, default_value = "2024-10-22")]
    pub history_from: chrono::NaiveDate,
    /// How many players are ruled out, one signal at a time.
    #[arg(long, default_value_t = 20)]
    pub signals: usize,
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Working folder: the simulation (kept and reused) and the warehouse.
    #[arg(long, default_value = "data/bench-injury")]
    pub work: PathBuf,
    /// Also write the figures as JSON here.
    #[arg(long)]
    pub json: Option<PathBuf>,
}

#[derive(Debug, Default, serde::Serialize)]
pub struct InjuryFigures {
    pub date: String,
    pub history_dates: u32,
    pub history_seconds: f64,
    pub players_with_lines: usize,
    pub main_run_seconds: f64,
    pub predictions_written: u32,
    /// Signal → the rerun finished, as the client sees it, per signal (seconds).
    pub rerun_latencies: Vec<f64>,
    /// The reruns' own durations (workflow time, first to last event).
    pub rerun_durations: Vec<f64>,
    pub p50: f64,
    pub p95: f64,
    pub max: f64,
    pub players_recomputed_per_rerun: f64,
    pub worker_peak_rss_mib: Option<f64>,
}

/// Backfills `from` to the day before `date` (Phases 1-5, 4 dates in flight) on `queue`: the
/// history a slate predicts from. Returns the game dates backfilled.
pub async fn backfill_history(
    client: &temporalio_client::Client,
    queue: &str,
    from: chrono::NaiveDate,
    date: chrono::NaiveDate,
) -> Result<u32> {
    let to = (date - chrono::Duration::days(1)).to_string();
    let input = backfill::input_of(&BackfillArgs::range(&from.to_string(), &to, 4), vec![])?;
    let id = backfill::start(client, queue, input).await?;
    Ok(backfill::wait(client, &id).await?.game_dates)
}

/// The `q` quantile (nearest rank) of the values.
pub fn quantile(values: &[f64], q: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
    v[rank - 1]
}

pub async fn injury(args: &BenchInjuryArgs) -> Result<InjuryFigures> {
    if args.history_from >= args.date {
        bail!("--history-from must be before --date");
    }
    let sim = args.work.join("sim");
    ensure_season_simulation(&sim, args.history_from, args.date, args.seed, None)?;
    let replay = ReplayServer::start(sim.clone(), "127.0.0.1:0".parse()?).await?;
    let server = DevServer::start_ephemeral().await?;
    let client = client::connect(&server.address, "default").await?;
    client::ensure_search_attributes(&client).await?;
    let data = args.work.join("data");
    fresh_dir(&data)?;
    let queue = "bench-injury";
    let mut worker = spawn_worker(&server.address, queue, &data, &replay, &args.work)?;
    let pid = worker.id().context("the worker's pid")?;
    let date = args.date.to_string();
    let mut figures = InjuryFigures {
        date: date.clone(),
        ..Default::default()
    };

    // 1. History: every date before the slate, backfilled.
    println!(
        "backfilling {} to the day before {date} (history for the slate)...",
        args.history_from
    );
    let started = Instant::now();
    figures.history_dates = backfill_history(&client, queue, args.history_from, args.date).await?;
    figures.history_seconds = started.elapsed().as_secs_f64();

    // 2. The slate's main run, then the day stays open.
    println!("the day of {date}: main run...");
    let listen_until = (chrono::Utc::now() + chrono::Duration::hours(2))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let started = Instant::now();
    let main = commands::run_day(
        &client,
        queue,
        DayInput {
            game_date: date.clone(),
            mode: Mode::Full as i32,
            trigger: Trigger::Manual as i32,
            listen_until,
            ..Default::default()
        },
    )
    .await?;
    figures.main_run_seconds = started.elapsed().as_secs_f64();
    figures.predictions_written = main.predictions_written;

    // 3. Players with a line, spread over the teams: the first of each team, then the second...
    let warehouse = nbaprops_activities::storage::Warehouse::connect(
        &nbaprops_activities::deps::sqlite_url(&data),
        nbaprops_activities::storage::SchemaPolicy::Require,
    )
    .await?;
    let mut lined: Vec<(i64, String)> = warehouse
        .partition::<nbaprops_activities::analytics::upcoming_player_game_context::PlayerContextRow>(&date)
        .await?
        .into_iter()
        .map(|c| (c.player_id, c.team))
        .collect();
    lined.sort();
    figures.players_with_lines = lined.len();
    let mut by_team: std::collections::BTreeMap<&str, Vec<i64>> = Default::default();
    for (p, t) in &lined {
        by_team.entry(t.as_str()).or_default().push(*p);
    }
    let mut picked = Vec::new();
    for round in 0.. {
        let mut any = false;
        for players in by_team.values() {
            if let Some(p) = players.get(round) {
                picked.push(*p);
                any = true;
            }
        }
        if !any || picked.len() >= args.signals {
            break;
        }
    }
    picked.truncate(args.signals);
    if picked.len() < args.signals {
        bail!(
            "{date} has {} players with a line; {} signals asked",
            lined.len(),
            args.signals
        );
    }

    let day_id = ids::day_workflow_id(&date);
    println!("{} injury updates, one at a time...", picked.len());
    let mut recomputed = 0u32;
    for (i, player) in picked.iter().enumerate() {
        let update = InjuryUpdate {
            player: player.to_string(),
            status: "Out".into(),
            source: "bench".into(),
            // Noon New York time on the slate: before every tip-off (later news is refused).
            report_time: format!("{date}T17:00:00Z"),
            ..Default::default()
        };
        let sent = Instant::now();
        commands::signal_injury(
            &client,
            queue,
            &date,
            Trigger::Signal,
            std::slice::from_ref(&update),
        )
        .await?;
        let rerun = commands::wait_for_rerun(
            &client,
            &day_id,
            &update,
            Duration::from_millis(20),
            Duration::from_secs(300),
        )
        .await
        .map_err(|e| anyhow::anyhow!("signal {i} ({player}): {e}"))?;
        let latency = sent.elapsed().as_secs_f64();
        if rerun.outcome != "applied" {
            bail!("rerun {} did not apply: {}", rerun.number, rerun.outcome);
        }
        println!(
            "  {:>2}. player {player}: {latency:.2} s ({} players recomputed, {} predictions written)",
            i + 1,
            rerun.players,
            rerun.predictions_written
        );
        recomputed += rerun.players;
        figures.rerun_latencies.push(latency);
        figures
            .rerun_durations
            .push((rerun.finished_at - rerun.started_at).max(0.0));
    }
    figures.p50 = quantile(&figures.rerun_latencies, 0.50);
    figures.p95 = quantile(&figures.rerun_latencies, 0.95);
    figures.max = quantile(&figures.rerun_latencies, 1.0);
    figures.players_recomputed_per_rerun = recomputed as f64 / picked.len().max(1) as f64;
    figures.worker_peak_rss_mib = peak_rss_mib(pid);

    client
        .get_workflow_handle::<DayWorkflow>(&day_id)
        .signal(
            DayWorkflow::stop_listening,
            nbaprops_workflows::signals::raw(&()),
            WorkflowSignalOptions::default(),
        )
        .await
        .map_err(|e| anyhow::anyhow!("closing {day_id}: {e}"))?;
    worker.start_kill()?;
    let _ = worker.wait().await;
    server.stop().await?;
    replay.stop().await;
    Ok(figures)
}

/// The figures as the benchmark prints them.
pub fn report(f: &InjuryFigures) -> String {
    format!(
        "injury-rerun latency benchmark, slate {}\n\
         \x20 history               {} game dates backfilled in {:.0} s\n\
         \x20 players with a line   {}\n\
         \x20 main run              {:.1} s (start to predictions complete; target < 60 s), {} predictions\n\
         \x20 signal to superseded  p50 {:.2} s, p95 {:.2} s, max {:.2} s over {} signals (target p95 < 5 s)\n\
         \x20 rerun in the workflow p50 {:.2} s, p95 {:.2} s\n\
         \x20 players per rerun     {:.1} (the player and his teammates)\n{}",
        f.date,
        f.history_dates,
        f.history_seconds,
        f.players_with_lines,
        f.main_run_seconds,
        f.predictions_written,
        f.p50,
        f.p95,
        f.max,
        f.rerun_latencies.len(),
        quantile(&f.rerun_durations, 0.5),
        quantile(&f.rerun_durations, 0.95),
        f.players_recomputed_per_rerun,
        f.worker_peak_rss_mib
            .map(|m| format!("  worker peak memory    {m:.0} MiB (VmHWM)\n"))
            .unwrap_or_default()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_nearest_rank() {
        let v: Vec<f64> = (1..=20).map(f64::from).collect();
        assert_eq!(quantile(&v, 0.5), 10.0);
        assert_eq!(quantile(&v, 0.95), 19.0);
        assert_eq!(quantile(&v, 1.0), 20.0);
        assert_eq!(quantile(&[], 0.5), 0.0);
    }
}
