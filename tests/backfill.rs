//! BackfillWorkflow against a real dev server and the replay server:
//!
//! - a backfill whose source answers 403 for one date lists that date with the error, skips its
//!   later steps and finishes the rest; paused, it starts nothing until resumed; `--retry-failed`
//!   (through the binary) then reruns only that date, against the mended source;
//! - a backfill whose worker is SIGKILLed three times completes through the `nbaprops backfill`
//!   command with tables identical (row hashes) to an uninterrupted backfill's, no duplicates,
//!   continuing as new on the way; a second backfill of the finished range writes nothing.

use std::process::Stdio;
use std::time::{Duration, Instant};

use nbaprops::backfill::{self, BackfillArgs};
use nbaprops_activities::sources::SourceConfig;
use nbaprops_proto::{BackfillInput, BackfillProgress};
use nbaprops_simulator::replay_server::{Fault, FaultRule, ReplayServer};
use nbaprops_tests::{
    nbaprops_binary, replay_fresh_history, small_sim, spawn_worker, table_contents, TestEnv,
};
use nbaprops_workflows::ids;

fn args(from: &str, to: &str) -> BackfillArgs {
    BackfillArgs::range(from, to, 3)
}

/// The backfill's input with a small continue-as-new budget, so a short range crosses runs.
fn input(from: &str, to: &str, children_per_run: u32) -> BackfillInput {
    let mut input = backfill::input_of(&args(from, to), vec![]).unwrap();
    input.children_per_run = children_per_run;
    input
}

/// Workflows of `workflow_type` completed on `queue`, from visibility: no worker needs to answer,
/// unlike the progress query. `BackfillDateWorkflow` counts finished date-steps; a
/// `BackfillWorkflow` completes once, its earlier runs being ContinuedAsNew.
async fn completed(env: &TestEnv, workflow_type: &str, queue: &str) -> usize {
    let query = format!(
        "WorkflowType = '{workflow_type}' AND TaskQueue = '{queue}' \
         AND ExecutionStatus = 'Completed'"
    );
    env.client
        .count_workflows(query.as_str(), Default::default())
        .await
        .unwrap_or_else(|e| panic!("counting {query}: {e}"))
        .count()
}

fn cli(env: &TestEnv, queue: &str, extra: &[&str]) -> tokio::process::Command {
    let mut c = tokio::process::Command::new(nbaprops_binary());
    c.args([
        "--temporal-address",
        &env.server.address,
        "--task-queue",
        queue,
    ])
    .arg("backfill")
    .args(extra)
    .stdin(Stdio::null())
    .kill_on_drop(true);
    c
}

async fn live_predictions(pool: &nbaprops_activities::storage::Warehouse, date: &str) -> i64 {
    nbaprops_activities::storage::queries::testing::scalar(
        pool,
        nbaprops_activities::storage::sql::Sql::new(
            "SELECT COUNT(*) FROM predictions WHERE game_date = ? AND system = 'ensemble' \
         AND superseded_at IS NULL",
        )
        .bind(date),
    )
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_date_is_listed_skipped_downstream_and_retried_alone() {
    let env = TestEnv::start(small_sim()).await.unwrap();
    let dates = env.day_dates();
    let (from, to) = (dates[0].clone(), dates.last().unwrap().clone());
    let id = ids::backfill_workflow_id(&from, &to);
    // NBA.com refuses (403, not retried) the play-by-play of a game of the second date, which
    // the third date's run fetches.
    let broken = dates[2].clone();
    let schedule: serde_json::Value = serde_json::from_slice(
        &std::fs::read(
            env.sim_dir
                .path()
                .join("static/json/staticData/scheduleLeagueV2_1.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let game_id = schedule["leagueSchedule"]["gameDates"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["games"].as_array().unwrap())
        .find(|g| g["gameDateEst"].as_str().unwrap().starts_with(&dates[1]))
        .expect("a game on the second date")["gameId"]
        .as_str()
        .unwrap()
        .to_string();
    let faulty = ReplayServer::start_with_faults(
        env.sim_dir.path().to_path_buf(),
        "127.0.0.1:0".parse().unwrap(),
        vec![FaultRule {
            path_contains: format!("playbyplay_{game_id}"),
            fault: Fault::Forbidden,
            times: None,
        }],
    )
    .await
    .unwrap();
    let data = tempfile::tempdir().unwrap();
    let mut config = env.deps_config(data.path());
    config.sources = SourceConfig::replay(&faulty.base_url());
    let deps = nbaprops_activities::Deps::open(&config).await.unwrap();
    let client = env.client.clone();
    let result: BackfillProgress =
        nbaprops::worker::with_worker(env.client.clone(), "bf-fail", deps, async {
            backfill::start(&client, "bf-fail", input(&from, &to, 0))
                .await
                .unwrap();
            // Paused at once: at most the window in flight finishes, nothing new starts.
            let handle = client.get_workflow_handle::<nbaprops_workflows::BackfillWorkflow>(&id);
            handle
                .signal(
                    nbaprops_workflows::BackfillWorkflow::pause,
                    nbaprops_workflows::signals::raw(&()),
                    Default::default(),
                )
                .await
                .unwrap();
            let mut last = None;
            let deadline = Instant::now() + Duration::from_secs(60);
            let paused = loop {
                tokio::time::sleep(Duration::from_millis(1500)).await;
                let p = backfill::progress(&client, &id).await.unwrap();
                if p.paused && last == Some(p.steps_done) {
                    break p;
                }
                last = Some(p.steps_done);
                assert!(Instant::now() < deadline, "the pause never took hold");
            };
            assert!(
                paused.steps_done <= 3,
                "paused at once, at most the window of 3 ran: {paused:?}"
            );
            tokio::time::sleep(Duration::from_secs(2)).await;
            let still = backfill::progress(&client, &id).await.unwrap();
            assert_eq!(
                still.steps_done, paused.steps_done,
                "nothing ran while paused"
            );
            assert!(still.steps_total > 30, "{still:?}");
            handle
                .signal(
                    nbaprops_workflows::BackfillWorkflow::resume,
                    nbaprops_workflows::signals::raw(&()),
                    Default::default(),
                )
                .await
                .unwrap();
            backfill::wait(&client, &id).await.unwrap()
        })
        .await
        .unwrap();
    faulty.stop().await;

    // The histories (the backfill with its pause, resume and failures; a date's Phase 5 levels
    // 1-2, its first Phase 1 level, its Phase 1 fetches with their Phase 2 parsing, and its
    // contexts, Phase 3 gate, Phase 4 and Phase 4 gate) replay without nondeterminism. NBAPROPS_RECORD_HISTORIES=TAG
    // saves them as tests/histories/backfill-TAG.json and backfill-date-p{phase}-TAG.json.
    for (id, name) in [
        (id.clone(), "backfill".to_string()),
        (
            ids::backfill_date_workflow_id(&id, 5, 1, &dates[3]),
            "backfill-date-p5".to_string(),
        ),
        (
            ids::backfill_date_workflow_id(&id, 1, 1, &dates[3]),
            "backfill-date-p1".to_string(),
        ),
        (
            ids::backfill_date_workflow_id(&id, 2, 1, &dates[3]),
            "backfill-date-p2".to_string(),
        ),
        (
            ids::backfill_date_workflow_id(&id, 4, 1, &dates[3]),
            "backfill-date-p4".to_string(),
        ),
    ] {
        replay_fresh_history(&env.client, &id, &name).await;
    }

    // The broken date is listed at its step (Phase 1's fetches merged with Phase 2's parsing of
    // them: phase 2) with the phase, the source, the status and the date; the date
    // before it fails grading, since its box scores come with the broken date's run.
    let failed: Vec<(&str, u32)> = result
        .failed
        .iter()
        .map(|f| (f.date.as_str(), f.phase))
        .collect();
    assert_eq!(
        failed,
        [(broken.as_str(), 2), (dates[1].as_str(), 6)],
        "{result:?}"
    );
    let f = &result.failed[0];
    assert!(
        f.error.contains("nbac_play_by_play")
            && f.error.contains("phase 1 level 2")
            && f.error.contains("403")
            && f.error.contains(&broken),
        "{}",
        f.error
    );
    assert!(
        result.failed[1].error.contains("box score"),
        "{}",
        result.failed[1].error
    );
    let skipped: u32 = result.phases.iter().map(|p| p.skipped).sum();
    assert!(skipped >= 4, "its later steps are skipped: {result:?}");
    assert!(result.phases.iter().all(|p| p.remaining == 0));
    let deps = env.deps(data.path()).await.unwrap();
    let pool = deps.warehouse.clone();
    assert_eq!(
        live_predictions(&pool, &broken).await,
        0,
        "nothing downstream ran on it"
    );
    for d in dates.iter().filter(|d| **d != broken) {
        assert!(live_predictions(&pool, d).await > 0, "{d} was predicted");
    }

    // The source mended: `--retry-failed` through the binary reruns the one date.
    let mut worker = spawn_worker(&env, data.path(), "bf-fail", "worker.log");
    let out = cli(
        &env,
        "bf-fail",
        &["--from", &from, "--to", &to, "--retry-failed"],
    )
    .output()
    .await
    .unwrap();
    worker.start_kill().unwrap();
    let _ = worker.wait().await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(&format!("retrying 2 dates: {}, {broken}", dates[1])),
        "{stdout}"
    );
    assert!(
        live_predictions(&pool, &broken).await > 0,
        "the retried date is predicted"
    );
    let graded: i64 = nbaprops_activities::storage::queries::testing::scalar(
        &pool,
        nbaprops_activities::storage::sql::Sql::new(
            "SELECT COUNT(*) FROM prediction_grades WHERE game_date = ?",
        )
        .bind(&broken),
    )
    .await
    .unwrap();
    assert!(graded > 0, "and graded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backfill_killed_three_times_matches_an_uninterrupted_one_and_reruns_write_nothing() {
    let env = TestEnv::start(small_sim()).await.unwrap();
    let dates = env.day_dates();
    let (from, to) = (dates[0].clone(), dates.last().unwrap().clone());
    let id = ids::backfill_workflow_id(&from, &to);

    // The reference: uninterrupted, in this process, on its own queue.
    let reference = tempfile::tempdir().unwrap();
    let client = env.client.clone();
    let clean = nbaprops::worker::with_worker(
        env.client.clone(),
        "bf-reference",
        env.deps(reference.path()).await.unwrap(),
        async {
            backfill::start(&client, "bf-reference", input(&from, &to, 0))
                .await
                .unwrap();
            backfill::wait(&client, &id).await.unwrap()
        },
    )
    .await
    .unwrap();
    assert!(clean.failed.is_empty(), "{clean:?}");
    assert_eq!(clean.steps_done, clean.steps_total);
    let expected = table_contents(&env.deps(reference.path()).await.unwrap().warehouse)
        .await
        .unwrap();
    assert!(expected["predictions"].len() > 20);
    assert!(expected["prediction_grades"].len() > 20);

    // The crash run: a worker process killed three times at scattered points, the backfill
    // driven by the command (10 children per run: it continues as new several times).
    let data = tempfile::tempdir().unwrap();
    let warehouse = env.deps(data.path()).await.unwrap().warehouse;
    let mut worker = spawn_worker(&env, data.path(), "bf-crash", "worker-0.log");
    backfill::start(&env.client, "bf-crash", input(&from, &to, 10))
        .await
        .unwrap();
    let driver = cli(&env, "bf-crash", &["--from", &from, "--to", &to])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The plan's size, from the progress query while the first worker is healthy.
    let deadline = Instant::now() + Duration::from_secs(120);
    let steps_total = loop {
        match backfill::progress(&env.client, &id).await {
            Ok(p) if p.steps_total > 0 => break p.steps_total as usize,
            _ => {}
        }
        assert!(Instant::now() < deadline, "the backfill never planned");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    // Three kill points, scattered by the clock over 8-25%, 32-50% and 58-75% of the
    // date-steps (the early phases, the middle ones, and predictions; late enough to miss
    // nothing, early enough that a fast finish cannot outrun the third). Progress is counted
    // from visibility, not the query: after a kill the query waits ~10 s on the dead worker's
    // sticky queue while the new worker runs on, long enough to miss the third point.
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as u64;
    let mut kills = 0;
    for (i, band) in [(0.08, 0.25), (0.32, 0.50), (0.58, 0.75)]
        .iter()
        .enumerate()
    {
        let r = ((seed >> (i * 8)) % 1000) as f64 / 1000.0;
        let at = band.0 + (band.1 - band.0) * r;
        let deadline = Instant::now() + Duration::from_secs(240);
        let finished = loop {
            let finished = completed(&env, "BackfillDateWorkflow", "bf-crash").await;
            if finished as f64 >= at * steps_total as f64 {
                break finished;
            }
            assert!(
                Instant::now() < deadline,
                "the backfill stalled before kill {i}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        if completed(&env, "BackfillWorkflow", "bf-crash").await > 0 {
            break;
        }
        worker.start_kill().unwrap(); // SIGKILL
        assert!(!worker.wait().await.unwrap().success());
        kills += 1;
        eprintln!("killed the worker after {finished}/{steps_total} date-steps");
        tokio::time::sleep(Duration::from_millis(300)).await;
        worker = spawn_worker(
            &env,
            data.path(),
            "bf-crash",
            &format!("worker-{}.log", i + 1),
        );
    }
    assert_eq!(kills, 3, "the backfill finished before the third kill");
    let out = tokio::time::timeout(Duration::from_secs(300), driver.wait_with_output())
        .await
        .expect("the backfill did not finish after the restarts")
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("done"), "{stdout}");
    let crashed = backfill::progress(&env.client, &id).await.unwrap();
    assert!(crashed.runs >= 3, "continued as new: {crashed:?}");
    assert!(crashed.failed.is_empty(), "{crashed:?}");

    let actual = table_contents(&warehouse).await.unwrap();
    assert_eq!(
        actual.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
    );
    for (table, rows) in &expected {
        assert_eq!(
            &actual[table], rows,
            "{table} differs from the uninterrupted backfill"
        );
    }

    // A second backfill of the finished range writes nothing.
    backfill::start(&env.client, "bf-crash", input(&from, &to, 0))
        .await
        .unwrap();
    let again = backfill::wait(&env.client, &id).await.unwrap();
    worker.start_kill().unwrap();
    let _ = worker.wait().await;
    assert!(again.failed.is_empty(), "{again:?}");
    assert_eq!(again.rows_written, 0, "{again:?}");
    assert!(again.rows_unchanged > 0);
    assert_eq!(table_contents(&warehouse).await.unwrap(), expected);
}
