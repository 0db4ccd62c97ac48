//! A worker killed with SIGKILL in the middle of a day (in Phase 2, then again between the
//! prediction systems' batches of Phase 5), then restarted, finishes the same workflows, and the
//! warehouse ends up identical to an uninterrupted run's: no row lost, none written twice.

use std::time::{Duration, Instant};

use nbaprops::commands;
use nbaprops_activities::storage::queries::testing;
use nbaprops_activities::storage::sql::Sql;
use nbaprops_activities::storage::Warehouse;
use nbaprops_tests::{small_sim, spawn_worker, table_contents, TestEnv};

async fn count(warehouse: &Warehouse, sql: &str, date: &str) -> i64 {
    testing::scalar(warehouse, Sql::new(sql).bind(date))
        .await
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_killed_mid_day_and_restarted_completes_with_identical_tables() {
    let env = TestEnv::start(small_sim()).await.unwrap();
    let dates = env.day_dates();

    // The reference: the same days, uninterrupted.
    let reference = tempfile::tempdir().unwrap();
    env.run_days(reference.path(), "reference", &dates)
        .await
        .unwrap();
    let expected = table_contents(&env.deps(reference.path()).await.unwrap().warehouse)
        .await
        .unwrap();

    // The crash run: a worker process, killed once the third day is inside Phase 2.
    let data = tempfile::tempdir().unwrap();
    let warehouse = env.deps(data.path()).await.unwrap().warehouse;
    let mut worker = spawn_worker(&env, data.path(), "crash", "worker-1.log");
    let target = dates[2].clone();
    let driver = {
        let client = env.client.clone();
        let dates = dates.clone();
        tokio::spawn(async move {
            for d in &dates {
                commands::run_day(&client, "crash", commands::manual_day(d)).await?;
            }
            anyhow::Ok(())
        })
    };
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        // Phase 2 of the target day has written its schedule, Phase 3 has not run yet.
        let schedule = count(
            &warehouse,
            "SELECT COUNT(*) FROM raw_nbac_schedule WHERE game_date = ?",
            &target,
        )
        .await;
        if schedule > 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the third day never reached Phase 2"
        );
        assert!(
            !driver.is_finished(),
            "the run finished before the kill point"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    worker.start_kill().unwrap(); // SIGKILL
    let status = worker.wait().await.unwrap();
    assert!(!status.success(), "the worker was killed, not stopped");
    let summaries_at_kill = count(
        &warehouse,
        "SELECT COUNT(*) FROM player_daily_cache WHERE cache_date = ?",
        &target,
    )
    .await;
    assert_eq!(
        summaries_at_kill, 0,
        "the kill landed after Phase 4 of the target day: not mid-run"
    );

    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut restarted = spawn_worker(&env, data.path(), "crash", "worker-2.log");

    // The second crash: the last day inside Phase 5, after the first systems' batches wrote
    // and before the ensemble (level 3) did.
    let last = dates.last().unwrap().clone();
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        let written = count(
            &warehouse,
            "SELECT COUNT(*) FROM predictions WHERE game_date = ?",
            &last,
        )
        .await;
        if written > 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the last day never reached Phase 5"
        );
        assert!(
            !driver.is_finished(),
            "the run finished before the second kill"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    restarted.start_kill().unwrap(); // SIGKILL
    let _ = restarted.wait().await;
    let ensembled = count(
        &warehouse,
        "SELECT COUNT(*) FROM predictions WHERE game_date = ? AND system = 'ensemble'",
        &last,
    )
    .await;
    assert_eq!(
        ensembled, 0,
        "the second kill landed after the ensemble: not mid-Phase 5"
    );

    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut restarted = spawn_worker(&env, data.path(), "crash", "worker-3.log");
    tokio::time::timeout(Duration::from_secs(180), driver)
        .await
        .expect("the days did not finish after the restart")
        .unwrap()
        .unwrap();
    restarted.start_kill().unwrap();
    let _ = restarted.wait().await;

    let actual = table_contents(&warehouse).await.unwrap();
    assert_eq!(
        actual.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
    );
    for (table, rows) in &expected {
        assert_eq!(
            &actual[table], rows,
            "{table} differs from the uninterrupted run"
        );
    }
    let superseded: i64 = testing::scalar(
        &warehouse,
        Sql::new("SELECT COUNT(*) FROM predictions WHERE superseded_at IS NOT NULL"),
    )
    .await
    .unwrap();
    assert_eq!(
        superseded, 0,
        "a retried batch must not supersede its own identical rows"
    );
}
