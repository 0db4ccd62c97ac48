//! The day workflow end to end on a real dev server: predictions match a hand computation,
//! a rerun changes nothing, a second start attaches, bad input fails fast and blocks
//! everything downstream, and the fresh histories replay deterministically.

use std::time::{Duration, Instant};

use nbaprops::commands;
use nbaprops_activities::precompute::ml_feature_store::FeatureRow;
use nbaprops_activities::predict::predictions::{live_predictions, PredictionRow};
use nbaprops_proto::{DayInput, Mode, Trigger};
use nbaprops_tests::{expected_moving_average, small_sim, table_contents, TestEnv};
use nbaprops_workflows::{ids, DayWorkflow};
use temporalio_client::{WorkflowIdConflictPolicy, WorkflowStartOptions, WorkflowTerminateOptions};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_day_predicts_every_player_with_a_line_and_a_rerun_changes_nothing() {
    let env = TestEnv::start(small_sim()).await.unwrap();
    let data = tempfile::tempdir().unwrap();
    let dates = env.day_dates();
    let results = env.run_days(data.path(), "day-e2e", &dates).await.unwrap();
    let last = env.last_date().to_string();
    let warehouse = env.deps(data.path()).await.unwrap().warehouse;

    // Every player with a line has a moving-average and an ensemble prediction; the
    // moving average equals the hand computation from the simulator's own points.
    let predictions = live_predictions(&warehouse, &last).await.unwrap();
    let with_line: Vec<i64> = env
        .truth
        .players
        .iter()
        .filter(|p| env.truth.lines.contains_key(&(last.clone(), p.player_id)))
        .map(|p| p.player_id)
        .collect();
    assert_eq!(with_line.len(), 20, "4 teams x 5 players with props");
    let of_system = |system: &str| -> Vec<&PredictionRow> {
        predictions.iter().filter(|p| p.system == system).collect()
    };
    assert_eq!(of_system("moving_average").len(), with_line.len());
    assert_eq!(of_system("ensemble").len(), with_line.len());
    let features: Vec<FeatureRow> = warehouse.partition(last.as_str()).await.unwrap();
    for p in of_system("moving_average") {
        let (mean, games) = expected_moving_average(&env.truth, p.player_id, &last).unwrap();
        assert!(games >= 5, "the dense sim plays every day");
        // Five games or more: 0.4·L5 + 0.4·L10 + 0.2·season, all the same five-game mean here;
        // then back-to-back (-4%), venue (+/-1%) and half the pace above the league's.
        let f = features
            .iter()
            .find(|f| f.player_id == p.player_id)
            .unwrap();
        let named = f.named().unwrap();
        let mut expected = mean;
        if named["back_to_back"] == Some(1.0) {
            expected *= 0.96;
        }
        expected *= if named["home"] == Some(1.0) {
            1.01
        } else {
            0.99
        };
        if let Some(pace) = named["pace_factor"] {
            expected *= 1.0 + 0.5 * (pace - 1.0);
        }
        assert!(
            (p.predicted_points - expected).abs() <= 0.02,
            "{} ({}): {} against {expected}",
            p.player_name,
            p.player_id,
            p.predicted_points
        );
        assert_eq!(p.line, env.truth.lines[&(last.clone(), p.player_id)]);
        assert_eq!(p.line_source, "draftkings");
        assert!(p.over_price.is_some() && p.under_price.is_some());
        let edge = ((p.predicted_points - p.line) * 100.0).round() / 100.0;
        assert_eq!(p.edge, edge);
        let call = if edge >= 1.5 {
            "OVER"
        } else if edge <= -1.5 {
            "UNDER"
        } else {
            "PASS"
        };
        assert_eq!(p.recommendation, call);
        assert_eq!(p.game_date, last);
        assert_eq!(p.feature_hash, f.feature_hash);
    }
    // The ensemble sits between the line and the members' mean.
    for e in of_system("ensemble") {
        let members: Vec<f64> = predictions
            .iter()
            .filter(|p| p.player_id == e.player_id && p.system != "ensemble")
            .map(|p| p.predicted_points)
            .collect();
        let mean = members.iter().sum::<f64>() / members.len() as f64;
        let (lo, hi) = (e.line.min(mean) - 0.01, e.line.max(mean) + 0.01);
        assert!(
            (lo..=hi).contains(&e.predicted_points),
            "{}: {} not between line {} and members {mean}",
            e.player_name,
            e.predicted_points,
            e.line
        );
    }
    assert!(predictions
        .iter()
        .all(|p| (0.0..=80.0).contains(&p.predicted_points)));
    let final_day = results.last().unwrap();
    assert_eq!(final_day.predictions_written as usize, predictions.len());
    assert_eq!(final_day.correlation_id, ids::day_workflow_id(&last));
    assert_eq!(final_day.phases.len(), 5);
    // Phases 2-5 read the lines as of the end of Phase 1: no prediction uses a later snapshot.
    let as_of = chrono::DateTime::parse_from_rfc3339(&final_day.lines_as_of)
        .unwrap_or_else(|e| panic!("lines_as_of {:?}: {e}", final_day.lines_as_of));
    for p in &predictions {
        let snapshot = chrono::DateTime::parse_from_rfc3339(&p.line_snapshot_time).unwrap();
        assert!(snapshot <= as_of, "{p:?} read a line after {as_of}");
    }

    // Running every date again adds no row and changes no row hash.
    let before = table_contents(&warehouse).await.unwrap();
    let again = env.run_days(data.path(), "day-e2e", &dates).await.unwrap();
    let after = table_contents(&warehouse).await.unwrap();
    assert_eq!(before, after);
    for day in &again {
        assert_eq!(day.predictions_written, 0, "{}", day.game_date);
        for phase in &day.phases {
            for p in &phase.processors {
                assert_eq!(
                    p.rows_written + p.rows_removed,
                    0,
                    "{} {} rewrote rows",
                    day.game_date,
                    p.processor
                );
                assert!(p
                    .entities_changed
                    .as_ref()
                    .is_none_or(|e| e.players.is_empty()));
            }
        }
    }
    assert_eq!(
        again.last().unwrap().predictions_unchanged as usize,
        predictions.len()
    );

    // The fresh histories of the day and its children replay without nondeterminism.
    let day_id = ids::day_workflow_id(&last);
    let mut ids_to_check = vec![day_id.clone()];
    ids_to_check.extend((2..=4).map(|p| ids::phase_workflow_id(&day_id, p)));
    ids_to_check.push(ids::prediction_workflow_id(&day_id));
    for id in ids_to_check {
        // Fixtures are named by workflow without the date: day, day-phase-3, day-predict.
        let name = id.replace(&format!("-{last}"), "");
        nbaprops_tests::replay_fresh_history(&env.client, &id, &name).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_start_of_a_running_day_attaches_to_it() {
    let env = TestEnv::start(small_sim()).await.unwrap();
    // No worker polls this queue: the first run stays open while the second start arrives.
    let start = || async {
        env.client
            .start_workflow(
                DayWorkflow::run,
                commands::manual_day("2025-01-09"),
                WorkflowStartOptions::new("nobody-polls", ids::day_workflow_id("2025-01-09"))
                    .id_conflict_policy(WorkflowIdConflictPolicy::UseExisting)
                    .build(),
            )
            .await
            .unwrap()
    };
    let first = start().await;
    let second = start().await;
    assert!(first.run_id().is_some());
    assert_eq!(first.run_id(), second.run_id());
    first
        .terminate(
            WorkflowTerminateOptions::builder()
                .reason("test done")
                .build(),
        )
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_payload_fails_the_day_fast_keeps_the_payload_and_blocks_downstream() {
    let env = TestEnv::start(small_sim()).await.unwrap();
    let data = tempfile::tempdir().unwrap();
    let day = "2025-01-09";
    let box_date = env.date_minus(day, 1);
    // The stats API answers the box-score request with an HTML error page.
    let config = nbaprops_activities::sources::SourceConfig::replay("http://replay");
    let req = nbaprops_activities::sources::nbac_player_boxscore::request(
        &config,
        box_date.parse().unwrap(),
    );
    let file =
        nbaprops_activities::sources::replay::file_for(env.sim_dir.path(), &req.path, &req.query);
    std::fs::write(&file, "<html><body>Access Denied</body></html>").unwrap();

    let deps = env.deps(data.path()).await.unwrap();
    let warehouse = deps.warehouse.clone();
    let started = Instant::now();
    let outcome = nbaprops::worker::with_worker(env.client.clone(), "bad-input", deps, async {
        commands::run_day(
            &env.client,
            "bad-input",
            DayInput {
                game_date: day.into(),
                mode: Mode::Full as i32,
                trigger: Trigger::Manual as i32,
                ..Default::default()
            },
        )
        .await
    })
    .await
    .unwrap();
    let err = format!("{:#}", outcome.unwrap_err());
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "a permanent error must not be retried"
    );
    for part in ["nbac_player_boxscore", &box_date, "HTML", "quarantine/"] {
        assert!(err.contains(part), "error lacks {part:?}: {err}");
    }
    // The payload is kept, marked, and nothing downstream ran.
    let (status, key): (String, String) = nbaprops_activities::storage::queries::testing::query(
        &warehouse,
        nbaprops_activities::storage::sql::Sql::new(
            "SELECT status, object_key FROM raw_payloads WHERE source = 'nbac_player_boxscore'",
        ),
    )
    .await
    .map(|v| v.into_iter().next().expect("one row"))
    .unwrap();
    assert_eq!(status, "quarantined");
    let raw = env.deps(data.path()).await.unwrap().raw;
    assert!(
        raw.object_store()
            .head(&object_store::path::Path::from(key.as_str()))
            .await
            .is_ok(),
        "{key} is kept in {}",
        raw.location()
    );
    for table in [
        "raw_nbac_player_boxscores",
        "player_game_summary",
        "player_daily_cache",
        "predictions",
    ] {
        let n: i64 = nbaprops_activities::storage::queries::testing::scalar(
            &warehouse,
            nbaprops_activities::storage::sql::Sql::new(format!("SELECT COUNT(*) FROM {table}")),
        )
        .await
        .unwrap();
        assert_eq!(n, 0, "{table} was written after a failed Phase 1");
    }
    // The run history keeps the failed scrape, with its execution and the reason.
    let runs = nbaprops_activities::ops::run_history::of_game_date(&warehouse, day)
        .await
        .unwrap();
    let failed: Vec<_> = runs.iter().filter(|r| r.status == "failed").collect();
    assert_eq!(
        failed.len(),
        1,
        "one failed attempt (not retried): {failed:?}"
    );
    let f = failed[0];
    assert_eq!(
        (f.kind.as_str(), f.processor.as_str(), f.data_date.as_str()),
        ("scrape", "nbac_player_boxscore", box_date.as_str())
    );
    assert_eq!(f.workflow_id, ids::day_workflow_id(day));
    assert!(f.error.as_deref().unwrap_or("").contains("HTML"), "{f:?}");
}
