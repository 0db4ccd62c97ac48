//! The integration-test harness: a real Temporal dev server per test (started from the
//! installed `temporal` CLI, in memory, on a free port), a simulated stretch of games served by
//! the replay server, and a fresh warehouse. Nothing is faked: workflows and activities run on
//! a real worker against the real server.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Result;
use chrono::{Duration, NaiveDate};
use nbaprops::dev_server::DevServer;
use nbaprops::services::{EmbeddedPostgres, SeaweedS3};
use nbaprops::{client, commands};
use nbaprops_activities::sources::{oddsa_player_props, replay, SourceConfig};
use nbaprops_activities::storage::Warehouse;
use nbaprops_activities::{Deps, DepsConfig};
use nbaprops_proto::DayResult;
use nbaprops_simulator::replay_server::ReplayServer;
use nbaprops_simulator::{simulate_shaped, ScheduleShape, SimOptions, SimTruth};
use serde_json::Value;
use temporalio_client::Client;

pub struct TestEnv {
    pub server: DevServer,
    pub client: Client,
    pub replay: ReplayServer,
    pub sim_dir: tempfile::TempDir,
    pub truth: SimTruth,
    pub sim: SimOptions,
    /// With `NBAPROPS_TEST_STORAGE=postgres`: the PostgreSQL warehouse and S3 raw store every
    /// data folder of the test maps to (None: SQLite and a folder, the embedded default).
    pub storage: Option<SharedStorage>,
}

/// Which storage the integration tests run on: `sqlite` (the default) or `postgres`
/// (PostgreSQL and S3 from scripts/setup; scripts/test runs the storage-touching tests on both).
pub fn test_storage() -> &'static str {
    match std::env::var("NBAPROPS_TEST_STORAGE").as_deref() {
        Ok("postgres") => "postgres",
        _ => "sqlite",
    }
}

/// A PostgreSQL server and an S3 store for one test, with a migrated database and a raw store
/// prefix for each data folder the test uses, handed out in order (a folder keeps its own).
pub struct SharedStorage {
    pub pg: EmbeddedPostgres,
    pub s3: SeaweedS3,
    free: std::sync::Mutex<Vec<String>>,
    assigned: std::sync::Mutex<BTreeMap<PathBuf, String>>,
}

/// Data folders a test may use on PostgreSQL (each a database, created and migrated up front).
const DATABASES_PER_TEST: usize = 6;

impl SharedStorage {
    pub async fn start() -> Result<Self> {
        let pg = EmbeddedPostgres::start().await?;
        let s3 = SeaweedS3::start().await?;
        let mut free = Vec::new();
        for i in (0..DATABASES_PER_TEST).rev() {
            let name = format!("folder{i}");
            let url = pg.create_database(&name).await?;
            Warehouse::connect(&url, nbaprops_activities::storage::SchemaPolicy::Apply).await?;
            free.push(name);
        }
        Ok(Self {
            pg,
            s3,
            free: std::sync::Mutex::new(free),
            assigned: Default::default(),
        })
    }

    /// The warehouse and raw store of a data folder.
    pub fn for_folder(&self, data_dir: &Path) -> Shared {
        let mut assigned = self.assigned.lock().unwrap();
        let name = assigned
            .entry(data_dir.to_path_buf())
            .or_insert_with(|| {
                self.free
                    .lock()
                    .unwrap()
                    .pop()
                    .expect("a test uses more data folders than DATABASES_PER_TEST")
            })
            .clone();
        Shared {
            database_url: Some(self.pg.url_of(&name)),
            raw_store_url: Some(self.s3.raw_store_url(&name)),
            raw_store_env: self.s3.client_options(),
            temporal_address: None,
        }
    }
}

/// A manual day of `date` that stays open for injury updates for 20 minutes after now.
pub fn listening_day(date: &str) -> nbaprops_proto::DayInput {
    nbaprops_proto::DayInput {
        game_date: date.to_string(),
        mode: nbaprops_proto::Mode::Full as i32,
        trigger: nbaprops_proto::Trigger::Manual as i32,
        listen_until: (chrono::Utc::now() + Duration::minutes(20))
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        ..Default::default()
    }
}

/// Six simulated dates (4 teams, 7 players each, 5 with lines): the day runs for the last five.
pub fn small_sim() -> SimOptions {
    SimOptions {
        from: NaiveDate::from_ymd_opt(2025, 1, 6).unwrap(),
        to: NaiveDate::from_ymd_opt(2025, 1, 11).unwrap(),
        seed: 11,
        teams: 4,
        players_per_team: 7,
        ..SimOptions::default()
    }
}

impl TestEnv {
    /// A dev server and a replay server over the dense simulation of `sim`.
    pub async fn start(sim: SimOptions) -> Result<Self> {
        Self::start_shaped(sim, ScheduleShape::Dense).await
    }

    /// The same over a simulation of the given shape (`Season`: the 30 teams, every source).
    pub async fn start_shaped(sim: SimOptions, shape: ScheduleShape) -> Result<Self> {
        let server = DevServer::start_ephemeral().await?;
        let client = client::connect(&server.address, "default").await?;
        let sim_dir = tempfile::tempdir()?;
        let truth = simulate_shaped(sim_dir.path(), &sim, shape)?;
        let replay =
            ReplayServer::start(sim_dir.path().to_path_buf(), "127.0.0.1:0".parse()?).await?;
        let storage = match test_storage() {
            "postgres" => Some(SharedStorage::start().await?),
            _ => None,
        };
        Ok(Self {
            server,
            client,
            replay,
            sim_dir,
            truth,
            sim,
            storage,
        })
    }

    /// Dependencies over a data folder, with every source pointed at the replay server.
    pub async fn deps(&self, data_dir: &Path) -> Result<Deps> {
        Ok(Deps::open(&self.deps_config(data_dir)).await?)
    }

    /// The dependencies' settings for a data folder: its own SQLite file and raw folder, or,
    /// on PostgreSQL, its own database and S3 prefix.
    pub fn deps_config(&self, data_dir: &Path) -> DepsConfig {
        let mut config = DepsConfig::under(data_dir, SourceConfig::replay(&self.replay.base_url()));
        let shared = self.shared_for(data_dir);
        if let Some(url) = shared.database_url {
            config.database_url = url;
            config.schema = nbaprops_activities::storage::SchemaPolicy::Require;
        }
        if let Some(url) = shared.raw_store_url {
            config.raw_store_url = url;
            config.raw_store_options = shared.raw_store_env;
        }
        config
    }

    /// What a worker process over `data_dir` points at besides its folder.
    pub fn shared_for(&self, data_dir: &Path) -> Shared {
        match &self.storage {
            Some(s) => s.for_folder(data_dir),
            None => Shared::default(),
        }
    }

    /// The dates the day workflow runs for: every simulated date but the first.
    pub fn day_dates(&self) -> Vec<String> {
        self.truth.game_dates.iter().skip(1).cloned().collect()
    }

    /// Runs the day workflow for each date in order, with a worker in this process.
    pub async fn run_days(
        &self,
        data_dir: &Path,
        task_queue: &str,
        dates: &[String],
    ) -> Result<Vec<DayResult>> {
        let deps = self.deps(data_dir).await?;
        nbaprops::worker::with_worker(self.client.clone(), task_queue, deps, async {
            let mut out = Vec::new();
            for d in dates {
                out.push(
                    commands::run_day(&self.client, task_queue, commands::manual_day(d)).await?,
                );
            }
            anyhow::Ok(out)
        })
        .await?
    }

    /// Waits until the day's `state` query satisfies `done` (two minutes at most), panicking
    /// with `what` and the last state otherwise.
    pub async fn wait_day_state(
        &self,
        id: &str,
        what: &str,
        done: impl Fn(&nbaprops_proto::DayState) -> bool,
    ) -> nbaprops_proto::DayState {
        let started = std::time::Instant::now();
        loop {
            if let Ok(s) = commands::day_state(&self.client, id).await {
                if done(&s) {
                    return s;
                }
                assert!(
                    started.elapsed() < std::time::Duration::from_secs(120),
                    "{id}: {what} did not happen: {s:?}"
                );
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }

    /// The tables of an undisturbed run of `dates` (a worker in this process, a folder of its
    /// own): what a fault test compares the disturbed run with.
    pub async fn undisturbed_tables(
        &self,
        dates: &[String],
    ) -> Result<BTreeMap<String, Vec<(String, String)>>> {
        let reference = tempfile::tempdir()?;
        self.run_days(reference.path(), "undisturbed", dates)
            .await?;
        table_contents(&self.deps(reference.path()).await?.warehouse).await
    }

    /// Moves the first draftkings points line of the date's first event by `by` points, five
    /// minutes after the book's last update (a new snapshot, as a real move is); returns
    /// the sportsbook spelling of the player whose line moved and the event id.
    pub fn move_one_line(&self, date: &str, by: f64) -> (String, String) {
        let config = SourceConfig::replay("http://replay");
        let events_req = oddsa_player_props::events_request(&config, date.parse().unwrap());
        let events_file =
            replay::file_for(self.sim_dir.path(), &events_req.path, &events_req.query);
        let events: Value = serde_json::from_slice(&std::fs::read(events_file).unwrap()).unwrap();
        let event_id = events[0]["id"].as_str().unwrap().to_string();
        let req = oddsa_player_props::event_odds_request(&config, &event_id);
        let file = replay::file_for(self.sim_dir.path(), &req.path, &req.query);
        let mut odds: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        let book = odds["bookmakers"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|b| b["key"] == "draftkings")
            .unwrap();
        // A moved line is a new snapshot: the book's update time moves with it.
        let later = |v: &Value| {
            let t = chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
            Value::from(
                (t + chrono::Duration::minutes(5))
                    .to_utc()
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            )
        };
        book["last_update"] = later(&book["last_update"]);
        book["markets"][0]["last_update"] = later(&book["markets"][0]["last_update"]);
        let outcomes = book["markets"][0]["outcomes"].as_array_mut().unwrap();
        let name = outcomes[0]["description"].as_str().unwrap().to_string();
        for o in outcomes
            .iter_mut()
            .filter(|o| o["description"] == name.as_str())
        {
            o["point"] = Value::from(o["point"].as_f64().unwrap() + by);
        }
        std::fs::write(&file, serde_json::to_vec(&odds).unwrap()).unwrap();
        (name, event_id)
    }

    pub fn last_date(&self) -> NaiveDate {
        self.sim.to
    }

    pub fn date_minus(&self, date: &str, days: i64) -> String {
        (NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap() - Duration::days(days)).to_string()
    }
}

/// Every warehouse table's rows as (primary key, row hash), for comparing two runs, on either
/// database: every table with a `row_hash` column, so a new table is compared without editing
/// this list. Append-only tables are keyed by their business key and whether the row is live.
pub async fn table_contents(
    warehouse: &Warehouse,
) -> Result<BTreeMap<String, Vec<(String, String)>>> {
    use nbaprops_activities::storage::queries::testing;
    use nbaprops_activities::storage::sql::Sql;
    let schema = nbaprops_activities::storage::schema::read(warehouse).await?;
    let mut out = BTreeMap::new();
    for (table, def) in schema.tables {
        let has = |c: &str| def.columns.iter().any(|col| col.name == c);
        if !has("row_hash") {
            continue;
        }
        let key_parts: Vec<String> = if has("superseded_at") {
            // Append-only (predictions): the surrogate id differs between runs; the business
            // key plus liveness does not.
            vec![
                "game_date".into(),
                "CAST(player_id AS TEXT)".into(),
                "system".into(),
                "CASE WHEN superseded_at IS NULL THEN '0' ELSE '1' END".into(),
            ]
        } else {
            def.primary_key
                .iter()
                .map(|c| format!("CAST({c} AS TEXT)"))
                .collect()
        };
        let key = key_parts.join(" || '/' || ");
        let mut rows: Vec<(String, String)> = testing::query(
            warehouse,
            Sql::new(format!("SELECT {key}, row_hash FROM {table}")),
        )
        .await?;
        // Sorted here: the two databases collate text differently.
        rows.sort();
        out.insert(table, rows);
    }
    Ok(out)
}

/// Panics naming the first table whose rows differ from `expected` (`table_contents`).
pub async fn assert_same_tables(
    expected: &BTreeMap<String, Vec<(String, String)>>,
    warehouse: &Warehouse,
    after: &str,
) {
    let got = table_contents(warehouse).await.unwrap();
    for (table, rows) in expected {
        assert_eq!(rows, &got[table], "{table} differs after {after}");
    }
}

/// The `nbaprops` binary built by `cargo build --bin nbaprops` (scripts/test does it).
pub fn nbaprops_binary() -> PathBuf {
    if let Ok(p) = std::env::var("NBAPROPS_BIN") {
        return PathBuf::from(p);
    }
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let bin = target.join("debug/nbaprops");
    assert!(
        bin.is_file(),
        "{} is missing: run `cargo build --bin nbaprops` first (scripts/test does)",
        bin.display()
    );
    bin
}

/// Hand computation of the moving-average prediction: the mean of the player's last (up to)
/// ten games before `date`, to two decimals, from the simulator's own draws.
pub fn expected_moving_average(
    truth: &SimTruth,
    player_id: i64,
    date: &str,
) -> Option<(f64, usize)> {
    let mut before: Vec<(&String, i64)> = truth
        .points
        .iter()
        .filter(|((d, p), _)| *p == player_id && d.as_str() < date)
        .map(|((d, _), pts)| (d, *pts))
        .collect();
    before.sort();
    let games = before.len();
    let last10: Vec<i64> = before.iter().rev().take(10).map(|(_, p)| *p).collect();
    if last10.is_empty() {
        return None;
    }
    let mean = last10.iter().sum::<i64>() as f64 / last10.len() as f64;
    Some(((mean * 100.0).round() / 100.0, games))
}

/// A worker process (`nbaprops worker`) on `queue`, over the data folder, with the replay server
/// as every source and its output in `{data}/{log}`: what the crash tests kill with SIGKILL.
pub fn spawn_worker(env: &TestEnv, data: &Path, queue: &str, log: &str) -> tokio::process::Child {
    spawn_worker_with(env, data, queue, log, &env.shared_for(data))
}

/// What workers on many machines share besides Temporal: a warehouse and a raw store by URL,
/// with the raw store's client settings (object_store's `AWS_*` variables).
#[derive(Debug, Clone, Default)]
pub struct Shared {
    pub database_url: Option<String>,
    pub raw_store_url: Option<String>,
    pub raw_store_env: Vec<(String, String)>,
    /// Another Temporal server than the test's own (the fault tests kill and restart theirs).
    pub temporal_address: Option<String>,
}

/// [`spawn_worker`] with the warehouse and raw store of `shared` instead of its data folder's.
pub fn spawn_worker_with(
    env: &TestEnv,
    data: &Path,
    queue: &str,
    log: &str,
    shared: &Shared,
) -> tokio::process::Child {
    let log = std::fs::File::create(data.join(log)).expect("a worker log file");
    let mut command = tokio::process::Command::new(nbaprops_binary());
    if let Some(url) = &shared.database_url {
        command.args(["--database-url", url]);
    }
    if let Some(url) = &shared.raw_store_url {
        command.args(["--raw-store-url", url]);
    }
    for (k, v) in &shared.raw_store_env {
        command.env(k.to_uppercase(), v);
    }
    command
        .args([
            "--temporal-address",
            shared
                .temporal_address
                .as_deref()
                .unwrap_or(&env.server.address),
            "--task-queue",
            queue,
        ])
        .arg("--data-dir")
        .arg(data)
        .args(["--sources-url", &env.replay.base_url(), "worker"])
        // `/metrics` on a free port: tests run workers side by side on one machine.
        .args(["--metrics-address", "127.0.0.1:0"])
        .stdin(std::process::Stdio::null())
        .stdout(log.try_clone().expect("the log file again"))
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .expect("the nbaprops binary starts")
}

/// A workflow's history as Temporal's JSON.
pub async fn history_json(client: &Client, workflow_id: &str) -> Vec<u8> {
    use temporalio_client::{UntypedWorkflow, WorkflowFetchHistoryOptions};
    client
        .get_workflow_handle::<UntypedWorkflow>(workflow_id)
        .fetch_history(WorkflowFetchHistoryOptions::default())
        .to_json()
        .await
        .unwrap_or_else(|e| panic!("fetching the history of {workflow_id}: {e}"))
}

/// Fetches a workflow's fresh history and replays it against today's code (panicking on
/// nondeterminism). With NBAPROPS_RECORD_HISTORIES=TAG it is also saved as the fixture
/// `tests/histories/{name}-TAG.json`, beside the old ones, which must keep replaying.
pub async fn replay_fresh_history(client: &Client, workflow_id: &str, name: &str) {
    use temporalio_client::WorkflowHistory;
    let json = history_json(client, workflow_id).await;
    if let Ok(tag) = std::env::var("NBAPROPS_RECORD_HISTORIES") {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("histories/{name}-{tag}.json"));
        std::fs::write(&path, &json).expect("writing the fixture");
    }
    replayer()
        .replay_workflow(WorkflowHistory::from_json(&json).expect("a history"))
        .await
        .unwrap_or_else(|e| panic!("{workflow_id} does not replay: {e}"));
}

/// A replayer with every workflow the worker registers.
pub fn replayer() -> temporalio_sdk::workflow_replayer::WorkflowReplayer {
    use nbaprops_workflows::{
        BackfillDateWorkflow, BackfillWorkflow, DayWorkflow, GradingWorkflow, InjuryWatchWorkflow,
        PhaseWorkflow, PredictionWorkflow, ScheduledStartWorkflow,
    };
    use temporalio_sdk::workflow_replayer::{WorkflowReplayer, WorkflowReplayerOptions};
    WorkflowReplayer::new(
        WorkflowReplayerOptions::new()
            .register_workflow::<DayWorkflow>()
            .expect("DayWorkflow registers")
            .register_workflow::<PhaseWorkflow>()
            .expect("PhaseWorkflow registers")
            .register_workflow::<PredictionWorkflow>()
            .expect("PredictionWorkflow registers")
            .register_workflow::<GradingWorkflow>()
            .expect("GradingWorkflow registers")
            .register_workflow::<BackfillWorkflow>()
            .expect("BackfillWorkflow registers")
            .register_workflow::<BackfillDateWorkflow>()
            .expect("BackfillDateWorkflow registers")
            .register_workflow::<ScheduledStartWorkflow>()
            .expect("ScheduledStartWorkflow registers")
            .register_workflow::<InjuryWatchWorkflow>()
            .expect("InjuryWatchWorkflow registers")
            .build(),
    )
    .expect("a replayer with workflows")
}
