//! Injury news on a real dev server, through a worker process: the day stays open after its
//! main run; `nbaprops signal injury` reruns only the player and his teammates and supersedes
//! only their predictions; a duplicate signal is a no-op; a signal that arrives during a rerun
//! waits for the next one; the day continues as new after `reruns_per_run` reruns without
//! losing anything; InjuryWatchWorkflow finds a changed entry on a later injury report and
//! signals it; `stop_listening` closes the day with every rerun in its result.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use nbaprops::commands;
use nbaprops_activities::sources::nbac_injury_report::{self, InjuryStatus};
use nbaprops_activities::sources::{replay, SourceConfig};
use nbaprops_activities::storage::Warehouse;
use nbaprops_proto::{DayInput, DayState, InjuryUpdate, InjuryWatchInput, Trigger};
use nbaprops_simulator::sources::nbac_injury_report::{render_report, DrawRow};
use nbaprops_tests::{nbaprops_binary, replay_fresh_history, small_sim, spawn_worker, TestEnv};
use nbaprops_workflows::{ids, DayWorkflow, InjuryWatchWorkflow};
use temporalio_client::{
    UntypedWorkflow, WorkflowDescribeOptions, WorkflowGetResultOptions, WorkflowSignalOptions,
    WorkflowStartOptions,
};

/// Live predictions of a date: (player, system) -> (predicted points, created_at).
async fn live(warehouse: &Warehouse, date: &str) -> BTreeMap<(i64, String), (f64, String)> {
    let rows: Vec<(i64, String, f64, String)> =
        nbaprops_activities::storage::queries::testing::query(
            warehouse,
            nbaprops_activities::storage::sql::Sql::new(
                "SELECT player_id, system, predicted_points, created_at FROM predictions \
         WHERE game_date = ? AND superseded_at IS NULL",
            )
            .bind(date),
        )
        .await
        .unwrap();
    rows.into_iter()
        .map(|(p, s, v, c)| ((p, s), (v, c)))
        .collect()
}

/// Players whose live prediction of some system is not the one in `before`.
fn changed_players(
    before: &BTreeMap<(i64, String), (f64, String)>,
    after: &BTreeMap<(i64, String), (f64, String)>,
) -> BTreeSet<i64> {
    after
        .iter()
        .filter(|(k, v)| before.get(*k) != Some(*v))
        .map(|((p, _), _)| *p)
        .chain(
            before
                .keys()
                .filter(|k| !after.contains_key(*k))
                .map(|(p, _)| *p),
        )
        .collect()
}

async fn state(env: &TestEnv, id: &str) -> DayState {
    commands::day_state(&env.client, id).await.unwrap()
}

fn cli(env: &TestEnv, queue: &str, args: &[&str]) -> std::process::Output {
    std::process::Command::new(nbaprops_binary())
        .args([
            "--temporal-address",
            &env.server.address,
            "--task-queue",
            queue,
        ])
        .args(args)
        .output()
        .expect("the nbaprops binary runs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn injury_updates_rerun_only_what_they_touch_and_the_watch_signals_report_changes() {
    let env = TestEnv::start(small_sim()).await.unwrap();
    let data = tempfile::tempdir().unwrap();
    let queue = "injury";
    // The warehouse first (its migrations), then the worker process on it.
    let warehouse = env.deps(data.path()).await.unwrap().warehouse.clone();
    let _worker = spawn_worker(&env, data.path(), queue, "worker.log");
    let date = env.day_dates()[1].clone();
    let day_id = ids::day_workflow_id(&date);

    // The day's main run; it then stays open (until a time well ahead) for injury updates.
    let input = DayInput {
        reruns_per_run: 3,
        ..nbaprops_tests::listening_day(&date)
    };
    let listen_until = input.listen_until.clone();
    let main = commands::run_day(&env.client, queue, input).await.unwrap();
    assert!(main.predictions_written > 0, "{main:?}");
    let s = state(&env, &day_id).await;
    assert_eq!(s.stage, "listening", "{s:?}");
    assert_eq!(s.listen_until, listen_until);
    let first_run = env
        .client
        .get_workflow_handle::<UntypedWorkflow>(&day_id)
        .describe(WorkflowDescribeOptions::default())
        .await
        .unwrap()
        .run_id()
        .to_string();

    // A player with a line and teammates with lines; the players of the other teams.
    let lined: Vec<(i64, String, String)> = nbaprops_activities::storage::queries::testing::query(
        &warehouse,
        nbaprops_activities::storage::sql::Sql::new(
            "SELECT c.player_id, c.player_name, c.team FROM upcoming_player_game_context c \
         WHERE c.game_date = ? ORDER BY c.team, c.player_id",
        )
        .bind(&date),
    )
    .await
    .unwrap();
    let mut by_team: BTreeMap<String, Vec<(i64, String)>> = BTreeMap::new();
    for (id, name, team) in &lined {
        by_team
            .entry(team.clone())
            .or_default()
            .push((*id, name.clone()));
    }
    let (team, roster) = by_team
        .iter()
        .find(|(_, r)| r.len() >= 2)
        .map(|(t, r)| (t.clone(), r.clone()))
        .expect("a team with two lined players");
    let (ruled_out, ruled_out_name) = roster[0].clone();
    let other_teams: BTreeSet<i64> = lined
        .iter()
        .filter(|(_, _, t)| *t != team)
        .map(|(p, _, _)| *p)
        .collect();
    assert!(!other_teams.is_empty());
    let teammates_of = |team: &str| -> BTreeSet<i64> {
        lined
            .iter()
            .filter(|(_, _, t)| t == team)
            .map(|(p, _, _)| *p)
            .collect()
    };

    // News of the afternoon (noon New York time), before every tip-off: point in time, news
    // after a player's tip-off is refused.
    let noon = format!("{date}T17:00:00Z");
    // 1. `nbaprops signal injury`: he is out. Only his team's predictions change.
    let before = live(&warehouse, &date).await;
    let out = cli(
        &env,
        queue,
        &[
            "signal",
            "injury",
            "--date",
            &date,
            "--player",
            &ruled_out_name,
            "--status",
            "out",
            "--reason",
            "left ankle sprain",
            "--report-time",
            &noon,
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("rerun 1") && stdout.contains("applied"),
        "{stdout}"
    );
    let (status,): (Option<String>,) = nbaprops_activities::storage::queries::testing::query(&warehouse, nbaprops_activities::storage::sql::Sql::new("SELECT injury_status FROM upcoming_player_game_context WHERE game_date = ? AND player_id = ?",).bind(&date)
    .bind(ruled_out)).await.map(|v| v.into_iter().next().expect("one row"))
    .unwrap();
    assert_eq!(status.as_deref(), Some("Out"), "{stdout}");
    let after = live(&warehouse, &date).await;
    let changed = changed_players(&before, &after);
    assert!(
        changed.contains(&ruled_out),
        "his prediction is superseded: {changed:?}; {stdout}"
    );
    assert!(
        changed.is_subset(&teammates_of(&team)),
        "only his team's predictions change: {changed:?} vs {:?}",
        teammates_of(&team)
    );
    for p in &other_teams {
        for ((player, system), row) in &before {
            if player == p {
                assert_eq!(
                    after.get(&(*player, system.clone())),
                    Some(row),
                    "{p} untouched"
                );
            }
        }
    }
    let superseded: Vec<(i64,)> = nbaprops_activities::storage::queries::testing::query(&warehouse, nbaprops_activities::storage::sql::Sql::new("SELECT DISTINCT player_id FROM predictions WHERE game_date = ? AND superseded_at IS NOT NULL",).bind(&date))
    .await
    .unwrap();
    assert!(superseded
        .iter()
        .all(|(p,)| teammates_of(&team).contains(p)));
    // Ruled out: PASS in every system, whatever the edge.
    let bets: Vec<(String, String, String)> =
        nbaprops_activities::storage::queries::testing::query(
            &warehouse,
            nbaprops_activities::storage::sql::Sql::new(
                "SELECT system, recommendation, created_at FROM predictions WHERE game_date = ? \
         AND player_id = ? AND superseded_at IS NULL AND recommendation != 'PASS'",
            )
            .bind(&date)
            .bind(ruled_out),
        )
        .await
        .unwrap();
    assert!(bets.is_empty(), "{bets:?}; {stdout}");
    let s = state(&env, &day_id).await;
    let r1 = &s.reruns[0];
    assert_eq!(r1.outcome, "applied", "{r1:?}");
    assert!(
        r1.players as usize >= roster.len(),
        "teammates recomputed: {r1:?}"
    );

    // 2. The same news again: a no-op (nothing written, nothing superseded).
    commands::signal_injury(
        &env.client,
        queue,
        &date,
        Trigger::Signal,
        &[InjuryUpdate {
            player: ruled_out.to_string(),
            status: "Out".into(),
            ..Default::default()
        }],
    )
    .await
    .unwrap();
    let s = env
        .wait_day_state(&day_id, "the duplicate's rerun", |s| s.reruns.len() == 2)
        .await;
    assert!(
        s.reruns[1].outcome.starts_with("no change"),
        "{:?}",
        s.reruns[1]
    );
    // News after his tip-off cannot change a pre-game prediction: refused, with an alert.
    commands::signal_injury(
        &env.client,
        queue,
        &date,
        Trigger::Signal,
        &[InjuryUpdate {
            player: roster[1].0.to_string(),
            status: "Out".into(),
            report_time: format!("{date}T23:59:00-05:00"),
            ..Default::default()
        }],
    )
    .await
    .unwrap();
    let s = env
        .wait_day_state(&day_id, "the late news's rerun", |s| s.reruns.len() == 3)
        .await;
    assert!(
        s.reruns[2].outcome.starts_with("rejected") && s.reruns[2].outcome.contains("tip-off"),
        "{:?}",
        s.reruns[2]
    );
    let alerts = nbaprops_activities::ops::alerts::of_date(&warehouse, &date)
        .await
        .unwrap();
    assert!(
        alerts.iter().any(|a| a.kind == "injury_update_rejected"),
        "{alerts:?}"
    );
    assert_eq!(
        live(&warehouse, &date).await,
        after,
        "a duplicate changes nothing"
    );

    // Recorded while the first run is still open: the main run and three reruns.
    replay_fresh_history(&env.client, &day_id, "day-injury-updates").await;

    // 3. A signal that arrives during a rerun waits for the next one.
    let other_team = by_team.keys().find(|t| **t != team).unwrap().clone();
    let (q, _) = by_team[&other_team][0].clone();
    let (b, _) = roster[1].clone();
    let update = |p: i64, status: &str| InjuryUpdate {
        player: p.to_string(),
        status: status.into(),
        source: "beat reporter".into(),
        report_time: noon.clone(),
        ..Default::default()
    };
    commands::signal_injury(
        &env.client,
        queue,
        &date,
        Trigger::Signal,
        &[update(q, "Doubtful")],
    )
    .await
    .unwrap();
    env.wait_day_state(&day_id, "rerun 4 running", |s| {
        s.stage == "rerun 4" || s.reruns.len() >= 4
    })
    .await;
    commands::signal_injury(
        &env.client,
        queue,
        &date,
        Trigger::Signal,
        &[update(b, "Questionable")],
    )
    .await
    .unwrap();
    let s = env
        .wait_day_state(&day_id, "rerun 5", |s| {
            s.reruns.len() == 5 && s.stage == "listening"
        })
        .await;
    assert_eq!(s.reruns[3].updates, vec![update(q, "Doubtful")], "{s:?}");
    assert_eq!(
        s.reruns[4].updates,
        vec![update(b, "Questionable")],
        "{s:?}"
    );
    assert!(
        s.reruns.iter().all(|r| !r.outcome.starts_with("failed")),
        "{s:?}"
    );

    // 4. After 3 reruns the day continued as new, keeping its main result and its reruns.
    let now_run = env
        .client
        .get_workflow_handle::<UntypedWorkflow>(&day_id)
        .describe(WorkflowDescribeOptions::default())
        .await
        .unwrap()
        .run_id()
        .to_string();
    assert_ne!(now_run, first_run, "continued as new");
    assert_eq!(
        s.main.as_ref().unwrap().predictions_written,
        main.predictions_written
    );

    // 5. The watch: a later report (17:00 ET) lists a lined player of the other team Out.
    let config = SourceConfig::replay("http://replay");
    let day = NaiveDate::parse_from_str(&date, "%Y-%m-%d").unwrap();
    let (w, w_name) = by_team[&other_team].last().unwrap().clone();
    let (first, last) = w_name.split_once(' ').unwrap();
    let rows = vec![DrawRow {
        game_date: day,
        game_time_et: "07:30 (ET)".into(),
        matchup: "AAA@BBB".into(),
        team: nbaprops_activities::teams::by_tricode(&other_team)
            .map(|t| t.full_name.to_string())
            .unwrap_or(other_team.clone()),
        entry: Some((
            format!("{last}, {first}"),
            InjuryStatus::Out,
            "Injury/Illness - Left Knee; Soreness".into(),
        )),
    }];
    let pdf = render_report(day.and_hms_opt(17, 0, 0).unwrap(), &rows);
    let req = nbac_injury_report::request(&config, day, 17);
    let file = replay::file_for(env.sim_dir.path(), &req.path, &req.query);
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, pdf).unwrap();
    let watch = |n: u32| {
        let env = &env;
        let date = date.clone();
        async move {
            env.client
                .start_workflow(
                    InjuryWatchWorkflow::run,
                    InjuryWatchInput {
                        game_date: date.clone(),
                        // 17:30 New York time on the date: the 05PM report is the newest.
                        as_of: format!("{date}T22:30:00Z"),
                    },
                    WorkflowStartOptions::new(queue, format!("injury-watch-test-{n}")).build(),
                )
                .await
                .unwrap()
                .get_result(WorkflowGetResultOptions::default())
                .await
                .unwrap()
        }
    };
    let found = watch(1).await;
    assert_eq!(found.report_time, format!("{date}T17:00"), "{found:?}");
    assert_eq!(found.changes.len(), 1, "{found:?}");
    assert_eq!(found.changes[0].status, "Out");
    assert_eq!(found.changes[0].source, "nbac_injury_report");
    assert_eq!(found.day_run_id, now_run, "signalled the open day");
    let s = env
        .wait_day_state(&day_id, "the watch's rerun", |s| {
            s.reruns.len() == 6 && s.stage == "listening"
        })
        .await;
    assert_eq!(s.reruns[5].outcome, "applied", "{:?}", s.reruns[5]);
    let (status,): (Option<String>,) = nbaprops_activities::storage::queries::testing::query(&warehouse, nbaprops_activities::storage::sql::Sql::new("SELECT injury_status FROM upcoming_player_game_context WHERE game_date = ? AND player_id = ?",).bind(&date)
    .bind(w)).await.map(|v| v.into_iter().next().expect("one row"))
    .unwrap();
    assert_eq!(status.as_deref(), Some("Out"));
    // The next look finds nothing new: the day knows.
    let again = watch(2).await;
    assert!(again.changes.is_empty(), "{again:?}");
    assert!(again.day_run_id.is_empty());

    // 6. stop_listening closes the day; its result lists every rerun.
    env.client
        .get_workflow_handle::<DayWorkflow>(&day_id)
        .signal(
            DayWorkflow::stop_listening,
            nbaprops_workflows::signals::raw(&()),
            WorkflowSignalOptions::default(),
        )
        .await
        .unwrap();
    let result = env
        .client
        .get_workflow_handle::<DayWorkflow>(&day_id)
        .get_result(WorkflowGetResultOptions::default())
        .await
        .unwrap();
    assert_eq!(result.reruns.len(), 6, "{result:?}");
    assert_eq!(result.predictions_written, main.predictions_written);
    replay_fresh_history(&env.client, &day_id, "day-injury-listening").await;
    replay_fresh_history(&env.client, "injury-watch-test-1", "injury-watch").await;

    // Nothing lost, nothing doubled: one live prediction per player and system.
    let (dupes,): (i64,) = nbaprops_activities::storage::queries::testing::query(
        &warehouse,
        nbaprops_activities::storage::sql::Sql::new(
            "SELECT COUNT(*) FROM (SELECT player_id, system FROM predictions WHERE game_date = ? \
         AND superseded_at IS NULL GROUP BY player_id, system HAVING COUNT(*) > 1)",
        )
        .bind(&date),
    )
    .await
    .map(|v| v.into_iter().next().expect("one row"))
    .unwrap();
    assert_eq!(dupes, 0);
}
