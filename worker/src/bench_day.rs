//! `nbaprops bench day`: the main-run benchmark of docs/benchmarks.md. One simulated slate with
//! N games (15 by default: every team plays) and a points line for every available player, run
//! as a day through a real dev server and a worker process, once on SQLite with a folder and once
//! on PostgreSQL with an S3 store (both embedded, from the project's virtualenv). Each storage
//! gets its own dev server, worker and history: the dates before the slate, backfilled first.
//! What is timed is the day's main run, start to predictions complete, as the client sees it.
//!
//! A command, not a test: the two figures are comparable only within one run on one machine.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use nbaprops_activities::analytics::upcoming_player_game_context::PlayerContextRow;
use nbaprops_activities::storage::{SchemaPolicy, Warehouse};
use nbaprops_proto::{DayInput, Mode, Trigger};
use nbaprops_simulator::replay_server::ReplayServer;
use nbaprops_simulator::FullSlate;

use crate::bench::{
    ensure_season_simulation, fresh_dir, peak_rss_mib, spawn_shared_worker, Shared,
};
use crate::dev_server::DevServer;
use crate::latency::backfill_history;
use crate::services::{EmbeddedPostgres, SeaweedS3};
use crate::{client, commands};

#[derive(clap::Args, Debug, Clone)]
pub struct BenchDayArgs {
    /// The slate: a date of the simulated 2024-25 season, made a full slate.
    #[arg(long, default_value = "2024-11-12")]
    pub date: chrono::NaiveDate,
    /// Games on the slate (1 to 15).
    #[arg(long, default_value_t = 15)]
    pub games: usize,
    /// The first date of history backfilled before the slate (the season's opening night).
    #[arg(long, default_value = "2024-10-22")]
    pub history_from: chrono::NaiveDate,
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Working folder: the simulation (kept and reused) and each run's data folder.
    #[arg(long, default_value = "data/bench-day")]
    pub work: PathBuf,
    /// Only the SQLite run (no PostgreSQL or S3 needed).
    #[arg(long)]
    pub sqlite_only: bool,
    /// Also write the figures as JSON here.
    #[arg(long)]
    pub json: Option<PathBuf>,
}

#[derive(Debug, Default, serde::Serialize)]
pub struct DayFigures {
    pub date: String,
    pub games: usize,
    pub runs: Vec<DayRun>,
}

/// One storage's run of the slate.
#[derive(Debug, Default, serde::Serialize)]
pub struct DayRun {
    /// `sqlite + folder` or `postgres + s3`.
    pub storage: String,
    pub history_dates: u32,
    pub history_seconds: f64,
    pub players_with_lines: usize,
    pub main_run_seconds: f64,
    pub predictions_written: u32,
    pub worker_peak_rss_mib: Option<f64>,
}

pub async fn day(args: &BenchDayArgs) -> Result<DayFigures> {
    if args.history_from >= args.date {
        bail!("--history-from must be before --date");
    }
    let sim = args.work.join("sim");
    let slate = FullSlate {
        date: args.date,
        games: args.games,
    };
    ensure_season_simulation(&sim, args.history_from, args.date, args.seed, Some(slate))?;
    let replay = ReplayServer::start(sim.clone(), "127.0.0.1:0".parse()?).await?;
    let mut figures = DayFigures {
        date: args.date.to_string(),
        games: args.games,
        runs: Vec::new(),
    };

    let data = args.work.join("sqlite");
    fresh_dir(&data)?;
    let url = nbaprops_activities::deps::sqlite_url(&data);
    let run = run_slate(
        args,
        &replay,
        &data,
        &url,
        &Shared::default(),
        "sqlite + folder",
    )
    .await?;
    figures.runs.push(run);

    if !args.sqlite_only {
        let pg = EmbeddedPostgres::start().await?;
        let s3 = SeaweedS3::start().await?;
        Warehouse::connect(&pg.url(), SchemaPolicy::Apply).await?;
        let shared = Shared {
            args: vec![
                "--database-url".into(),
                pg.url(),
                "--raw-store-url".into(),
                s3.raw_store_url("bench-day"),
            ],
            env: s3.client_options(),
        };
        let data = args.work.join("postgres");
        fresh_dir(&data)?;
        let run = run_slate(args, &replay, &data, &pg.url(), &shared, "postgres + s3").await?;
        figures.runs.push(run);
    }
    replay.stop().await;
    Ok(figures)
}

/// The history, then the slate's day, on a fresh dev server with one worker on `shared`.
async fn run_slate(
    args: &BenchDayArgs,
    replay: &ReplayServer,
    data: &std::path::Path,
    database_url: &str,
    shared: &Shared,
    storage: &str,
) -> Result<DayRun> {
    let server = DevServer::start_ephemeral().await?;
    let client = client::connect(&server.address, "default").await?;
    client::ensure_search_attributes(&client).await?;
    let queue = "bench-day";
    let log = data.join("worker.log");
    let mut worker = spawn_shared_worker(&server.address, queue, data, replay, &log, shared)?;
    let pid = worker.id().context("the worker's pid")?;
    let date = args.date.to_string();
    let mut run = DayRun {
        storage: storage.to_string(),
        ..Default::default()
    };

    println!(
        "{storage}: backfilling {} to the day before {date}...",
        args.history_from
    );
    let started = Instant::now();
    run.history_dates = backfill_history(&client, queue, args.history_from, args.date).await?;
    run.history_seconds = started.elapsed().as_secs_f64();

    println!("{storage}: the day of {date}, main run...");
    let started = Instant::now();
    let main = commands::run_day(
        &client,
        queue,
        DayInput {
            game_date: date.clone(),
            mode: Mode::Full as i32,
            trigger: Trigger::Manual as i32,
            ..Default::default()
        },
    )
    .await?;
    run.main_run_seconds = started.elapsed().as_secs_f64();
    run.predictions_written = main.predictions_written;
    run.worker_peak_rss_mib = peak_rss_mib(pid);

    let warehouse = Warehouse::connect(database_url, SchemaPolicy::Require).await?;
    run.players_with_lines = warehouse.partition::<PlayerContextRow>(&date).await?.len();
    worker.start_kill()?;
    let _ = worker.wait().await;
    server.stop().await?;
    Ok(run)
}

/// The figures as the benchmark prints them.
pub fn report(f: &DayFigures) -> String {
    let mut out = format!(
        "day benchmark, slate {} with {} games, every available player on a line\n",
        f.date, f.games
    );
    for r in &f.runs {
        out.push_str(&format!(
            "  {:<16} main run {:.1} s (start to predictions complete), {} players with a line, \
             {} predictions; history {} dates in {:.0} s{}\n",
            r.storage,
            r.main_run_seconds,
            r.players_with_lines,
            r.predictions_written,
            r.history_dates,
            r.history_seconds,
            r.worker_peak_rss_mib
                .map(|m| format!("; worker peak {m:.0} MiB"))
                .unwrap_or_default()
        ));
    }
    if let [sqlite, pg] = &f.runs[..] {
        out.push_str(&format!(
            "  postgres / sqlite main run: {:.2}\n",
            pg.main_run_seconds / sqlite.main_run_seconds.max(f64::EPSILON)
        ));
    }
    out
}
