//! Malformed `injury_update` signals, sent as an operator would with the `temporal` CLI, on a
//! real dev server: each is refused with an `injury_update_rejected` alert naming it, the day
//! stays healthy (its query answers, it keeps listening), a payload with an unknown extra field
//! is applied, the next valid signal is applied, `nbaprops signal injury` exits 1 with the
//! reason when the day refuses its news, and the history (with the malformed signals in it)
//! replays.

use nbaprops::commands;
use nbaprops_proto::{InjuryUpdate, Trigger};
use nbaprops_tests::{listening_day, replay_fresh_history, small_sim, spawn_worker, TestEnv};
use nbaprops_workflows::{ids, DayWorkflow};
use temporalio_client::{WorkflowGetResultOptions, WorkflowSignalOptions};

/// What the team might send by mistake; none of it is an `InjuryUpdate`.
const MALFORMED: [&str; 5] = [
    r#"{"player":123,"status":true}"#,
    "null",
    r#""hello""#,
    "[1,2,3]",
    r#"{"player":"x","status":"Out","report_time":12345}"#,
];

/// `temporal workflow signal --name injury_update --input JSON` against the test's server.
fn cli_signal(env: &TestEnv, workflow_id: &str, input: &str) {
    let temporal = std::env::var("TEMPORAL_BIN").unwrap_or_else(|_| "temporal".to_string());
    let out = std::process::Command::new(temporal)
        .args([
            "workflow",
            "signal",
            "--address",
            &env.server.address,
            "--workflow-id",
            workflow_id,
            "--name",
            "injury_update",
            "--input",
            input,
        ])
        .output()
        .expect("the temporal CLI runs");
    assert!(
        out.status.success(),
        "temporal workflow signal {input}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_signals_are_refused_with_an_alert_and_the_day_goes_on() {
    let env = TestEnv::start(small_sim()).await.unwrap();
    let data = tempfile::tempdir().unwrap();
    let queue = "bad-signals";
    let warehouse = env.deps(data.path()).await.unwrap().warehouse.clone();
    let _worker = spawn_worker(&env, data.path(), queue, "worker.log");
    let date = env.day_dates()[1].clone();
    let day_id = ids::day_workflow_id(&date);
    commands::run_day(&env.client, queue, listening_day(&date))
        .await
        .unwrap();

    for bad in MALFORMED {
        cli_signal(&env, &day_id, bad);
    }
    let s = env
        .wait_day_state(&day_id, "every malformed signal alerted", |s| {
            s.malformed_alerted as usize == MALFORMED.len()
        })
        .await;
    assert_eq!(s.stage, "listening", "{s:?}");
    assert!(s.pending_updates.is_empty() && s.reruns.is_empty(), "{s:?}");
    for (why, bad) in s.malformed_updates.iter().zip(MALFORMED) {
        assert!(
            why.starts_with("malformed injury_update signal: ") && why.contains(bad),
            "{why}"
        );
    }
    let alerts = nbaprops_activities::ops::alerts::of_date(&warehouse, &date)
        .await
        .unwrap();
    let rejected: Vec<_> = alerts
        .iter()
        .filter(|a| a.kind == "injury_update_rejected")
        .collect();
    assert_eq!(rejected.len(), MALFORMED.len(), "{alerts:?}");
    assert!(
        rejected.iter().any(|a| a.message.contains("[1,2,3]")),
        "{rejected:?}"
    );

    // A real player's morning news with a field this version does not know: applied.
    let player: Vec<(String,)> = nbaprops_activities::storage::queries::testing::query(
        &warehouse,
        nbaprops_activities::storage::sql::Sql::new(
            "SELECT player_name FROM upcoming_player_game_context WHERE game_date = ? \
             ORDER BY player_id LIMIT 1",
        )
        .bind(date.as_str()),
    )
    .await
    .unwrap();
    let name = &player[0].0;
    cli_signal(
        &env,
        &day_id,
        &format!(
            r#"{{"player":"{name}","status":"Questionable","report_time":"{date}T10:00:00-05:00","mood":"grumpy"}}"#
        ),
    );
    let s = env
        .wait_day_state(&day_id, "the extra-field update's rerun", |s| {
            s.reruns.len() == 1
        })
        .await;
    assert_eq!(s.reruns[0].outcome, "applied", "{:?}", s.reruns[0]);

    // The next valid signal, through the command: applied too.
    commands::signal_injury(
        &env.client,
        queue,
        &date,
        Trigger::Signal,
        &[InjuryUpdate {
            player: name.clone(),
            status: "Out".into(),
            // The simulated date is in the past: news from its morning, before tip-off.
            report_time: format!("{date}T11:00:00-05:00"),
            ..Default::default()
        }],
    )
    .await
    .unwrap();
    let s = env
        .wait_day_state(&day_id, "the valid update's rerun", |s| s.reruns.len() == 2)
        .await;
    assert_eq!(s.reruns[1].outcome, "applied", "{:?}", s.reruns[1]);

    // `nbaprops signal injury` with news the day refuses (no such player): exit 1, and why.
    let out = std::process::Command::new(nbaprops_tests::nbaprops_binary())
        .args([
            "--temporal-address",
            &env.server.address,
            "--task-queue",
            queue,
        ])
        .args([
            "signal",
            "injury",
            "--date",
            &date,
            "--player",
            "Nobody Atall",
        ])
        .args([
            "--status",
            "Out",
            "--report-time",
            &format!("{date}T11:30:00-05:00"),
        ])
        .output()
        .expect("the nbaprops binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("rejected") && stderr.contains("Nobody Atall"),
        "{stderr}"
    );

    // The day closes normally, and its history, malformed signals included, replays.
    let handle = env.client.get_workflow_handle::<DayWorkflow>(&day_id);
    handle
        .signal(
            DayWorkflow::stop_listening,
            nbaprops_workflows::signals::raw(&()),
            WorkflowSignalOptions::default(),
        )
        .await
        .unwrap();
    let result = handle
        .get_result(WorkflowGetResultOptions::default())
        .await
        .unwrap();
    assert_eq!(result.reruns.len(), 3);
    replay_fresh_history(&env.client, &day_id, "day-bad-signals").await;
}
