//! A worker told to stop with SIGTERM (what container runtimes and systemd send) drains: it
//! stops taking tasks, lets its running activities finish or cancels them after its grace
//! period, exits 0, and a worker started after it finishes the day with the same rows as an
//! uninterrupted run.

use std::time::{Duration, Instant};

use nbaprops::commands;
use nbaprops_tests::{small_sim, spawn_worker, table_contents, TestEnv};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_stopped_with_sigterm_drains_exits_0_and_the_next_one_finishes_the_day() {
    let env = TestEnv::start(small_sim()).await.unwrap();
    let dates: Vec<String> = env.day_dates().into_iter().take(2).collect();

    let reference = tempfile::tempdir().unwrap();
    env.run_days(reference.path(), "reference", &dates)
        .await
        .unwrap();
    let expected = table_contents(&env.deps(reference.path()).await.unwrap().warehouse)
        .await
        .unwrap();

    let data = tempfile::tempdir().unwrap();
    let mut worker = spawn_worker(&env, data.path(), "drain", "worker-1.log");
    let driver = {
        let client = env.client.clone();
        let dates = dates.clone();
        tokio::spawn(async move {
            for d in &dates {
                commands::run_day(&client, "drain", commands::manual_day(d)).await?;
            }
            anyhow::Ok(())
        })
    };
    // Mid-run: the worker is in the first day's Phase 4 (its first level has written).
    let warehouse = env.deps(data.path()).await.unwrap().warehouse;
    let deadline = Instant::now() + Duration::from_secs(120);
    while nbaprops_activities::storage::queries::testing::scalar::<i64>(
        &warehouse,
        nbaprops_activities::storage::sql::Sql::new(
            "SELECT COUNT(*) FROM team_defense_zone_analysis",
        ),
    )
    .await
    .unwrap()
        == 0
    {
        assert!(Instant::now() < deadline, "the day never reached Phase 4");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let pid = worker.id().expect("the worker runs").to_string();
    let signalled = Instant::now();
    assert!(std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let status = tokio::time::timeout(Duration::from_secs(60), worker.wait())
        .await
        .expect("the worker stops within its grace period and a margin")
        .unwrap();
    let drained = signalled.elapsed();
    assert!(status.success(), "SIGTERM is a clean stop: {status}");
    let log = std::fs::read_to_string(data.path().join("worker-1.log")).unwrap();
    assert!(log.contains("SIGTERM") && log.contains("draining"), "{log}");
    assert!(log.contains("worker stopped"), "{log}");
    eprintln!("drained in {:.2} s", drained.as_secs_f64());

    // The next worker picks the day up where it was left.
    let _next = spawn_worker(&env, data.path(), "drain", "worker-2.log");
    tokio::time::timeout(Duration::from_secs(240), driver)
        .await
        .expect("the days finish on the next worker")
        .unwrap()
        .unwrap();
    let got = table_contents(&warehouse).await.unwrap();
    for (table, rows) in &expected {
        assert_eq!(rows, &got[table], "{table} differs after the drain");
    }
}
