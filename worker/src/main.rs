//! `nbaprops`: the worker and the command line of the NBA player-points props pipeline.

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use nbaprops::settings::Settings;
use nbaprops::{
    backfill, backtest, bench, bench_day, client, commands, demo, dev_server, latency, logging,
    metrics, schedules, signal, worker,
};
use nbaprops_activities::storage::Warehouse;
use nbaprops_activities::Deps;
use nbaprops_proto::registry;
use nbaprops_simulator::{self as simulator, replay_server};

#[derive(Parser)]
#[command(
    name = "nbaprops",
    version,
    about = "NBA player-points props pipeline on Temporal"
)]
struct Cli {
    #[command(flatten)]
    settings: Settings,
    /// Log format: text on a terminal and JSON otherwise (auto), or always one of them.
    #[arg(
        long,
        global = true,
        env = "NBAPROPS_LOG_FORMAT",
        value_enum,
        default_value = "auto"
    )]
    log_format: logging::LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a worker: every workflow and activity, on the task queue. SIGTERM or Ctrl-C drains
    /// it (no new tasks; running activities get the grace period, then are cancelled).
    Worker {
        /// Seconds running activities get to finish once the worker is told to stop.
        #[arg(long, env = "NBAPROPS_SHUTDOWN_GRACE_SECS", default_value_t = 30)]
        shutdown_grace_secs: u64,
        /// Serve the SDK's and the pipeline's metrics on http://ADDRESS/metrics (Prometheus
        /// text): IP:PORT, :PORT for every interface, port 0 for any free port, or `off`.
        #[arg(
            long,
            env = "NBAPROPS_METRICS_ADDRESS",
            default_value = metrics::DEFAULT_ADDRESS,
            value_name = "ADDRESS"
        )]
        metrics_address: metrics::MetricsAddress,
    },
    /// Apply the warehouse's migrations (once per deployment, before the workers start; the
    /// embedded SQLite warehouse applies its own).
    Migrate,
    /// Start a workflow and wait for it.
    Run {
        #[command(subcommand)]
        what: RunWhat,
    },
    /// Grade a date's predictions against its box scores (workflow `grade-{date}`): starts it,
    /// or attaches to the running one, and prints the per-system summary. It waits (retrying
    /// every 20 minutes, up to 12 hours) until every game of the date has box scores.
    Grade {
        #[arg(long, value_parser = commands::game_date_arg)]
        date: String,
        /// Start (or attach) and return without waiting for the result.
        #[arg(long)]
        no_wait: bool,
    },
    /// A day's workflow, its phases and its rows in the warehouse.
    Status {
        #[arg(long, value_parser = commands::game_date_arg)]
        date: String,
    },
    /// The live predictions of a date.
    Predictions {
        #[arg(long, value_parser = commands::game_date_arg)]
        date: String,
        #[arg(long)]
        json: bool,
    },
    /// One self-contained HTML page (inline SVG plots, nothing fetched): a date's slate, its
    /// last 30 graded days, its run against the 10 AM ET deadline and its data health, or a
    /// backtest's figures. Prints the page's path.
    Report(commands::ReportArgs),
    /// Everything on one machine: dev server, worker, a simulated game day, predictions.
    Demo(demo::DemoArgs),
    /// Serve a folder of recorded or simulated responses over HTTP.
    ReplayServer {
        #[arg(long)]
        dir: PathBuf,
        #[arg(long, default_value = "127.0.0.1:8787")]
        bind: std::net::SocketAddr,
        /// Answer with a fault: PATTERN=KIND[*N], KIND one of 429[:SECS], 500, 403, html,
        /// truncated, empty, slow:MS (e.g. `leaguegamelog=429*2`). Repeatable.
        #[arg(long = "fault")]
        faults: Vec<replay_server::FaultRule>,
    },
    /// Write simulated native-format source responses for a date range.
    Simulate {
        #[arg(long)]
        out: PathBuf,
        #[arg(long)]
        from: chrono::NaiveDate,
        #[arg(long)]
        to: chrono::NaiveDate,
        #[arg(long, default_value_t = 7)]
        seed: u64,
        /// `season`: the 30 NBA teams over real-shaped seasons, every source; `dense`: a few
        /// teams playing every date (the demo's shape).
        #[arg(long, value_enum, default_value_t = simulator::ScheduleShape::Season)]
        shape: simulator::ScheduleShape,
        /// Dense shape only: how many teams (even, at most 10; default 6).
        #[arg(long)]
        teams: Option<usize>,
    },
    /// Load bulk history CSVs (team games, player game logs, points lines) into the raw store.
    Import {
        /// CSV files (plain or .gz); their kind comes from their header.
        #[arg(long = "file")]
        files: Vec<PathBuf>,
        /// Every .csv / .csv.gz file in this folder.
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Run a Temporal dev server in the foreground (history in the data folder).
    DevServer {
        #[arg(long, default_value_t = 8233)]
        ui_port: u16,
    },
    /// Print the pipeline registry: every source and processor, its phase, level and tables.
    Registry {
        /// The Markdown tables docs/architecture.md holds (processors, then gates).
        #[arg(long)]
        markdown: bool,
    },
    /// Backfill a range of dates phase by phase (BackfillWorkflow `backfill-{from}-{to}`):
    /// starts it or attaches to the running one, shows its progress, and prints every failed
    /// date with its error (exit 2 when any failed). Also --progress, --pause, --resume and
    /// --retry-failed on the range's backfill.
    Backfill(backfill::BackfillArgs),
    /// Benchmarks that print figures (docs/benchmarks.md).
    Bench {
        #[command(subcommand)]
        what: BenchWhat,
    },
    /// The Temporal Schedules of live operation (America/New_York): the day at 06:00, grading
    /// at 04:00 for the previous date, the injury watch every 15 minutes from 11:00 to 19:00.
    Schedules {
        #[command(subcommand)]
        what: SchedulesWhat,
    },
    /// Tell a running day (or start it) that something changed, and wait for its rerun.
    Signal {
        #[command(subcommand)]
        what: SignalWhat,
    },
    /// Ingest history CSVs, backfill, predict every date of a range with lines, grade, and
    /// print each system's accuracy, bets and coverage. Exits 3 when the figures look like
    /// leakage (unless --allow-leakage).
    Backtest(backtest::BacktestArgs),
}

#[derive(Subcommand)]
enum BenchWhat {
    /// Simulated seasons backfilled through Temporal and in-process: wall time, activities per
    /// second, the worker's peak memory and the orchestration overhead ratio.
    Backfill(bench::BenchBackfillArgs),
    /// A full simulated slate: the day's main run, then players ruled out one at a time with
    /// the `injury_update` signal; p50 / p95 from signal to superseded predictions.
    Injury(latency::BenchInjuryArgs),
    /// One full simulated slate (15 games, every available player on a line): the day's main
    /// run on SQLite and on PostgreSQL with S3.
    Day(bench_day::BenchDayArgs),
}

#[derive(Subcommand)]
enum SignalWhat {
    /// A player's injury status changed: the `injury_update` signal to `day-{date}`
    /// (signal-with-start), then the incremental rerun of him and his teammates.
    Injury(signal::InjuryArgs),
}

#[derive(Subcommand)]
enum SchedulesWhat {
    /// Create or update every schedule; a second apply changes nothing ("unchanged").
    Apply,
    /// Each schedule: its calendar, time zone, policies, state and next actions.
    List,
}

#[derive(Subcommand)]
enum RunWhat {
    /// Run (or attach to) the day workflow of a game date.
    Day {
        #[arg(long, value_parser = commands::game_date_arg)]
        date: String,
        /// Give up waiting after this many seconds (the day goes on in Temporal). Without it,
        /// the wait lasts until the day's main run is done, through a lost connection to
        /// Temporal too.
        #[arg(long, value_name = "SECS")]
        wait_at_most: Option<u64>,
    },
}

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    logging::init(cli.log_format, matches!(cli.command, Command::Demo(_)));
    let s = &cli.settings;
    match &cli.command {
        Command::Migrate => {
            let url = s.database_url();
            let warehouse = nbaprops_activities::storage::Warehouse::connect(
                &url,
                nbaprops_activities::storage::SchemaPolicy::Apply,
            )
            .await?;
            println!(
                "{}: schema at version {}",
                warehouse.describe(),
                warehouse.known_version()
            );
        }
        Command::Worker {
            shutdown_grace_secs,
            metrics_address,
        } => {
            let exporter = metrics::MetricsExporter::serve(*metrics_address)?;
            let client_meter = match &exporter {
                Some(exporter) => exporter.client_meter()?,
                None => None,
            };
            let client =
                client::connect_measured(&s.temporal_address, &s.namespace, client_meter).await?;
            let deps = Deps::open(&s.deps_config()).await?;
            let added = client::ensure_search_attributes(&client).await?;
            if !added.is_empty() {
                tracing::info!(?added, namespace = %s.namespace, "registered search attributes");
            }
            tracing::info!(task_queue = %s.task_queue, address = %s.temporal_address, "worker starting");
            let grace = std::time::Duration::from_secs(*shutdown_grace_secs);
            let started = std::time::Instant::now();
            let stopping = std::sync::Mutex::new(None);
            worker::run_worker(
                client,
                &s.task_queue,
                deps,
                exporter.as_ref(),
                grace,
                async {
                    let signal = worker::shutdown_signal().await;
                    *stopping.lock().unwrap() = Some(std::time::Instant::now());
                    tracing::info!(
                        signal,
                        grace_secs = grace.as_secs(),
                        "draining: no new tasks, running activities finish or are cancelled"
                    );
                },
            )
            .await?;
            let drained = stopping
                .lock()
                .unwrap()
                .map(|t| t.elapsed().as_secs_f64())
                .unwrap_or_default();
            tracing::info!(
                drained_secs = drained,
                ran_secs = started.elapsed().as_secs_f64(),
                "worker stopped"
            );
        }
        Command::Run {
            what: RunWhat::Day { date, wait_at_most },
        } => {
            let client = client::connect(&s.temporal_address, &s.namespace).await?;
            let result = commands::run_day_within(
                &client,
                &s.task_queue,
                commands::manual_day(date),
                wait_at_most.map(std::time::Duration::from_secs),
            )
            .await?;
            print!("{}", commands::summarize_day(&result));
        }
        Command::Signal {
            what: SignalWhat::Injury(args),
        } => {
            let client = client::connect(&s.temporal_address, &s.namespace).await?;
            print!("{}", signal::injury(&client, &s.task_queue, args).await?);
        }
        Command::Grade { date, no_wait } => {
            let client = client::connect(&s.temporal_address, &s.namespace).await?;
            match commands::run_grade(&client, &s.task_queue, date, !no_wait).await? {
                Some(result) => print!("{}", commands::summarize_grade(&result)),
                None => println!(
                    "started {} (or attached to it); it grades once every game of {date} has box scores",
                    nbaprops_workflows::ids::grade_workflow_id(date)
                ),
            }
        }
        // The read commands open the warehouse alone: they work whatever state the raw store
        // is in, and `status` says what that state is; without Temporal it shows the
        // warehouse's part.
        Command::Status { date } => {
            let client = client::connect(&s.temporal_address, &s.namespace)
                .await
                .map_err(|e| format!("{e:#}"));
            let config = s.deps_config();
            let warehouse = Warehouse::connect(&config.database_url, config.schema).await?;
            let client = client.as_ref().map_err(String::as_str);
            print!("{}", commands::status(client, &warehouse, date).await?);
            println!("{}", commands::raw_store_health(&config).await);
            println!("{}", commands::stored_reports(&config, date).await);
        }
        Command::Predictions { date, json } => {
            let config = s.deps_config();
            let warehouse = Warehouse::connect(&config.database_url, config.schema).await?;
            commands::print_predictions(&warehouse, date, *json).await?;
        }
        Command::Report(args) => {
            let rendered = match (&args.date, &args.backtest) {
                (Some(date), _) => {
                    let config = s.deps_config();
                    let stored = if args.open {
                        commands::copy_stored(&config, date, &s.data_dir, args.out.as_deref())
                            .await?
                    } else {
                        None
                    };
                    match stored {
                        Some((path, from)) => {
                            eprintln!("the pipeline's report of {date}, from {from}");
                            Ok(commands::Rendered { path, empty: false })
                        }
                        None => {
                            if args.open {
                                eprintln!(
                                    "no report of {date} kept in the raw store yet (the day \
                                     writes one after its main run, grading after grading); \
                                     rendering one from the warehouse"
                                );
                            }
                            let warehouse =
                                Warehouse::connect(&config.database_url, config.schema).await?;
                            commands::render_date(
                                &warehouse,
                                date,
                                &s.data_dir,
                                args.out.as_deref(),
                            )
                            .await
                        }
                    }
                }
                (None, Some(file)) => commands::render_backtest(file, args.out.as_deref()),
                (None, None) => unreachable!("clap requires --date or --backtest"),
            };
            match rendered {
                Ok(r) => {
                    if r.empty {
                        eprintln!(
                            "no data for {} in {}: the page says so",
                            args.date.as_deref().unwrap_or_default(),
                            s.database_url()
                        );
                    }
                    println!("{}", r.path.display());
                }
                Err(e) if e.is::<commands::BadReportInput>() => {
                    eprintln!("error: {e}");
                    std::process::exit(2);
                }
                Err(e) => return Err(e),
            }
        }
        Command::Demo(args) => demo::demo(s, args).await?,
        Command::ReplayServer { dir, bind, faults } => {
            let server =
                replay_server::ReplayServer::start_with_faults(dir.clone(), *bind, faults.clone())
                    .await?;
            println!("serving {} on {}", dir.display(), server.base_url());
            tokio::signal::ctrl_c().await?;
            server.stop().await;
        }
        Command::Simulate {
            out,
            from,
            to,
            seed,
            shape,
            teams,
        } => {
            let defaults = simulator::SimOptions::default();
            if *shape == simulator::ScheduleShape::Season && teams.is_some_and(|t| t != 30) {
                anyhow::bail!(
                    "--teams applies to --shape dense; the season shape has all 30 teams"
                );
            }
            let truth = simulator::simulate_shaped(
                out,
                &simulator::SimOptions {
                    from: *from,
                    to: *to,
                    seed: *seed,
                    teams: teams.unwrap_or(defaults.teams),
                    ..defaults
                },
                *shape,
            )?;
            match shape {
                simulator::ScheduleShape::Dense => println!(
                    "{} game dates, {} players written to {}",
                    truth.game_dates.len(),
                    truth.players.len(),
                    out.display()
                ),
                simulator::ScheduleShape::Season => println!(
                    "{} game dates, {} games, {} players, {} injuries, {} files written to {}",
                    truth.game_dates.len(),
                    truth.games.len(),
                    truth.players.len(),
                    truth.injuries.len(),
                    truth.files_written,
                    out.display()
                ),
            }
        }
        Command::Import { files, dir } => {
            let mut files = files.clone();
            if let Some(dir) = dir {
                for entry in
                    std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))?
                {
                    let path = entry?.path();
                    let name = path.to_string_lossy();
                    if name.ends_with(".csv") || name.ends_with(".csv.gz") {
                        files.push(path);
                    }
                }
            }
            files.sort();
            anyhow::ensure!(!files.is_empty(), "nothing to import: give --file or --dir");
            let deps = Deps::open(&s.deps_config()).await?;
            for f in &files {
                let r =
                    nbaprops_activities::sources::historical_import::import_file(&deps, f).await?;
                println!(
                    "{}: {:?}, {} rows over {} dates, {} payloads new, {} already kept",
                    r.file,
                    r.kind.expect("a parsed file has a kind"),
                    r.rows,
                    r.dates,
                    r.payloads_new,
                    r.payloads_existing
                );
            }
        }
        Command::DevServer { ui_port } => {
            let port = s
                .temporal_address
                .rsplit(':')
                .next()
                .and_then(|p| p.parse().ok())
                .context("--temporal-address needs a port")?;
            let server = dev_server::DevServer::start(&dev_server::DevServerOptions {
                port,
                ui_port: Some(*ui_port),
                db_file: Some(s.data_dir.join("temporal.sqlite")),
                log_file: None,
                namespace: s.namespace.clone(),
                ready_timeout: std::time::Duration::from_secs(60),
            })
            .await?;
            println!(
                "Temporal dev server on {}, Web UI http://localhost:{ui_port}; Ctrl-C to stop",
                server.address
            );
            tokio::signal::ctrl_c().await?;
            server.stop().await?;
        }
        Command::Backfill(args) => {
            let client = client::connect(&s.temporal_address, &s.namespace).await?;
            let starting = !(args.progress || args.pause || args.resume || args.retry_failed);
            if starting {
                // Read from the warehouse when this machine reaches it; the backfill needs only
                // Temporal, so a warehouse that does not open just skips the note.
                match Deps::open(&s.deps_config()).await {
                    Ok(deps) => {
                        if let Some(note) =
                            backfill::first_dates_note(&deps.warehouse, &args.from).await?
                        {
                            println!("{note}");
                        }
                    }
                    Err(e) => tracing::debug!("no history note: the warehouse did not open: {e}"),
                }
            }
            if backfill::run(&client, &s.task_queue, args).await? {
                std::process::exit(2);
            }
        }
        Command::Bench {
            what: BenchWhat::Backfill(args),
        } => {
            let figures = bench::backfill(args).await?;
            print!("{}", bench::report(&figures));
            if let Some(path) = &args.json {
                std::fs::write(path, serde_json::to_vec_pretty(&figures)?)?;
            }
        }
        Command::Bench {
            what: BenchWhat::Injury(args),
        } => {
            let figures = latency::injury(args).await?;
            print!("{}", latency::report(&figures));
            if let Some(path) = &args.json {
                std::fs::write(path, serde_json::to_vec_pretty(&figures)?)?;
            }
        }
        Command::Bench {
            what: BenchWhat::Day(args),
        } => {
            let figures = bench_day::day(args).await?;
            print!("{}", bench_day::report(&figures));
            if let Some(path) = &args.json {
                std::fs::write(path, serde_json::to_vec_pretty(&figures)?)?;
            }
        }
        Command::Backtest(args) => {
            if backtest::backtest(s, args).await? {
                eprintln!("backtest: leakage guard fired (see the warnings above); exiting 3");
                std::process::exit(3);
            }
        }
        Command::Schedules { what } => {
            let client = client::connect(&s.temporal_address, &s.namespace).await?;
            let out = match what {
                SchedulesWhat::Apply => {
                    let added = client::ensure_search_attributes(&client).await?;
                    let mut out = schedules::apply(&client, &s.task_queue).await?;
                    if !added.is_empty() {
                        out.push_str(&format!("search attributes added: {}\n", added.join(", ")));
                    }
                    out
                }
                SchedulesWhat::List => schedules::list(&client, &s.task_queue).await?,
            };
            print!("{out}");
        }
        Command::Registry { markdown: true } => print!("{}", registry::markdown()),
        Command::Registry { markdown: false } => {
            println!(
                "{:<6} {:<6} {:<28} {:<9} {:<7} {:<50} writes",
                "phase", "level", "name", "kind", "date", "reads"
            );
            for spec in registry::specs() {
                println!(
                    "{:<6} {:<6} {:<28} {:<9} {:<7} {:<50} {}",
                    spec.phase,
                    spec.level,
                    spec.name,
                    spec.kind.as_str(),
                    spec.data_date_label(),
                    spec.tables_read().join(","),
                    spec.writes.join(",")
                );
            }
        }
    }
    Ok(())
}
