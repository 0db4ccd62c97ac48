//! Season openers through BackfillWorkflow, on a real dev server and the season-shaped
//! simulation (the 30 teams, every source):
//!
//! - a backfill over the first two weeks of the first simulated season, which are the first
//!   dates of the data, completes every date: a player with no game this season or the last
//!   (everyone on opening night) gets the line itself, PASS, and the gates count him apart;
//! - a backfill over the first two weeks of the next season completes every date too, with an
//!   ensemble row for every player with a line on its opening night, most of them predicted
//!   from last season's games;
//! - a date whose data really is bad (a game's play-by-play feed answered with an empty body)
//!   still fails, and only that date.

use chrono::NaiveDate;
use nbaprops::backfill::{self, BackfillArgs};
use nbaprops_activities::predict::ensemble::LINE_ONLY_MODEL;
use nbaprops_activities::sources::SourceConfig;
use nbaprops_activities::storage::sql::Sql;
use nbaprops_activities::storage::{queries, Warehouse};
use nbaprops_proto::BackfillProgress;
use nbaprops_simulator::replay_server::{Fault, FaultRule, ReplayServer};
use nbaprops_simulator::{ScheduleShape, SimOptions};
use nbaprops_tests::TestEnv;
use nbaprops_workflows::ids;

/// The first dates of the data: the first season's opening night.
const FIRST_DATE: &str = "2021-10-19";

fn day(date: &str) -> NaiveDate {
    NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap()
}

/// Runs the backfill of `[from, to]` with a worker in this process and returns its result.
async fn backfill_range(
    env: &TestEnv,
    deps: nbaprops_activities::Deps,
    queue: &str,
    from: &str,
    to: &str,
) -> BackfillProgress {
    let args = BackfillArgs::range(from, to, 4);
    let client = env.client.clone();
    nbaprops::worker::with_worker(env.client.clone(), queue, deps, async {
        backfill::start(&client, queue, backfill::input_of(&args, vec![]).unwrap())
            .await
            .unwrap();
        backfill::wait(&client, &ids::backfill_workflow_id(from, to))
            .await
            .unwrap()
    })
    .await
    .unwrap()
}

/// (players with a game context, live ensemble rows, of them the line itself with PASS).
async fn opening_night(warehouse: &Warehouse, date: &str) -> (usize, usize, usize) {
    let contexts = queries::ops::context_players(warehouse, date)
        .await
        .unwrap();
    let rows: Vec<(i64, String, String, f64, f64)> = queries::testing::query(
        warehouse,
        Sql::new(
            "SELECT player_id, model_version, recommendation, predicted_points, line \
             FROM predictions WHERE game_date = ? AND system = 'ensemble' \
             AND superseded_at IS NULL",
        )
        .bind(date),
    )
    .await
    .unwrap();
    let line_only: Vec<_> = rows
        .iter()
        .filter(|(_, model, ..)| model == LINE_ONLY_MODEL)
        .collect();
    for (player, _, call, predicted, line) in &line_only {
        assert_eq!(
            (call.as_str(), predicted),
            ("PASS", line),
            "player {player}"
        );
    }
    (contexts.len(), rows.len(), line_only.len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn season_openers_complete_and_bad_data_still_fails() {
    let sim = SimOptions {
        from: day(FIRST_DATE),
        to: day("2022-11-01"),
        seed: 7,
        ..SimOptions::default()
    };
    let env = TestEnv::start_shaped(sim, ScheduleShape::Season)
        .await
        .unwrap();
    let data = tempfile::tempdir().unwrap();
    let warehouse = env.deps(data.path()).await.unwrap().warehouse;
    assert_eq!(
        backfill::first_dates_note(&warehouse, FIRST_DATE)
            .await
            .unwrap()
            .as_deref()
            .map(|n| n.starts_with("no history before 2021-10-19")),
        Some(true)
    );

    // The first season's first two weeks, from the first date of the data.
    let first_to = (day(FIRST_DATE) + chrono::Duration::days(13)).to_string();
    let first = backfill_range(
        &env,
        env.deps(data.path()).await.unwrap(),
        "openers",
        FIRST_DATE,
        &first_to,
    )
    .await;
    assert!(first.failed.is_empty(), "{:?}", first.failed);
    assert_eq!(first.steps_done, first.steps_total);
    let (players, rows, line_only) = opening_night(&warehouse, FIRST_DATE).await;
    assert!(players > 0);
    assert_eq!(
        (rows, line_only),
        (players, players),
        "opening night of the data: everyone gets the line, PASS"
    );
    // History exists from here on: a backfill from the next date says nothing.
    let next = (day(FIRST_DATE) + chrono::Duration::days(1)).to_string();
    assert_eq!(
        backfill::first_dates_note(&warehouse, &next).await.unwrap(),
        None
    );

    // The next season's first two weeks, with one game's play-by-play answered with an empty
    // body on its fifth date.
    let opener = env
        .truth
        .game_dates
        .iter()
        .find(|d| d.as_str() >= "2022-08-01")
        .expect("the simulation reaches the second season")
        .clone();
    let second_to = (day(&opener) + chrono::Duration::days(13)).to_string();
    let broken_day = (day(&opener) + chrono::Duration::days(4)).to_string();
    let broken_game = env
        .truth
        .games
        .iter()
        .find(|g| g.date == broken_day)
        .expect("a game on the fifth date")
        .game_id
        .clone();
    let faulty = ReplayServer::start_with_faults(
        env.sim_dir.path().to_path_buf(),
        "127.0.0.1:0".parse().unwrap(),
        vec![FaultRule {
            path_contains: format!("playbyplay_{broken_game}"),
            fault: Fault::EmptyBody,
            times: None,
        }],
    )
    .await
    .unwrap();
    let mut config = env.deps_config(data.path());
    config.sources = SourceConfig::replay(&faulty.base_url());
    let deps = nbaprops_activities::Deps::open(&config).await.unwrap();
    let second = backfill_range(&env, deps, "openers", &opener, &second_to).await;

    // Only the date that reads the broken feed fails, with its cause named; the broken date's
    // grading waits on the box scores that date would have brought.
    let reads_it = (day(&broken_day) + chrono::Duration::days(1)).to_string();
    let failure = second
        .failed
        .iter()
        .find(|f| f.date == reads_it)
        .unwrap_or_else(|| panic!("{reads_it} did not fail: {:?}", second.failed));
    assert!(
        failure.error.contains("nbac_play_by_play") && failure.error.contains("empty body"),
        "{}",
        failure.error
    );
    for f in &second.failed {
        assert!(
            f.date == reads_it || (f.date == broken_day && f.phase == 6),
            "{f:?}"
        );
    }
    let (players, rows, line_only) = opening_night(&warehouse, &opener).await;
    assert!(players > 0);
    assert_eq!(
        rows, players,
        "every player with a line on opening night has a row"
    );
    assert!(
        line_only < players / 2,
        "most players have last season's games: {line_only} of {players} from the line only"
    );
}
