//! Many workers, one warehouse: three worker processes, each with its own data folder (nothing
//! shared through the disk), share the Temporal server, one PostgreSQL database and the S3 raw
//! store. They run a backfill together while one of them is SIGKILLed; the others finish it,
//! every table's row hashes equal a single worker's SQLite run, no player has two live
//! predictions of one system, and a second backfill writes nothing. Two days and an injury
//! rerun run concurrently across the workers too.

use std::time::{Duration, Instant};

use nbaprops::backfill::{self, BackfillArgs};
use nbaprops::commands;
use nbaprops::services::{EmbeddedPostgres, SeaweedS3};
use nbaprops_activities::storage::queries::testing;
use nbaprops_activities::storage::sql::Sql;
use nbaprops_activities::storage::{SchemaPolicy, Warehouse};
use nbaprops_proto::BackfillInput;
use nbaprops_tests::{
    nbaprops_binary, small_sim, spawn_worker_with, table_contents, Shared, TestEnv,
};
use nbaprops_workflows::ids;

fn input(from: &str, to: &str) -> BackfillInput {
    let args = BackfillArgs {
        from: from.into(),
        to: to.into(),
        phases: "1-5".into(),
        concurrency: 3,
        retry_failed: false,
        no_wait: false,
        progress: false,
        pause: false,
        resume: false,
    };
    backfill::input_of(&args, vec![]).unwrap()
}

/// A PostgreSQL database migrated by `nbaprops migrate`, and an S3 prefix, for the workers.
async fn shared(pg: &EmbeddedPostgres, s3: &SeaweedS3, name: &str) -> Shared {
    let url = pg.create_database(name).await.unwrap();
    let out = std::process::Command::new(nbaprops_binary())
        .args(["--database-url", &url, "migrate"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("schema at version"));
    Shared {
        database_url: Some(url),
        raw_store_url: Some(s3.raw_store_url(name)),
        raw_store_env: s3.client_options(),
        temporal_address: None,
    }
}

async fn live_duplicates(warehouse: &Warehouse) -> Vec<(String, i64, String, i64)> {
    testing::query(
        warehouse,
        Sql::new(
            "SELECT game_date, player_id, system, COUNT(*) FROM predictions \
             WHERE superseded_at IS NULL GROUP BY game_date, player_id, system \
             HAVING COUNT(*) > 1",
        ),
    )
    .await
    .unwrap()
}

async fn completed_steps(env: &TestEnv, queue: &str) -> usize {
    let query = format!(
        "WorkflowType = 'BackfillDateWorkflow' AND TaskQueue = '{queue}' \
         AND ExecutionStatus = 'Completed'"
    );
    env.client
        .count_workflows(query.as_str(), Default::default())
        .await
        .unwrap()
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_workers_share_a_backfill_one_is_killed_and_the_tables_match_one_worker() {
    let env = TestEnv::start(small_sim()).await.unwrap();
    let dates = env.day_dates();
    let (from, to) = (dates[0].clone(), dates.last().unwrap().clone());
    let id = ids::backfill_workflow_id(&from, &to);

    // The reference: one worker, in this process, on SQLite and a folder.
    let reference = tempfile::tempdir().unwrap();
    let client = env.client.clone();
    let clean = nbaprops::worker::with_worker(
        env.client.clone(),
        "mw-reference",
        env.deps(reference.path()).await.unwrap(),
        async {
            backfill::start(&client, "mw-reference", input(&from, &to))
                .await
                .unwrap();
            backfill::wait(&client, &id).await.unwrap()
        },
    )
    .await
    .unwrap();
    assert!(clean.failed.is_empty(), "{clean:?}");
    let expected = table_contents(&env.deps(reference.path()).await.unwrap().warehouse)
        .await
        .unwrap();

    let pg = EmbeddedPostgres::start().await.unwrap();
    let s3 = SeaweedS3::start().await.unwrap();
    let shared = shared(&pg, &s3, "backfill").await;
    let folders: Vec<tempfile::TempDir> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let mut workers: Vec<tokio::process::Child> = folders
        .iter()
        .enumerate()
        .map(|(i, d)| spawn_worker_with(&env, d.path(), "mw", &format!("worker-{i}.log"), &shared))
        .collect();
    backfill::start(&env.client, "mw", input(&from, &to))
        .await
        .unwrap();
    let steps_total = {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            match backfill::progress(&env.client, &id).await {
                Ok(p) if p.steps_total > 0 => break p.steps_total as usize,
                _ => {}
            }
            assert!(Instant::now() < deadline, "the backfill never planned");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    // A third of the way in, one worker dies.
    let deadline = Instant::now() + Duration::from_secs(240);
    while completed_steps(&env, "mw").await * 3 < steps_total {
        assert!(Instant::now() < deadline, "the backfill stalled");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    workers[0].start_kill().unwrap(); // SIGKILL
    assert!(!workers[0].wait().await.unwrap().success());
    let done = tokio::time::timeout(Duration::from_secs(400), backfill::wait(&env.client, &id))
        .await
        .expect("the two other workers finish the backfill")
        .unwrap();
    assert!(done.failed.is_empty(), "{done:?}");
    assert_eq!(done.steps_done, done.steps_total);

    // Every worker polled: the work was spread, not done by one.
    for (i, d) in folders.iter().enumerate() {
        let log = std::fs::read_to_string(d.path().join(format!("worker-{i}.log"))).unwrap();
        assert!(!log.is_empty(), "worker {i} logged nothing");
        assert!(
            !d.path().join("warehouse.sqlite").exists(),
            "worker {i} used a local warehouse"
        );
        assert!(
            !d.path().join("raw").exists(),
            "worker {i} used a local raw store"
        );
    }

    let url = shared.database_url.clone().unwrap();
    let warehouse = Warehouse::connect(&url, SchemaPolicy::Require)
        .await
        .unwrap();
    let actual = table_contents(&warehouse).await.unwrap();
    assert_eq!(
        actual.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
    );
    for (table, rows) in &expected {
        assert_eq!(
            &actual[table], rows,
            "{table} differs from one worker's SQLite run"
        );
    }
    assert_eq!(live_duplicates(&warehouse).await, vec![]);

    // A second backfill of the range, on the two workers left, writes nothing.
    backfill::start(&env.client, "mw", input(&from, &to))
        .await
        .unwrap();
    let again = tokio::time::timeout(Duration::from_secs(300), backfill::wait(&env.client, &id))
        .await
        .unwrap()
        .unwrap();
    assert!(again.failed.is_empty(), "{again:?}");
    assert_eq!(again.rows_written, 0, "{again:?}");
    assert_eq!(table_contents(&warehouse).await.unwrap(), expected);
    for w in &mut workers[1..] {
        w.start_kill().unwrap();
        let _ = w.wait().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_days_and_an_injury_rerun_run_concurrently_across_three_workers() {
    let env = TestEnv::start(small_sim()).await.unwrap();
    let dates = env.day_dates();
    let pg = EmbeddedPostgres::start().await.unwrap();
    let s3 = SeaweedS3::start().await.unwrap();
    let shared = shared(&pg, &s3, "days").await;
    let folders: Vec<tempfile::TempDir> = (0..3).map(|_| tempfile::tempdir().unwrap()).collect();
    let mut workers: Vec<tokio::process::Child> = folders
        .iter()
        .enumerate()
        .map(|(i, d)| {
            spawn_worker_with(
                &env,
                d.path(),
                "mw-days",
                &format!("worker-{i}.log"),
                &shared,
            )
        })
        .collect();

    // The first day alone (the second reads its box scores), then the next two at once.
    commands::run_day(&env.client, "mw-days", commands::manual_day(&dates[0]))
        .await
        .unwrap();
    let (a, b) = tokio::join!(
        commands::run_day(&env.client, "mw-days", commands::manual_day(&dates[1])),
        commands::run_day(&env.client, "mw-days", commands::manual_day(&dates[2])),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert!(
        a.predictions_written > 0 && b.predictions_written > 0,
        "{a:?} {b:?}"
    );

    let url = shared.database_url.clone().unwrap();
    let warehouse = Warehouse::connect(&url, SchemaPolicy::Require)
        .await
        .unwrap();
    // An injury to a player with a line on the third date, while it listens.
    let player: (i64,) = testing::query(
        &warehouse,
        Sql::new(
            "SELECT player_id FROM upcoming_player_game_context WHERE game_date = ? \
             ORDER BY player_id LIMIT 1",
        )
        .bind(dates[2].as_str()),
    )
    .await
    .unwrap()
    .into_iter()
    .next()
    .expect("a player with a line");
    let date = dates[2].clone();
    let before: i64 = testing::scalar(
        &warehouse,
        Sql::new(
            "SELECT COUNT(*) FROM predictions WHERE game_date = ? AND superseded_at IS NOT NULL",
        )
        .bind(date.as_str()),
    )
    .await
    .unwrap();
    let update = nbaprops_proto::InjuryUpdate {
        player: player.0.to_string(),
        status: "Out".into(),
        source: "test".into(),
        report_time: format!("{date}T17:00:00Z"),
        reason: "test".into(),
    };
    commands::signal_injury(
        &env.client,
        "mw-days",
        &date,
        nbaprops_proto::Trigger::Signal,
        std::slice::from_ref(&update),
    )
    .await
    .unwrap();
    let rerun = commands::wait_for_rerun(
        &env.client,
        &ids::day_workflow_id(&date),
        &update,
        Duration::from_millis(100),
        Duration::from_secs(120),
    )
    .await
    .unwrap();
    eprintln!(
        "rerun {} {}: {} players, {} predictions",
        rerun.number, rerun.outcome, rerun.players, rerun.predictions_written
    );
    let after: i64 = testing::scalar(
        &warehouse,
        Sql::new(
            "SELECT COUNT(*) FROM predictions WHERE game_date = ? AND superseded_at IS NOT NULL",
        )
        .bind(date.as_str()),
    )
    .await
    .unwrap();
    assert!(
        after > before,
        "the rerun superseded predictions ({before} -> {after})"
    );
    assert_eq!(live_duplicates(&warehouse).await, vec![]);
    for w in &mut workers {
        w.start_kill().unwrap();
        let _ = w.wait().await;
    }
}
