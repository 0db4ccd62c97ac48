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
