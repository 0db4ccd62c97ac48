//! The warehouse on a real PostgreSQL 18 and the raw store on a real S3 server
//! (`nbaprops::services`, installed by scripts/setup): the two migration folders give the same
//! schema, a process refuses a schema it does not know, and the same simulated days leave the
//! same rows, by row hash, in every table on PostgreSQL with S3 as on SQLite with a folder, with
//! a rerun that writes nothing.

use nbaprops::services::{EmbeddedPostgres, SeaweedS3};
use nbaprops_activities::inprocess::run_phases;
use nbaprops_activities::storage::schema::{self, check_table, differences};
use nbaprops_activities::storage::{Backend, SchemaPolicy, Warehouse};
use nbaprops_activities::Deps;
use nbaprops_proto::{Mode, Phase, RunContext, Trigger};
use nbaprops_tests::{small_sim, table_contents, TestEnv};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_databases_have_the_same_schema_and_postgres_refuses_an_unknown_one() {
    let pg = EmbeddedPostgres::start().await.unwrap();
    let url = pg.create_database("schema_check").await.unwrap();

    // Not migrated: a worker refuses to start and says what to run.
    let err = Warehouse::connect(&url, SchemaPolicy::Require)
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("nbaprops migrate"), "{err}");
    assert!(err.contains("\"schema_check\" on 127.0.0.1:"), "{err}");

    let migrated = Warehouse::connect(&url, SchemaPolicy::Apply).await.unwrap();
    assert_eq!(migrated.backend(), Backend::Postgres);
    // Applying again is a no-op, and now the schema is known.
    Warehouse::connect(&url, SchemaPolicy::Apply).await.unwrap();
    Warehouse::connect(&url, SchemaPolicy::Require)
        .await
        .unwrap();

    let dir = tempfile::tempdir().unwrap();
    let sqlite = Warehouse::open(&dir.path().join("w.sqlite")).await.unwrap();
    let on_sqlite = schema::read(&sqlite).await.unwrap();
    let on_postgres = schema::read(&migrated).await.unwrap();
    assert!(on_sqlite.tables.len() > 30, "{}", on_sqlite.tables.len());
    assert_eq!(differences(&on_sqlite, &on_postgres), Vec::<String>::new());
    for def in nbaprops_activities::catalog::tables() {
        assert_eq!(check_table(&on_postgres, def), Vec::<String>::new());
    }
    // The live-prediction key is unique on both.
    for s in [&on_sqlite, &on_postgres] {
        assert!(s.tables["predictions"].unique.contains(&(
            vec!["game_date".into(), "player_id".into(), "system".into()],
            true
        )));
    }

    // A wrong password and an unreachable server are refused by name, without the password.
    let wrong = url.replace("nbaprops:nbaprops@", "nbaprops:not-it@");
    let err = Warehouse::connect(&wrong, SchemaPolicy::Require)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("schema_check") && !err.contains("not-it"),
        "{err}"
    );
}

async fn run_days(deps: &Deps, dates: &[String]) -> u32 {
    let mut written = 0;
    for date in dates {
        let ctx = RunContext {
            lines_as_of: String::new(),
            correlation_id: format!("day-{date}"),
            game_date: date.clone(),
            mode: Mode::Full as i32,
            trigger: Trigger::Manual as i32,
        };
        let phases = run_phases(deps, &ctx, Phase::Scrape, Phase::Predict)
            .await
            .unwrap_or_else(|e| panic!("{date}: {e}"));
        written += phases
            .iter()
            .flat_map(|(_, p)| p.results.iter())
            .map(|r| r.rows_written)
            .sum::<u32>();
    }
    written
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_days_on_postgres_and_s3_leave_the_same_rows_as_on_sqlite() {
    let env = TestEnv::start(small_sim()).await.unwrap();
    let dates = env.day_dates();
    let s3 = SeaweedS3::start().await.unwrap();
    let pg = EmbeddedPostgres::start().await.unwrap();
    let url = pg.create_database("same_rows").await.unwrap();
    Warehouse::connect(&url, SchemaPolicy::Apply).await.unwrap();

    let on_sqlite = tempfile::tempdir().unwrap();
    let sqlite = env.deps(on_sqlite.path()).await.unwrap();
    assert!(run_days(&sqlite, &dates).await > 0);

    let on_postgres = tempfile::tempdir().unwrap();
    let mut config = env.deps_config(on_postgres.path());
    config.database_url = url.clone();
    config.schema = SchemaPolicy::Require;
    config.raw_store_url = s3.raw_store_url("same-rows");
    config.raw_store_options = s3.client_options();
    let postgres = Deps::open(&config).await.unwrap();
    assert_eq!(postgres.warehouse.backend(), Backend::Postgres);
    assert!(run_days(&postgres, &dates).await > 0);

    let sqlite_rows = table_contents(&sqlite.warehouse).await.unwrap();
    let postgres_rows = table_contents(&postgres.warehouse).await.unwrap();
    assert_eq!(
        sqlite_rows.keys().collect::<Vec<_>>(),
        postgres_rows.keys().collect::<Vec<_>>()
    );
    let mut compared = 0;
    for (table, rows) in &sqlite_rows {
        assert_eq!(
            rows, &postgres_rows[table],
            "{table} differs between SQLite and PostgreSQL"
        );
        compared += rows.len();
    }
    assert!(
        sqlite_rows["predictions"].len() > 10 && compared > 1000,
        "too little to compare: {compared} rows"
    );

    // Running the same days again on PostgreSQL changes nothing.
    assert_eq!(run_days(&postgres, &dates).await, 0);
    assert_eq!(
        table_contents(&postgres.warehouse).await.unwrap(),
        postgres_rows
    );
}

/// PostgreSQL stopped and started again while a day is in Phase 3: activities whose queries
/// were in flight fail and Temporal retries them, the others wait on the pool until it
/// reconnects, and the day finishes with the same tables as a day that ran through.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_restart_in_phase_3_leaves_the_same_tables() {
    use nbaprops::commands;
    use nbaprops_activities::storage::queries::testing;
    use nbaprops_activities::storage::sql::Sql;
    use std::time::{Duration, Instant};

    let env = TestEnv::start(small_sim()).await.unwrap();
    let dates: Vec<String> = env.day_dates().into_iter().take(2).collect();
    let reference = tempfile::tempdir().unwrap();
    env.run_days(reference.path(), "pg-reference", &dates)
        .await
        .unwrap();
    let expected = table_contents(&env.deps(reference.path()).await.unwrap().warehouse)
        .await
        .unwrap();

    let mut pg = EmbeddedPostgres::start().await.unwrap();
    let url = pg.create_database("restart").await.unwrap();
    Warehouse::connect(&url, SchemaPolicy::Apply).await.unwrap();
    let data = tempfile::tempdir().unwrap();
    let mut config = env.deps_config(data.path());
    config.database_url = url.clone();
    config.schema = SchemaPolicy::Require;
    let deps = Deps::open(&config).await.unwrap();
    let watcher = Deps::open(&config).await.unwrap().warehouse;

    let client = env.client.clone();
    let run = nbaprops::worker::with_worker(env.client.clone(), "pg-restart", deps, async {
        let mut results = Vec::new();
        for d in &dates {
            results.push(commands::run_day(&client, "pg-restart", commands::manual_day(d)).await);
        }
        results
    });
    let restart = async {
        // The second day's Phase 3 has started: its first analytics run is recorded.
        let deadline = Instant::now() + Duration::from_secs(180);
        loop {
            let started: Result<i64, _> = testing::scalar(
                &watcher,
                Sql::new("SELECT COUNT(*) FROM processor_runs WHERE game_date = ? AND phase = 3")
                    .bind(dates[1].as_str()),
            )
            .await;
            if started.is_ok_and(|n| n > 0) {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the second day never reached Phase 3"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        pg.stop().await.unwrap();
        // The restart lands inside the second day, not after it.
        let day = client.get_workflow_handle::<temporalio_client::UntypedWorkflow>(
            &nbaprops_workflows::ids::day_workflow_id(&dates[1]),
        );
        let status = day
            .describe(temporalio_client::WorkflowDescribeOptions::default())
            .await
            .unwrap()
            .status();
        assert_eq!(
            status,
            temporalio_client::WorkflowExecutionStatus::Running,
            "PostgreSQL stopped after the second day had finished"
        );
        tokio::time::sleep(Duration::from_secs(2)).await;
        pg.start_again().await.unwrap();
    };
    let (results, ()) = tokio::join!(run, restart);
    for r in results.unwrap() {
        let day = r.expect("the day finishes after the restart");
        assert!(day.predictions_written > 0, "{day:?}");
    }
    let actual = table_contents(&watcher).await.unwrap();
    for (table, rows) in &expected {
        assert_eq!(&actual[table], rows, "{table} differs after the restart");
    }
    // Queries in flight when PostgreSQL stopped failed and Temporal retried their activities;
    // activities that asked for a connection meanwhile waited on the pool. Which of the two
    // happens depends on timing, so the count is reported, not asserted.
    let day = nbaprops_workflows::ids::day_workflow_id(&dates[1]);
    let mut retried = 0;
    for id in [
        nbaprops_workflows::ids::phase_workflow_id(&day, 3),
        nbaprops_workflows::ids::phase_workflow_id(&day, 4),
        nbaprops_workflows::ids::prediction_workflow_id(&day),
    ] {
        retried += retried_activities(&env.client, &id).await;
    }
    eprintln!("{retried} activities of {day} were retried across the restart");
}

/// Activities of a workflow that started more than once (an ActivityTaskStarted event records
/// the attempt that completed or finally failed).
async fn retried_activities(client: &temporalio_client::Client, workflow_id: &str) -> usize {
    let json = nbaprops_tests::history_json(client, workflow_id).await;
    let history: serde_json::Value = serde_json::from_slice(&json).unwrap();
    history["events"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["attributes"]["ActivityTaskStartedEventAttributes"]["attempt"].as_i64())
        .filter(|&attempt| attempt > 1)
        .count()
}
