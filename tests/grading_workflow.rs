//! Grading on a real dev server: after the simulated days, date D's box scores are in (the day
//! after summarised them), so `GradingWorkflow` grades D's predictions against the simulator's
//! own draws; a second grading writes nothing; the last date, whose box scores are not in yet,
//! keeps its grading activity waiting on its retry policy with an error naming the games; the
//! fresh history replays.

use std::time::{Duration, SystemTime};

use nbaprops::commands;
use nbaprops_activities::grade::prediction_grades::PredictionGradeRow;
use nbaprops_activities::predict::predictions::live_predictions;
use nbaprops_proto::{GradeInput, Trigger};
use nbaprops_tests::{small_sim, TestEnv};
use nbaprops_workflows::{ids, GradingWorkflow};
use temporalio_client::{
    WorkflowDescribeOptions, WorkflowIdConflictPolicy, WorkflowStartOptions,
    WorkflowTerminateOptions,
};

fn win_profit(price: i64) -> f64 {
    if price > 0 {
        price as f64 / 100.0
    } else {
        100.0 / -price as f64
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grading_a_date_after_its_box_scores_are_in() {
    let env = TestEnv::start(small_sim()).await.unwrap();
    let data = tempfile::tempdir().unwrap();
    let dates = env.day_dates();
    let last = env.last_date().to_string();
    // The day after D (the last day) summarised D's games.
    let graded = env.date_minus(&last, 1);
    let queue = "grading-e2e";
    let deps = env.deps(data.path()).await.unwrap();
    let warehouse = deps.warehouse.clone();

    let (first, again, waiting) =
        nbaprops::worker::with_worker(env.client.clone(), queue, deps, async {
            for d in &dates {
                commands::run_day(&env.client, queue, commands::manual_day(d)).await?;
            }
            let first = commands::run_grade(&env.client, queue, &graded, true)
                .await?
                .unwrap();
            let again = commands::run_grade(&env.client, queue, &graded, true)
                .await?
                .unwrap();

            // The last date's box scores come with the next day, which has not run: its
            // grading waits on the activity's retry policy, the failure naming the games.
            let handle = env
                .client
                .start_workflow(
                    GradingWorkflow::run,
                    GradeInput {
                        game_date: last.clone(),
                        trigger: Trigger::Manual as i32,
                    },
                    WorkflowStartOptions::new(queue, ids::grade_workflow_id(&last))
                        .id_conflict_policy(WorkflowIdConflictPolicy::UseExisting)
                        .build(),
                )
                .await?;
            let mut waiting = None;
            for _ in 0..100 {
                let d = handle.describe(WorkflowDescribeOptions::default()).await?;
                let pending = d.raw().pending_activities.first().cloned();
                if let Some(p) = pending.filter(|p| p.last_failure.is_some()) {
                    waiting = Some(p);
                    break;
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            handle
                .terminate(
                    WorkflowTerminateOptions::builder()
                        .reason("test done")
                        .build(),
                )
                .await?;
            anyhow::Ok((first, again, waiting))
        })
        .await
        .unwrap()
        .unwrap();

    // One grade per live prediction of D, each by hand from the simulator's draws.
    let predictions = live_predictions(&warehouse, &graded).await.unwrap();
    let systems: std::collections::BTreeSet<&str> =
        predictions.iter().map(|p| p.system.as_str()).collect();
    let of_ma = predictions
        .iter()
        .filter(|p| p.system == "moving_average")
        .count();
    assert_eq!(of_ma, 20, "4 teams x 5 players with props");
    let grades: Vec<PredictionGradeRow> = warehouse.partition(graded.as_str()).await.unwrap();
    assert_eq!(grades.len(), predictions.len());
    let (mut abs_errors, mut wins, mut losses, mut pushes, mut profit, mut voids) =
        (Vec::new(), 0u32, 0u32, 0u32, 0.0f64, 0u32);
    for p in &predictions {
        let g = grades
            .iter()
            .find(|g| g.player_id == p.player_id && g.system == p.system)
            .unwrap_or_else(|| panic!("no grade for {} ({})", p.player_name, p.player_id));
        assert_eq!(
            (g.predicted_points, g.line, g.edge, &g.recommendation),
            (p.predicted_points, p.line, p.edge, &p.recommendation)
        );
        let Some(&actual) = env.truth.points.get(&(graded.clone(), p.player_id)) else {
            assert_eq!(g.result, "VOID", "{} did not play", p.player_name);
            voids += 1;
            continue;
        };
        assert_eq!(g.actual_points, Some(actual), "{}", p.player_name);
        let error = p.predicted_points - actual as f64;
        assert!((g.error.unwrap() - error).abs() < 1e-6, "{g:?}");
        assert_eq!(g.within_3, Some(error.abs() <= 3.0));
        assert_eq!(g.within_5, Some(error.abs() <= 5.0));
        // The summary is checked by hand for one system, moving_average.
        let counted = p.system == "moving_average";
        if counted {
            abs_errors.push(error.abs());
        }
        let a = actual as f64;
        let (result, won) = match p.recommendation.as_str() {
            "PASS" => ("NO_BET", None),
            _ if a == p.line => ("PUSH", None),
            "OVER" => {
                if a > p.line {
                    ("WIN", Some(true))
                } else {
                    ("LOSS", Some(false))
                }
            }
            _ => {
                if a < p.line {
                    ("WIN", Some(true))
                } else {
                    ("LOSS", Some(false))
                }
            }
        };
        assert_eq!(g.result, result, "{} {g:?}", p.player_name);
        let (w, l, pu, pr) = match won {
            Some(true) => {
                let price = if p.recommendation == "OVER" {
                    p.over_price
                } else {
                    p.under_price
                };
                let expected = win_profit(price.unwrap_or(-110));
                assert!((g.profit.unwrap() - expected).abs() < 1e-3, "{g:?}");
                (1, 0, 0, expected)
            }
            Some(false) => {
                assert_eq!(g.profit, Some(-1.0));
                (0, 1, 0, -1.0)
            }
            None => {
                assert_eq!(g.profit, None);
                (0, 0, (result == "PUSH") as u32, 0.0)
            }
        };
        if counted {
            wins += w;
            losses += l;
            pushes += pu;
            profit += pr;
        }
    }

    // The workflow's summary says the same.
    assert_eq!(first.game_date, graded);
    assert_eq!(first.correlation_id, ids::grade_workflow_id(&graded));
    let n = predictions.len() as u32;
    assert_eq!(first.predictions, n);
    assert_eq!(first.voids, voids);
    assert_eq!(first.graded, n - voids);
    let grading = first.grading.as_ref().unwrap();
    assert_eq!(grading.processor, "prediction_grades");
    assert_eq!((grading.rows_written, grading.rows_unchanged), (n, 0));
    assert_eq!(first.systems.len(), systems.len());
    let s = first
        .systems
        .iter()
        .find(|s| s.system == "moving_average")
        .unwrap();
    let mae = abs_errors.iter().sum::<f64>() / abs_errors.len() as f64;
    assert!((s.mae.unwrap() - mae).abs() < 1e-3, "{s:?} vs {mae}");
    assert_eq!((s.wins, s.losses, s.pushes), (wins, losses, pushes));
    assert_eq!(s.bets, wins + losses + pushes);
    assert!(wins + losses > 0, "the simulated date has decided bets");
    let hit = wins as f64 / (wins + losses) as f64;
    assert!((s.hit_rate.unwrap() - hit).abs() < 1e-3, "{s:?}");
    assert!(s.hit_rate_lo.unwrap() <= hit && hit <= s.hit_rate_hi.unwrap());
    assert!((s.profit - profit).abs() < 1e-2, "{s:?} vs {profit}");
    let text = commands::summarize_grade(&first);
    println!("{text}");
    assert!(text.contains("moving_average"), "{text}");

    // Grading again (a new run of the closed workflow) writes nothing.
    let regrade = again.grading.as_ref().unwrap();
    assert_eq!(
        (
            regrade.rows_written,
            regrade.rows_unchanged,
            regrade.rows_removed
        ),
        (0, n, 0)
    );
    assert_eq!(regrade.output_hash, grading.output_hash);
    assert_eq!(again.systems, first.systems);

    // The last date waits for its box scores: the failure names the date and its games, and
    // the next attempt is the retry policy's 20 minutes away.
    let waiting = waiting.expect("the last date's grading activity failed once and waits");
    assert_eq!(waiting.activity_id, "grade.prediction_grades");
    let message = waiting.last_failure.as_ref().unwrap().message.clone();
    for part in [
        format!("box scores for {last} not final"),
        "2 of 2 games missing".to_string(),
    ] {
        assert!(message.contains(&part), "{message} lacks {part}");
    }
    let next = waiting
        .next_attempt_schedule_time
        .as_ref()
        .expect("a next attempt is scheduled");
    let in_secs = next.seconds
        - SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
    assert!(
        (19 * 60..=20 * 60).contains(&in_secs),
        "next attempt in {in_secs} s"
    );
    let n: i64 = nbaprops_activities::storage::queries::testing::scalar(
        &warehouse,
        nbaprops_activities::storage::sql::Sql::new(
            "SELECT COUNT(*) FROM prediction_grades WHERE game_date = ?",
        )
        .bind(&last),
    )
    .await
    .unwrap();
    assert_eq!(n, 0, "nothing is graded before the box scores are in");

    // The fresh history replays; NBAPROPS_RECORD_HISTORIES=TAG keeps it as a fixture.
    let id = ids::grade_workflow_id(&graded);
    nbaprops_tests::replay_fresh_history(&env.client, &id, "grade").await;
}
