//! Alerts on a real dev server: a day still running at its SLA deadline raises `sla_missed`
//! (alerts table and webhook) and goes on to finish; a day done before it raises nothing; a
//! phase past its timeout raises `phase_stuck` and stops the day.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use nbaprops::commands;
use nbaprops_activities::ops::alerts;
use nbaprops_proto::DayInput;
use nbaprops_tests::{small_sim, TestEnv};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A webhook receiver: every POSTed body, parsed as JSON.
async fn webhook() -> (String, Arc<Mutex<Vec<serde_json::Value>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/alerts", listener.local_addr().unwrap());
    let got = Arc::new(Mutex::new(Vec::new()));
    let sink = got.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let sink = sink.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    let n = socket.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&buf).to_string();
                    let Some(split) = text.find("\r\n\r\n") else {
                        continue;
                    };
                    let length = text[..split]
                        .lines()
                        .find_map(|l| {
                            let (k, v) = l.split_once(':')?;
                            k.eq_ignore_ascii_case("content-length")
                                .then(|| v.trim().parse::<usize>().ok())?
                        })
                        .unwrap_or(0);
                    if buf.len() < split + 4 + length {
                        continue;
                    }
                    let body = &buf[split + 4..split + 4 + length];
                    sink.lock()
                        .unwrap()
                        .push(serde_json::from_slice(body).unwrap());
                    let _ = socket
                        .write_all(
                            b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                        )
                        .await;
                    return;
                }
            });
        }
    });
    (url, got)
}

fn rfc3339_in(d: Duration) -> String {
    (chrono::Utc::now() + chrono::Duration::from_std(d).unwrap())
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_day_late_for_its_sla_alerts_and_finishes_and_a_stuck_phase_alerts_and_stops() {
    let env = TestEnv::start(small_sim()).await.unwrap();
    let (url, posted) = webhook().await;
    let data = tempfile::tempdir().unwrap();
    let mut config = env.deps_config(data.path());
    config.alert_webhook = Some(url.clone());
    let deps = nbaprops_activities::Deps::open(&config).await.unwrap();
    let warehouse = deps.warehouse.clone();
    let dates = env.day_dates();
    let (late, earlier) = dates.split_last().unwrap();
    let (in_time, before) = earlier.split_last().unwrap();
    let queue = "ops-alerts";
    let day = |date: &str, sla_deadline: String| DayInput {
        sla_deadline,
        ..commands::manual_day(date)
    };
    nbaprops::worker::with_worker(env.client.clone(), queue, deps, async {
        // Past dates run by hand have no SLA (their 09:45 is long gone).
        for d in before {
            commands::run_day(&env.client, queue, commands::manual_day(d))
                .await
                .unwrap();
        }
        // Done well before its deadline: the timer is dropped, no alert.
        commands::run_day(
            &env.client,
            queue,
            day(in_time, rfc3339_in(Duration::from_secs(600))),
        )
        .await
        .unwrap();
        // ESPN's scoreboard answers after 6 s, the deadline is 2.5 s away: the alert goes out
        // while Phase 1 waits, and the day still finishes.
        env.replay
            .set_faults(vec!["basketball/nba/scoreboard=slow:6000*1"
                .parse()
                .unwrap()]);
        let result = commands::run_day(
            &env.client,
            queue,
            day(late, rfc3339_in(Duration::from_millis(2500))),
        )
        .await
        .unwrap();
        assert!(
            result.predictions_written > 0,
            "the late day still predicts"
        );
    })
    .await
    .unwrap();

    let mut raised = Vec::new();
    for d in &dates {
        raised.extend(alerts::of_date(&warehouse, d).await.unwrap());
    }
    let sla: Vec<&alerts::StoredAlert> = raised.iter().filter(|a| a.kind == "sla_missed").collect();
    assert_eq!(sla.len(), 1, "{raised:?}");
    assert_eq!(sla[0].game_date, *late);
    assert_eq!(sla[0].severity, "critical");
    assert!(
        sla[0]
            .message
            .contains(&format!("predictions for {late} were not complete"))
            && sla[0].message.contains("is still in phase 1"),
        "{}",
        sla[0].message
    );
    let posts: Vec<serde_json::Value> = posted.lock().unwrap().clone();
    let sla_posts: Vec<&serde_json::Value> =
        posts.iter().filter(|p| p["kind"] == "sla_missed").collect();
    assert_eq!(sla_posts.len(), 1, "{posts:?}");
    assert_eq!(sla_posts[0]["game_date"], late.as_str());
    assert_eq!(sla_posts[0]["correlation_id"], format!("day-{late}"));
    assert_eq!(sla_posts[0]["message"], sla[0].message.as_str());

    // A phase that cannot finish within its timeout: phase_stuck, and the day stops. Phase 2 is
    // held stuck for real: once its child has started, the test takes the warehouse's write
    // lock for 8 seconds, so its processors wait (the server fires a 50 ms timeout up to
    // about a second late, and an unhindered Phase 2 can finish in less).
    let stuck_data = tempfile::tempdir().unwrap();
    let mut config = env.deps_config(stuck_data.path());
    config.alert_webhook = Some(url);
    let deps = nbaprops_activities::Deps::open(&config).await.unwrap();
    let stuck_warehouse = deps.warehouse.clone();
    let date = dates[0].clone();
    let hold_phase_2 = async {
        let child = format!("day-{date}-phase-2");
        let handle = env
            .client
            .get_workflow_handle::<temporalio_client::UntypedWorkflow>(&child);
        let started = std::time::Instant::now();
        // Running: the first part of the test left a finished child of the same id.
        while !handle
            .describe(temporalio_client::WorkflowDescribeOptions::default())
            .await
            .is_ok_and(|d| d.status() == temporalio_client::WorkflowExecutionStatus::Running)
        {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "{child} never started"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        // SQLite's write lock is the whole database's: one partition holds every phase. On
        // PostgreSQL a lock holds one partition's writers, so the partitions Phase 2's
        // processors write for the date are held: Phase 2 cannot finish however fast it runs.
        let day_before = env.date_minus(&date, 1);
        let partitions: Vec<(&str, &str)> = match stuck_warehouse.backend() {
            nbaprops_activities::storage::Backend::Sqlite => {
                vec![("player_game_summary", day_before.as_str())]
            }
            nbaprops_activities::storage::Backend::Postgres => vec![
                ("raw_nbac_schedule", date.as_str()),
                ("raw_oddsa_player_props", date.as_str()),
                ("raw_nbac_player_boxscores", day_before.as_str()),
                ("raw_nbac_play_by_play", day_before.as_str()),
            ],
        };
        futures::future::try_join_all(partitions.iter().map(|(table, partition)| {
            nbaprops_activities::storage::queries::testing::hold_write_lock(
                &stuck_warehouse,
                table,
                partition,
                Duration::from_secs(8),
            )
        }))
        .await
        .unwrap();
    };
    let run_stuck_day =
        nbaprops::worker::with_worker(env.client.clone(), "ops-stuck", deps, async {
            commands::run_day(
                &env.client,
                "ops-stuck",
                DayInput {
                    phase_timeout_ms: 50,
                    ..commands::manual_day(&date)
                },
            )
            .await
        });
    let (outcome, ()) = tokio::join!(run_stuck_day, hold_phase_2);
    let outcome = outcome.unwrap();
    let err = format!("{:#}", outcome.unwrap_err());
    assert!(err.contains(&format!("day-{date}")), "{err}");
    let stuck = alerts::of_date(&stuck_warehouse, &date).await.unwrap();
    // The stuck phase, then the day that failed because of it.
    assert_eq!(stuck.len(), 2, "{stuck:?}");
    assert_eq!(
        (stuck[0].kind.as_str(), stuck[0].subject.as_str()),
        ("phase_stuck", "phase 2")
    );
    assert_eq!(
        (stuck[1].kind.as_str(), stuck[1].severity.as_str()),
        ("day_failed", "critical")
    );
    assert!(stuck[1].message.contains("timed out"), "{stuck:?}");
    assert!(stuck[0]
        .message
        .contains("did not finish within its timeout of 50ms"));
    assert!(posted
        .lock()
        .unwrap()
        .iter()
        .any(|p| p["kind"] == "phase_stuck" && p["game_date"] == date.as_str()));

    // The histories (the SLA timer dropped when the day finished first; the timer firing
    // mid-day; a stuck phase) replay. With NBAPROPS_RECORD_HISTORIES=TAG they are kept as
    // tests/histories/day-sla-timer-TAG.json, day-sla-missed-TAG.json and
    // day-phase-stuck-TAG.json.
    for (id, name) in [
        (format!("day-{in_time}"), "day-sla-timer"),
        (format!("day-{late}"), "day-sla-missed"),
        (format!("day-{date}"), "day-phase-stuck"),
    ] {
        nbaprops_tests::replay_fresh_history(&env.client, &id, name).await;
    }
}
