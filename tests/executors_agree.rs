//! The Temporal executor and the in-process one run the same plans through the same loop
//! (`nbaprops_orchestration`): the same days through `DayWorkflow` on a real dev server and
//! through `inprocess::run_phases` leave the same rows, by row hash, in every table.

use nbaprops_activities::inprocess::run_phases;
use nbaprops_proto::{Mode, Phase, RunContext, Trigger};
use nbaprops_tests::{small_sim, table_contents, TestEnv};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_days_through_temporal_and_in_process_leave_the_same_rows() {
    let env = TestEnv::start(small_sim()).await.unwrap();
    let dates = env.day_dates();

    let through_temporal = tempfile::tempdir().unwrap();
    let days = env
        .run_days(through_temporal.path(), "executors-agree", &dates)
        .await
        .unwrap();
    assert!(days.iter().any(|d| d.predictions_written > 0));

    let in_process = tempfile::tempdir().unwrap();
    let deps = env.deps(in_process.path()).await.unwrap();
    for date in &dates {
        let ctx = RunContext {
            lines_as_of: String::new(),
            correlation_id: format!("day-{date}"),
            game_date: date.clone(),
            mode: Mode::Full as i32,
            trigger: Trigger::Manual as i32,
        };
        let phases = run_phases(&deps, &ctx, Phase::Scrape, Phase::Predict)
            .await
            .unwrap_or_else(|e| panic!("{date} in-process: {e}"));
        assert_eq!(phases.len(), 5, "{date}");
    }

    let temporal_rows = table_contents(&env.deps(through_temporal.path()).await.unwrap().warehouse)
        .await
        .unwrap();
    let local_rows = table_contents(&deps.warehouse).await.unwrap();
    assert_eq!(
        temporal_rows.keys().collect::<Vec<_>>(),
        local_rows.keys().collect::<Vec<_>>()
    );
    let mut compared = 0;
    for (table, rows) in &temporal_rows {
        assert_eq!(
            rows, &local_rows[table],
            "{table} differs between the executors"
        );
        compared += rows.len();
    }
    assert!(
        temporal_rows["predictions"].len() > 10 && compared > 1000,
        "too little to compare: {compared} rows"
    );
}
