//! `nbaprops bench backfill`: the scale benchmark of docs/benchmarks.md. Simulates seasons
//! (the season shape: 30 teams, every source), serves them through the replay server, runs a
//! `BackfillWorkflow` over them on a real dev server with a worker process, then runs the same
//! plan in-process without Temporal, and prints wall times, activities per second, the worker's
//! peak memory and the orchestration overhead ratio. A command, not a test: these machines are
//! noisy, so both runs happen in one invocation and the ratio is what to compare.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Instant;

use anyhow::{Context, Result};
use nbaprops_activities::sources::SourceConfig;
use nbaprops_activities::{Deps, DepsConfig};
use nbaprops_proto::{BackfillPlanRequest, Mode, Phase, RunContext, Trigger};
use nbaprops_simulator::replay_server::ReplayServer;
use nbaprops_simulator::{simulate_shaped, ScheduleShape, SimOptions};

use crate::backfill::{self, BackfillArgs};
use crate::client;
use crate::dev_server::DevServer;

#[derive(clap::Args, Debug, Clone)]
pub struct BenchBackfillArgs {
    /// First date (the default range is four seasons, 2021-22 to 2024-25, with playoffs).
    #[arg(long, default_value = "2021-10-19")]
    pub from: chrono::NaiveDate,
    #[arg(long, default_value = "2025-06-22")]
    pub to: chrono::NaiveDate,
    #[arg(long, default_value = "1-5")]
    pub phases: String,
    /// Dates in flight at once, in both runs (the `backfill` command's default).
    #[arg(long, default_value_t = crate::backfill::COMMAND_CONCURRENCY)]
    pub concurrency: u32,
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Working folder: the simulation (kept and reused), and each run's warehouse.
    #[arg(long, default_value = "data/bench")]
    pub work: PathBuf,
    /// Skip the in-process run (no overhead ratio).
    #[arg(long)]
    pub skip_in_process: bool,
    /// Also write the figures as JSON here.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Worker processes through Temporal, each with its own data folder.
    #[arg(long, default_value_t = 1)]
    pub workers: u32,
    /// The warehouse every worker shares (`postgres://…`; it must be empty: the benchmark
    /// migrates it). Default: one SQLite file in the working folder, one worker only.
    #[arg(long)]
    pub database_url: Option<String>,
    /// The raw store every worker shares (`s3://bucket/prefix`, with the `AWS_*` environment).
    /// Default: a folder in each worker's data folder.
    #[arg(long)]
    pub raw_store_url: Option<String>,
    /// Start an embedded PostgreSQL and a SeaweedFS S3 store from the project's virtualenv
    /// (`scripts/setup` installs both) and share them between the workers, in place of
    /// `--database-url` and `--raw-store-url`.
    #[arg(long, conflicts_with_all = ["database_url", "raw_store_url"])]
    pub embedded_services: bool,
}

#[derive(Debug, Default, serde::Serialize)]
pub struct BackfillFigures {
    pub from: String,
    pub to: String,
    pub phases: String,
    pub concurrency: u32,
    pub game_dates: u32,
    pub date_steps: u32,
    pub failed_date_steps: usize,
    pub activities: u64,
    pub temporal_seconds: f64,
    pub activities_per_second: f64,
    pub date_steps_per_second: f64,
    pub continue_as_new_runs: u32,
    pub workers: u32,
    /// Where the warehouse was (`sqlite file …`, `postgres database … on …`).
    pub warehouse: String,
    /// The highest peak memory of the workers (VmHWM).
    pub worker_peak_rss_mib: Option<f64>,
    /// Each worker's peak memory (VmHWM), in the order they started.
    pub workers_peak_rss_mib: Vec<f64>,
    pub in_process_seconds: Option<f64>,
    pub in_process_failed: Option<usize>,
    /// In-process time / time through Temporal (1.0: no overhead).
    pub overhead_ratio: Option<f64>,
    /// Processor time per game date through Temporal (`processor_runs`), first dates against
    /// last: flat when a date's cost does not grow with the history behind it.
    pub per_date: Option<PerDateCost>,
}

/// Processor seconds per game date, summed over the date's activities (they run at once, so
/// this is CPU-ish time, not wall time), averaged over the first and the last
/// [`PER_DATE_SAMPLE`] game dates of the range.
#[derive(Debug, Default, serde::Serialize)]
pub struct PerDateCost {
    pub dates_each: usize,
    pub first_seconds: f64,
    pub last_seconds: f64,
    pub first_phase5_seconds: f64,
    pub last_phase5_seconds: f64,
    /// The Phase 5 processors, seconds per date: (name, first, last).
    pub phase5: Vec<(String, f64, f64)>,
}

/// How many game dates each end of the per-date comparison averages.
pub const PER_DATE_SAMPLE: usize = 10;

/// Reads the per-date cost from a run's warehouse, over the game dates that reached Phase 5.
async fn per_date_cost(
    warehouse: &nbaprops_activities::storage::Warehouse,
) -> Result<Option<PerDateCost>> {
    use nbaprops_activities::storage::queries::ops;
    let game_dates = ops::dates_with_phase(warehouse, i64::from(Phase::Predict.number())).await?;
    let n = PER_DATE_SAMPLE.min(game_dates.len() / 2);
    if n == 0 {
        return Ok(None);
    }
    let rows = ops::durations(warehouse).await?;
    let first: std::collections::BTreeSet<&str> =
        game_dates[..n].iter().map(String::as_str).collect();
    let last: std::collections::BTreeSet<&str> = game_dates[game_dates.len() - n..]
        .iter()
        .map(String::as_str)
        .collect();
    let mut cost = PerDateCost {
        dates_each: n,
        ..Default::default()
    };
    let mut phase5: std::collections::BTreeMap<String, (f64, f64)> = Default::default();
    for (date, phase, processor, ms) in rows {
        let secs = ms as f64 / 1000.0 / n as f64;
        let (in_first, in_last) = (first.contains(date.as_str()), last.contains(date.as_str()));
        if in_first {
            cost.first_seconds += secs;
        }
        if in_last {
            cost.last_seconds += secs;
        }
        if phase == i64::from(Phase::Predict.number()) && (in_first || in_last) {
            let e = phase5.entry(processor).or_default();
            if in_first {
                cost.first_phase5_seconds += secs;
                e.0 += secs;
            }
            if in_last {
                cost.last_phase5_seconds += secs;
                e.1 += secs;
            }
        }
    }
    cost.phase5 = phase5.into_iter().map(|(p, (a, b))| (p, a, b)).collect();
    Ok(Some(cost))
}

/// The peak resident memory of a process (Linux `VmHWM`), in MiB.
pub fn peak_rss_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Simulates the range into `dir` unless an earlier run left the same one there.
fn ensure_simulation(dir: &Path, args: &BenchBackfillArgs) -> Result<()> {
    ensure_season_simulation(dir, args.from, args.to, args.seed, None)
}

/// Simulates `from..=to` in the season shape into `dir`, unless an earlier run left the same
/// one there.
pub fn ensure_season_simulation(
    dir: &Path,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    seed: u64,
    full_slate: Option<nbaprops_simulator::FullSlate>,
) -> Result<()> {
    let stamp = match full_slate {
        None => format!("{from} {to} {seed}"),
        Some(s) => format!("{from} {to} {seed} full slate {} {}", s.date, s.games),
    };
    let marker = dir.join(".simulated");
    if std::fs::read_to_string(&marker).ok().as_deref() == Some(stamp.as_str()) {
        println!("reusing the simulation in {}", dir.display());
        return Ok(());
    }
    let _ = std::fs::remove_dir_all(dir);
    let started = Instant::now();
    let defaults = SimOptions::default();
    let truth = simulate_shaped(
        dir,
        &SimOptions {
            from,
            to,
            seed,
            teams: 30,
            full_slate,
            ..defaults
        },
        ScheduleShape::Season,
    )?;
    println!(
        "simulated {} game dates, {} games, {} files in {:.0} s",
        truth.game_dates.len(),
        truth.games.len(),
        truth.files_written,
        started.elapsed().as_secs_f64()
    );
    std::fs::write(&marker, stamp)?;
    Ok(())
}

pub fn fresh_dir(dir: &Path) -> Result<()> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))
}

/// A worker process of this binary on `queue`, its log in `work/worker.log`.
pub fn spawn_worker(
    address: &str,
    queue: &str,
    data: &Path,
    replay: &ReplayServer,
    work: &Path,
) -> Result<tokio::process::Child> {
    spawn_shared_worker(
        address,
        queue,
        data,
        replay,
        &work.join("worker.log"),
        &Shared::default(),
    )
}

/// What the benchmark's workers share besides Temporal: settings for each worker process.
#[derive(Debug, Default)]
pub struct Shared {
    /// Flags before the subcommand (`--database-url …`, `--raw-store-url …`).
    pub args: Vec<String>,
    /// Environment variables (the S3 client's `aws_*` settings, upper-cased).
    pub env: Vec<(String, String)>,
}

/// A worker process of this binary on `queue` with extra settings (a shared warehouse or raw
/// store), its log in `log`.
pub fn spawn_shared_worker(
    address: &str,
    queue: &str,
    data: &Path,
    replay: &ReplayServer,
    log: &Path,
    shared: &Shared,
) -> Result<tokio::process::Child> {
    let log = std::fs::File::create(log)?;
    tokio::process::Command::new(std::env::current_exe()?)
        .args(&shared.args)
        .envs(shared.env.iter().map(|(k, v)| (k.to_uppercase(), v)))
        .args(["--temporal-address", address, "--task-queue", queue])
        .arg("--data-dir")
        .arg(data)
        .args(["--sources-url", &replay.base_url(), "worker"])
        // `/metrics` on a free port: workers run side by side on one machine.
        .args(["--metrics-address", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .context("starting the worker")
}

pub async fn backfill(args: &BenchBackfillArgs) -> Result<BackfillFigures> {
    let sim = args.work.join("sim");
    ensure_simulation(&sim, args)?;
    let replay = ReplayServer::start(sim.clone(), "127.0.0.1:0".parse()?).await?;
    let (from, to) = (args.from.to_string(), args.to.to_string());
    let bf_args = BackfillArgs {
        from: from.clone(),
        to: to.clone(),
        phases: args.phases.clone(),
        concurrency: args.concurrency,
        retry_failed: false,
        no_wait: false,
        progress: false,
        pause: false,
        resume: false,
    };
    let input = backfill::input_of(&bf_args, vec![])?;

    // Through Temporal: an in-memory dev server and a worker process, as in production.
    let server = DevServer::start_ephemeral().await?;
    let client = client::connect(&server.address, "default").await?;
    let data = args.work.join("temporal");
    fresh_dir(&data)?;
    let mut shared = Shared::default();
    // Kept alive until the end of the run: dropping them stops the servers.
    let mut services = None;
    let (database_url, raw_store_url) = if args.embedded_services {
        let pg = crate::services::EmbeddedPostgres::start().await?;
        let s3 = crate::services::SeaweedS3::start().await?;
        shared.env = s3.client_options();
        let urls = (Some(pg.url()), Some(s3.raw_store_url("bench")));
        services = Some((pg, s3));
        urls
    } else {
        (args.database_url.clone(), args.raw_store_url.clone())
    };
    let database_url = match &database_url {
        Some(url) => {
            // Applied once, before the workers, as a deployment does.
            nbaprops_activities::storage::Warehouse::connect(
                url,
                nbaprops_activities::storage::SchemaPolicy::Apply,
            )
            .await?;
            shared
                .args
                .extend(["--database-url".to_string(), url.clone()]);
            url.clone()
        }
        None if args.workers > 1 => {
            anyhow::bail!("--workers above 1 needs a shared --database-url (postgres://…)")
        }
        None => nbaprops_activities::deps::sqlite_url(&data.join("w0")),
    };
    if let Some(url) = &raw_store_url {
        shared
            .args
            .extend(["--raw-store-url".to_string(), url.clone()]);
    }
    let mut workers = Vec::new();
    for i in 0..args.workers.max(1) {
        let folder = data.join(format!("w{i}"));
        fresh_dir(&folder)?;
        let log = args.work.join(if i == 0 {
            "worker.log".to_string()
        } else {
            format!("worker-{i}.log")
        });
        workers.push(spawn_shared_worker(
            &server.address,
            "bench",
            &folder,
            &replay,
            &log,
            &shared,
        )?);
    }
    let pids: Vec<u32> = workers.iter().filter_map(|w| w.id()).collect();
    println!(
        "backfill {from} to {to} (phases {}, {} in flight) through Temporal, {} worker(s), \
         warehouse {}...",
        args.phases,
        args.concurrency,
        workers.len(),
        nbaprops_activities::storage::db::describe_url(&database_url)
    );
    let started = Instant::now();
    let id = backfill::start(&client, "bench", input.clone()).await?;
    let result = backfill::wait(&client, &id).await?;
    let temporal_seconds = started.elapsed().as_secs_f64();
    let peaks: Vec<f64> = pids.iter().filter_map(|p| peak_rss_mib(*p)).collect();
    let peak = peaks.iter().copied().reduce(f64::max);
    for w in &mut workers {
        w.start_kill()?;
        let _ = w.wait().await;
    }
    server.stop().await?;
    print!("{}", backfill::summarize(&id, &result));

    let warehouse = nbaprops_activities::storage::Warehouse::connect(
        &database_url,
        nbaprops_activities::storage::SchemaPolicy::default_for(&database_url),
    )
    .await?;
    let per_date = per_date_cost(&warehouse).await?;
    let mut figures = BackfillFigures {
        from: from.clone(),
        to: to.clone(),
        phases: args.phases.clone(),
        concurrency: args.concurrency,
        game_dates: result.game_dates,
        date_steps: result.steps_done,
        failed_date_steps: result.failed.len(),
        activities: result.activities,
        temporal_seconds,
        activities_per_second: result.activities as f64 / temporal_seconds,
        date_steps_per_second: result.steps_done as f64 / temporal_seconds,
        continue_as_new_runs: result.runs,
        worker_peak_rss_mib: peak,
        workers_peak_rss_mib: peaks,
        workers: args.workers.max(1),
        warehouse: warehouse.describe().to_string(),
        per_date,
        ..Default::default()
    };

    // The same plan in-process, without Temporal, on a fresh warehouse.
    if !args.skip_in_process {
        let data = args.work.join("inprocess");
        fresh_dir(&data)?;
        let deps = Deps::open(&DepsConfig::under(
            &data,
            SourceConfig::replay(&replay.base_url()),
        ))
        .await?;
        println!("the same backfill in-process, without Temporal...");
        let started = Instant::now();
        let run = nbaprops_activities::backfill::run_in_process(
            &deps,
            &BackfillPlanRequest {
                context: Some(RunContext {
                    lines_as_of: String::new(),
                    correlation_id: format!("inprocess-{from}-{to}"),
                    game_date: from.clone(),
                    mode: Mode::Backfill as i32,
                    trigger: Trigger::Backfill as i32,
                }),
                from: from.clone(),
                to: to.clone(),
                first_phase: input.first_phase,
                last_phase: input.last_phase,
                only_dates: vec![],
            },
            args.concurrency as usize,
        )
        .await?;
        let secs = started.elapsed().as_secs_f64();
        figures.in_process_seconds = Some(secs);
        figures.in_process_failed = Some(run.failed.len());
        figures.overhead_ratio = Some(secs / temporal_seconds);
    }
    drop(warehouse);
    drop(services);
    replay.stop().await;
    Ok(figures)
}

/// The figures as the benchmark prints them.
pub fn report(f: &BackfillFigures) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "backfill benchmark, {} to {}, phases {}, {} dates in flight\n",
        f.from, f.to, f.phases, f.concurrency
    ));
    out.push_str(&format!(
        "  game dates            {}\n  date-steps (children) {} ({} failed)\n  activities            {}\n",
        f.game_dates, f.date_steps, f.failed_date_steps, f.activities
    ));
    out.push_str(&format!(
        "  through Temporal      {:.1} s ({:.1} min): {:.1} activities/s, {:.2} date-steps/s, {} runs (continue-as-new)\n",
        f.temporal_seconds,
        f.temporal_seconds / 60.0,
        f.activities_per_second,
        f.date_steps_per_second,
        f.continue_as_new_runs + 1
    ));
    out.push_str(&format!(
        "  workers               {} on {}\n",
        f.workers, f.warehouse
    ));
    if !f.workers_peak_rss_mib.is_empty() {
        let each: Vec<String> = f
            .workers_peak_rss_mib
            .iter()
            .map(|m| format!("{m:.0}"))
            .collect();
        out.push_str(&format!(
            "  worker peak memory    {} MiB (VmHWM, each worker)\n",
            each.join(", ")
        ));
    }
    if let Some(c) = &f.per_date {
        out.push_str(&format!(
            "  per game date         {:.1} s of processor time over the first {} dates, {:.1} s over the last {} (Phase 5: {:.1} s, {:.1} s)\n",
            c.first_seconds, c.dates_each, c.last_seconds, c.dates_each,
            c.first_phase5_seconds, c.last_phase5_seconds
        ));
        for (p, a, b) in &c.phase5 {
            out.push_str(&format!("    {p:<22}{a:>7.2} s {b:>7.2} s\n"));
        }
    }
    if let (Some(s), Some(r)) = (f.in_process_seconds, f.overhead_ratio) {
        out.push_str(&format!(
            "  in-process            {s:.1} s ({} failed; one process, SQLite and a folder)\n  overhead ratio        {r:.2} (in-process / Temporal; 1.00 = no overhead)\n",
            f.in_process_failed.unwrap_or(0)
        ));
    }
    out
}
