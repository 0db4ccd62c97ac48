//! Quality gates and incremental mode on a real dev server: a gate that fails stops the day
//! with its numbers and an alert; an incremental rerun after one player's line moved
//! recomputes only the players of his game, supersedes only his prediction, and a rerun with
//! no new data stops after Phase 2 having changed nothing.

use nbaprops::commands;
use nbaprops_activities::names::player_lookup;
use nbaprops_activities::ops::alerts;
use nbaprops_activities::sources::{nbac_player_boxscore, replay, SourceConfig};
use nbaprops_proto::{DayInput, Mode, Trigger};
use nbaprops_tests::{small_sim, TestEnv};
use serde_json::Value;

fn day(date: &str, mode: Mode) -> DayInput {
    DayInput {
        game_date: date.into(),
        mode: mode as i32,
        trigger: Trigger::Manual as i32,
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_quality_gate_stops_the_day_with_its_numbers_and_an_alert() {
    let env = TestEnv::start(small_sim()).await.unwrap();
    let data = tempfile::tempdir().unwrap();
    let game_date = env.day_dates()[1].clone();
    let played_on = env.date_minus(&game_date, 1);

    // The stats API leaves one team out of the game log: valid, not empty, but incomplete.
    let config = SourceConfig::replay("http://replay");
    let req = nbac_player_boxscore::request(&config, played_on.parse().unwrap());
    let file = replay::file_for(env.sim_dir.path(), &req.path, &req.query);
    let mut log: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let set = &mut log["resultSets"][0];
    let team_col = set["headers"]
        .as_array()
        .unwrap()
        .iter()
        .position(|h| h == "TEAM_ABBREVIATION")
        .unwrap();
    let rows = set["rowSet"].as_array_mut().unwrap();
    let dropped = rows[0][team_col].as_str().unwrap().to_string();
    rows.retain(|r| r[team_col] != dropped.as_str());
    std::fs::write(&file, serde_json::to_vec(&log).unwrap()).unwrap();

    let deps = env.deps(data.path()).await.unwrap();
    let warehouse = deps.warehouse.clone();
    let queue = "gate";
    let outcome = nbaprops::worker::with_worker(env.client.clone(), queue, deps.clone(), async {
        commands::run_day(&env.client, queue, day(&game_date, Mode::Full)).await
    })
    .await
    .unwrap();
    let err = format!("{:#}", outcome.unwrap_err());
    for part in [
        "quality gate after phase 2",
        "box_score_team_coverage",
        &played_on,
        &dropped,
    ] {
        assert!(err.contains(part), "failure lacks {part:?}: {err}");
    }
    let alerts = alerts::of_date(&deps.warehouse, &game_date).await.unwrap();
    assert!(
        alerts.iter().any(|a| a.kind == "quality_gate"
            && a.severity == "critical"
            && a.subject == "phase 2"),
        "{alerts:?}"
    );
    // The gate's check is in the run history, failed, with the check that failed.
    let gates = nbaprops_activities::ops::run_history::of_game_date(&warehouse, &game_date)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.kind == "gate")
        .collect::<Vec<_>>();
    assert!(
        gates.iter().any(|g| g.phase == 2
            && g.status == "failed"
            && g.error
                .as_deref()
                .unwrap_or("")
                .contains("quality gate after phase 2")),
        "{gates:?}"
    );
    // Phase 2 wrote what it had; nothing after the gate ran.
    for (table, expected_empty) in [
        ("raw_nbac_player_boxscores", false),
        ("player_game_summary", true),
        ("player_daily_cache", true),
        ("predictions", true),
    ] {
        let n: i64 = nbaprops_activities::storage::queries::testing::scalar(
            &warehouse,
            nbaprops_activities::storage::sql::Sql::new(format!("SELECT COUNT(*) FROM {table}")),
        )
        .await
        .unwrap();
        assert_eq!(n == 0, expected_empty, "{table}: {n} rows");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_incremental_rerun_touches_only_the_players_of_the_changed_game() {
    let env = TestEnv::start(small_sim()).await.unwrap();
    let data = tempfile::tempdir().unwrap();
    let dates = env.day_dates();
    let last = dates.last().unwrap().clone();
    env.run_days(data.path(), "incr", &dates).await.unwrap();
    let deps = env.deps(data.path()).await.unwrap();
    let pool = deps.warehouse.clone();

    // Nothing new: an incremental rerun stops after Phase 2, having changed nothing.
    let queue = "incr";
    let idle = nbaprops::worker::with_worker(env.client.clone(), queue, deps.clone(), async {
        commands::run_day(&env.client, queue, day(&last, Mode::Incremental)).await
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(idle.phases.len(), 2, "{idle:?}");
    assert!(idle.phases[1]
        .processors
        .iter()
        .all(|p| p.rows_written + p.rows_removed == 0));

    // One player's line moves by three points in a new snapshot of his game's market. The
    // snapshot re-captures every line of that game, so its players (both teams) count as
    // changed; the other games' players are not.
    let (moved, event_id) = env.move_one_line(&last, 3.0);
    let moved_id: i64 = nbaprops_activities::storage::queries::testing::scalar(
        &pool,
        nbaprops_activities::storage::sql::Sql::new(
            "SELECT player_id FROM players WHERE player_lookup = ?",
        )
        .bind(player_lookup(&moved)),
    )
    .await
    .unwrap();
    let game_teams: Vec<String> = nbaprops_activities::storage::queries::testing::query(
        &pool,
        nbaprops_activities::storage::sql::Sql::new(
            "SELECT DISTINCT p.team FROM raw_oddsa_player_props r \
         JOIN players p ON p.player_lookup = r.player_lookup WHERE r.event_id = ?",
        )
        .bind(&event_id),
    )
    .await
    .map(|v| v.into_iter().map(|(x,)| x).collect::<Vec<_>>())
    .unwrap();
    assert_eq!(game_teams.len(), 2);
    let lined = |p: &&nbaprops_simulator::SimPlayer| {
        env.truth.lines.contains_key(&(last.clone(), p.player_id))
    };
    let lined_in_game = env
        .truth
        .players
        .iter()
        .filter(lined)
        .filter(|p| game_teams.contains(&p.team))
        .count();
    let lined_total = env.truth.players.iter().filter(lined).count();
    assert!(lined_in_game < lined_total);

    let result = nbaprops::worker::with_worker(env.client.clone(), queue, deps.clone(), async {
        commands::run_day(&env.client, queue, day(&last, Mode::Incremental)).await
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(result.phases.len(), 5);
    // Phase 5 predicted only the players of his game that have a line, with every system.
    for system in result.phases[4].processors.iter() {
        if system.processor == "moving_average" || system.processor == "ensemble" {
            assert_eq!(
                (system.rows_written + system.rows_unchanged) as usize,
                lined_in_game,
                "{}",
                system.processor
            );
        }
    }
    // The game's predictions are superseded (each records the new snapshot of its line); the
    // other game's are untouched.
    let superseded: Vec<(i64, String)> = nbaprops_activities::storage::queries::testing::query(&pool, nbaprops_activities::storage::sql::Sql::new("SELECT player_id, system FROM predictions WHERE game_date = ? AND superseded_at IS NOT NULL",).bind(&last))
    .await
    .unwrap();
    assert_eq!(result.predictions_written as usize, superseded.len());
    let superseded_ma: Vec<i64> = superseded
        .iter()
        .filter(|(_, s)| s == "moving_average")
        .map(|(p, _)| *p)
        .collect();
    assert_eq!(superseded_ma.len(), lined_in_game);
    assert!(superseded_ma.contains(&moved_id));
    for (id, _) in &superseded {
        let p = env
            .truth
            .players
            .iter()
            .find(|p| p.player_id == *id)
            .unwrap();
        assert!(
            game_teams.contains(&p.team),
            "{} is not in the moved game",
            p.name
        );
    }
    let live_line: f64 = nbaprops_activities::storage::queries::testing::scalar(
        &pool,
        nbaprops_activities::storage::sql::Sql::new(
            "SELECT line FROM predictions WHERE game_date = ? AND player_id = ? \
         AND system = 'ensemble' AND superseded_at IS NULL",
        )
        .bind(&last)
        .bind(moved_id),
    )
    .await
    .unwrap();
    assert_eq!(live_line, env.truth.lines[&(last.clone(), moved_id)] + 3.0);

    // Phases 3 and 4 ran narrowed to the affected players, as the run history shows.
    let scopes: Vec<(String, String)> = nbaprops_activities::storage::queries::testing::query(&pool, nbaprops_activities::storage::sql::Sql::new("SELECT processor, scope FROM processor_runs WHERE game_date = ? AND mode = 'incremental' AND kind = 'process' \
         AND phase IN (3, 4)",).bind(&last))
    .await
    .unwrap();
    assert!(!scopes.is_empty());
    assert!(
        scopes.iter().all(|(_, s)| s.starts_with("players:")),
        "{scopes:?}"
    );
}
