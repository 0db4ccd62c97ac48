//! Phases 2-4 over five weeks of the real 2024-25 season (../shared/data/history), in-process:
//! the historical import feeds the raw tables, the analytics and precompute run date by date
//! with their quality gates, and the results are checked against the CSV files by hand
//! computation. Then the point-in-time check: changing every game on and after a date leaves
//! that date's precomputed features exactly as they were.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{Duration, NaiveDate};
use nbaprops_activities::inprocess::run_phases;
use nbaprops_activities::sources::{historical_import, SourceConfig};
use nbaprops_activities::storage::queries::testing;
use nbaprops_activities::storage::sql::Sql;
use nbaprops_activities::{Deps, DepsConfig};
use nbaprops_proto::{Mode, Phase, RunContext, Trigger};
use nbaprops_tests::{test_storage, SharedStorage};

fn history(file: &str) -> PathBuf {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data/history")
        .join(file);
    assert!(
        p.is_file(),
        "{} missing: tests read ../shared/data",
        p.display()
    );
    p
}

fn ctx(date: &str) -> RunContext {
    RunContext {
        lines_as_of: String::new(),
        correlation_id: format!("backfill-{date}"),
        game_date: date.to_string(),
        mode: Mode::Backfill as i32,
        trigger: Trigger::Backfill as i32,
    }
}

fn dates(from: &str, to: &str) -> Vec<String> {
    let from = NaiveDate::parse_from_str(from, "%Y-%m-%d").unwrap();
    let to = NaiveDate::parse_from_str(to, "%Y-%m-%d").unwrap();
    (0..=(to - from).num_days())
        .map(|d| (from + Duration::days(d)).to_string())
        .collect()
}

/// A CSV file as header -> value maps.
fn read_csv(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            headers
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// The test's dependencies over `dir`: SQLite and a folder, or under
/// `NBAPROPS_TEST_STORAGE=postgres` a PostgreSQL database and an S3 prefix (the servers live as
/// long as the returned storage).
async fn open(dir: &Path) -> (Deps, Option<SharedStorage>) {
    let mut config = DepsConfig::under(dir, SourceConfig::replay("http://127.0.0.1:9"));
    let storage = match test_storage() {
        "postgres" => Some(SharedStorage::start().await.unwrap()),
        _ => None,
    };
    if let Some(s) = &storage {
        let shared = s.for_folder(dir);
        config.database_url = shared.database_url.unwrap();
        config.schema = nbaprops_activities::storage::SchemaPolicy::Require;
        config.raw_store_url = shared.raw_store_url.unwrap();
        config.raw_store_options = shared.raw_store_env;
    }
    (Deps::open(&config).await.unwrap(), storage)
}

const FROM: &str = "2024-12-02";
const TO: &str = "2025-01-06";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phases_2_to_4_over_five_weeks_of_2024_25_match_the_csv() {
    let dir = tempfile::tempdir().unwrap();
    let (deps, _storage) = open(dir.path()).await;
    let team_file = history("team_games_2024_25.csv");
    let log_file = history("player_game_logs_2024_25.csv");
    for f in [&team_file, &log_file] {
        historical_import::import_file(&deps, f).await.unwrap();
    }
    for d in dates(FROM, TO) {
        run_phases(&deps, &ctx(&d), Phase::Raw, Phase::Precompute)
            .await
            .unwrap_or_else(|e| panic!("{d}: {e}"));
    }
    let pool = &deps.warehouse;
    let last = TO;

    // A player's last-10 average on the last date is the mean of his previous ten games in the
    // CSV (games on the date itself excluded).
    let logs = read_csv(&log_file);
    let mut by_player: BTreeMap<i64, Vec<(String, f64)>> = BTreeMap::new();
    for r in &logs {
        let date = &r["date"][..10];
        if date >= "2024-10-01" && date < last {
            by_player
                .entry(r["player_id"].parse().unwrap())
                .or_default()
                .push((date.to_string(), r["pts"].parse().unwrap()));
        }
    }
    let mut checked = 0;
    for (player, mut games) in by_player {
        // Only players whose ten previous games all fall inside the processed weeks.
        games.sort_by(|a, b| a.0.cmp(&b.0));
        let recent: Vec<&(String, f64)> = games.iter().rev().take(10).collect();
        if recent.len() < 10 || recent.last().unwrap().0.as_str() < "2024-12-01" {
            continue;
        }
        let expected = recent.iter().map(|g| g.1).sum::<f64>() / 10.0;
        let got: f64 = testing::scalar(pool, Sql::new("SELECT points_avg_l10 FROM player_daily_cache WHERE cache_date = ? AND player_id = ?").bind(last).bind(player))
        .await
        .unwrap_or_else(|e| panic!("player {player}: {e}"));
        assert!(
            (got - expected).abs() < 1e-3,
            "player {player}: {got} vs {expected}"
        );
        checked += 1;
    }
    assert!(checked > 100, "only {checked} players checked");

    // Days of rest of every team playing on the last date, from the team-games file.
    let teams = read_csv(&team_file);
    let mut team_dates: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in &teams {
        team_dates
            .entry(r["TEAM_ABBREVIATION"].clone())
            .or_default()
            .push(r["GAME_DATE"][..10].to_string());
    }
    let rests: Vec<(String, Option<i64>)> = testing::query(
        pool,
        Sql::new("SELECT team, days_rest FROM upcoming_team_game_context WHERE game_date = ?")
            .bind(last),
    )
    .await
    .unwrap();
    assert!(rests.len() >= 10, "{rests:?}");
    for (team, rest) in &rests {
        let previous = team_dates[team]
            .iter()
            .filter(|d| d.as_str() < last)
            .max()
            .unwrap();
        let expected = (NaiveDate::parse_from_str(last, "%Y-%m-%d").unwrap()
            - NaiveDate::parse_from_str(previous, "%Y-%m-%d").unwrap())
        .num_days()
            - 1;
        assert_eq!(*rest, Some(expected), "{team}: last game {previous}");
    }

    // Possessions of every team-game of one date, by hand from the CSV (offensive rebounds are
    // not in the file: estimated as 26% of missed field goals).
    let day = "2025-01-03";
    let rows: Vec<(String, f64, i64)> = testing::query(
        pool,
        Sql::new(
            "SELECT team, possessions, points FROM team_offense_game_summary WHERE game_date = ?",
        )
        .bind(day),
    )
    .await
    .unwrap();
    let csv_day: Vec<&BTreeMap<String, String>> = teams
        .iter()
        .filter(|r| r["GAME_DATE"].starts_with(day))
        .collect();
    assert_eq!(rows.len(), csv_day.len());
    for r in csv_day {
        let n = |k: &str| r[k].parse::<f64>().unwrap();
        let expected = n("FGA") + 0.44 * n("FTA") - 0.26 * (n("FGA") - n("FGM")) + n("TOV");
        let (_, poss, points) = rows
            .iter()
            .find(|(t, _, _)| *t == r["TEAM_ABBREVIATION"])
            .unwrap();
        assert!((poss - expected).abs() < 1e-3, "{r:?}");
        assert_eq!(*points as f64, n("PTS"));
    }

    // The game summary has every logged player of a date, with his points.
    let csv_rows: Vec<&BTreeMap<String, String>> =
        logs.iter().filter(|r| r["date"].starts_with(day)).collect();
    let summary: Vec<(i64, i64)> = testing::query(
        pool,
        Sql::new("SELECT player_id, points FROM player_game_summary WHERE game_date = ?").bind(day),
    )
    .await
    .unwrap();
    assert_eq!(summary.len(), csv_rows.len());
    for r in csv_rows {
        let id: i64 = r["player_id"].parse().unwrap();
        let pts: i64 = r["pts"].parse().unwrap();
        assert!(summary.contains(&(id, pts)), "{id}");
    }

    // A rerun of a date changes nothing and says so.
    let again = run_phases(&deps, &ctx(last), Phase::Raw, Phase::Precompute)
        .await
        .unwrap();
    for phase in &again {
        for r in &phase.1.results {
            assert_eq!(
                r.rows_written + r.rows_removed,
                0,
                "{} rewrote rows",
                r.processor
            );
        }
    }
}

/// Every feature row a date's precompute wrote, as (table, key, row hash).
async fn features_of(deps: &Deps, date: &str) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for (table, date_col, key) in [
        ("player_daily_cache", "cache_date", "player_id"),
        ("upcoming_team_game_context", "game_date", "team"),
        ("upcoming_player_game_context", "game_date", "player_id"),
    ] {
        let rows: Vec<(String, String)> = testing::query(
            &deps.warehouse,
            Sql::new(format!(
                "SELECT CAST({key} AS TEXT), row_hash FROM {table} WHERE {date_col} = ? ORDER BY 1"
            ))
            .bind(date),
        )
        .await
        .unwrap();
        out.extend(rows.into_iter().map(|(k, h)| (table.to_string(), k, h)));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn features_for_a_date_ignore_everything_on_and_after_it() {
    let dir = tempfile::tempdir().unwrap();
    let (deps, _storage) = open(dir.path()).await;
    historical_import::import_file(&deps, &history("team_games_2024_25.csv"))
        .await
        .unwrap();
    let log_file = history("player_game_logs_2024_25.csv");
    historical_import::import_file(&deps, &log_file)
        .await
        .unwrap();
    let target = "2024-12-20";
    for d in dates("2024-12-01", "2024-12-24") {
        run_phases(&deps, &ctx(&d), Phase::Raw, Phase::Precompute)
            .await
            .unwrap();
    }
    let before = features_of(&deps, target).await;
    assert!(before.len() > 100, "{}", before.len());

    // The same file, with every game on and after the target date scoring 50 more points.
    let edited_dir = tempfile::tempdir().unwrap();
    let edited = edited_dir.path().join("player_game_logs_2024_25.csv");
    let mut reader = csv::Reader::from_path(&log_file).unwrap();
    let headers = reader.headers().unwrap().clone();
    let date_col = headers.iter().position(|h| h == "date").unwrap();
    let pts_col = headers.iter().position(|h| h == "pts").unwrap();
    let mut writer = csv::Writer::from_path(&edited).unwrap();
    writer.write_record(&headers).unwrap();
    for rec in reader.records() {
        let rec = rec.unwrap();
        let mut fields: Vec<String> = rec.iter().map(str::to_string).collect();
        if &fields[date_col][..10] >= target {
            fields[pts_col] = (fields[pts_col].parse::<i64>().unwrap() + 50).to_string();
        }
        writer.write_record(&fields).unwrap();
    }
    writer.flush().unwrap();
    historical_import::import_file(&deps, &edited)
        .await
        .unwrap();
    for d in dates("2024-12-01", "2024-12-24") {
        run_phases(&deps, &ctx(&d), Phase::Raw, Phase::Precompute)
            .await
            .unwrap();
    }
    // The games after the target did change...
    let changed: i64 = testing::scalar(
        &deps.warehouse,
        Sql::new("SELECT COUNT(*) FROM player_game_summary WHERE game_date >= ? AND points >= 50")
            .bind(target),
    )
    .await
    .unwrap();
    assert!(changed > 100, "{changed}");
    // ...and the target date's features did not.
    let after = features_of(&deps, target).await;
    let differing: Vec<_> = before
        .iter()
        .filter(|b| !after.contains(b))
        .take(5)
        .collect();
    assert!(
        differing.is_empty() && after.len() == before.len(),
        "{} of {} feature rows changed, e.g. {differing:?}",
        before.iter().filter(|b| !after.contains(b)).count(),
        before.len()
    );
}
