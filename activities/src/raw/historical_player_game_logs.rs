//! `raw_historical_player_game_logs`: player game logs imported from the historical CSVs
//! (`nbaprops import`), one row per player and date.

use std::collections::BTreeMap;

use nbaprops_proto::{ProcessorRequest, ProcessorResult};

use crate::error::Result;
use crate::names::player_lookup;
use crate::sources::historical_import::{HistoryKind, HistoryRow, PlayerGameLogRow};
use crate::storage::warehouse::WriteMeta;
use crate::Deps;

pub const NAME: &str = "raw_historical_player_game_logs";
pub const SOURCE: &str = "historical_player_game_logs";

crate::warehouse_table! {
    pub struct HistPlayerLogRow in "raw_historical_player_game_logs" {
        partition: game_date,
        key: [player_id],
        entities: [(player_id, Player)],
        mode: Replace,
    } {
        game_date: String,
        player_id: i64,
        player_name: String,
        player_lookup: String,
        matchup: String,
        opponent: String,
        home: i64,
        minutes: f64,
        fgm: i64,
        fga: i64,
        fg3m: i64,
        fg3a: i64,
        ftm: i64,
        fta: i64,
        reb: i64,
        ast: i64,
        tov: i64,
        points: i64,
    }
}

/// Rows of the date; a player listed twice on a date (in two files) is one row, with a warning.
pub fn transform(logs: Vec<PlayerGameLogRow>, date: &str) -> (Vec<HistPlayerLogRow>, Vec<String>) {
    let mut warnings = Vec::new();
    let mut by_id: BTreeMap<i64, HistPlayerLogRow> = BTreeMap::new();
    for l in logs {
        if l.date != date {
            warnings.push(format!("{} is dated {}: skipped", l.player, l.date));
            continue;
        }
        let row = HistPlayerLogRow {
            game_date: date.to_string(),
            player_id: l.player_id,
            player_lookup: player_lookup(&l.player),
            player_name: l.player,
            matchup: l.matchup,
            opponent: l.opponent,
            home: l.home as i64,
            minutes: l.minutes,
            fgm: l.fgm,
            fga: l.fga,
            fg3m: l.fg3m,
            fg3a: l.fg3a,
            ftm: l.ftm,
            fta: l.fta,
            reb: l.reb,
            ast: l.ast,
            tov: l.tov,
            points: l.points,
        };
        if let Some(old) = by_id.insert(l.player_id, row) {
            warnings.push(format!(
                "{} ({}) listed twice on {date}: the later row kept",
                old.player_name, old.player_id
            ));
        }
    }
    (by_id.into_values().collect(), warnings)
}

pub async fn run(
    deps: &Deps,
    req: &ProcessorRequest,
    date: &str,
    meta: &WriteMeta,
) -> Result<ProcessorResult> {
    let (payloads, rows) =
        super::historical_rows(deps, req, HistoryKind::PlayerGameLogs, date).await?;
    let read = rows.len();
    let logs = rows
        .into_iter()
        .filter_map(|r| match r {
            HistoryRow::PlayerGameLog(l) => Some(l),
            _ => None,
        })
        .collect();
    let (rows, warnings) = transform(logs, date);
    let stats = deps
        .warehouse
        .write_partition(date, None, &rows, meta)
        .await?;
    let teams: Vec<String> = rows
        .iter()
        .map(|r| crate::matchups::team_of_matchup(&r.matchup))
        .collect();
    let names: Vec<(i64, &str, &str, &str)> = rows
        .iter()
        .zip(&teams)
        .map(|(r, team)| {
            (
                r.player_id,
                r.player_name.as_str(),
                team.as_str(),
                r.game_date.as_str(),
            )
        })
        .collect();
    super::upsert_players(deps, &names).await?;
    Ok(crate::result::processor_result(
        NAME,
        date,
        read,
        super::payloads_hash(&payloads),
        stats,
        warnings,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raw::test_support as t;
    use crate::sources::historical_import;

    const FILE: &str = "history/player_game_logs_2024_25.csv";

    /// The CSV's own count of rows dated `date`, read without the project's parser.
    fn csv_rows_on(date: &str) -> usize {
        let body = t::sample(FILE);
        let mut reader = csv::Reader::from_reader(&body[..]);
        let col = reader
            .headers()
            .unwrap()
            .iter()
            .position(|h| h == "date")
            .unwrap();
        reader
            .records()
            .filter(|r| r.as_ref().unwrap()[col].starts_with(date))
            .count()
    }

    #[test]
    fn one_date_of_the_2024_25_file() {
        assert_eq!(HistoryKind::PlayerGameLogs.source(), SOURCE);
        let date = "2025-01-15";
        let parsed = historical_import::parse(&t::sample(FILE)).unwrap();
        let logs: Vec<PlayerGameLogRow> = parsed.by_date[date]
            .0
            .iter()
            .map(|r| match r {
                HistoryRow::PlayerGameLog(l) => l.clone(),
                other => panic!("{other:?}"),
            })
            .collect();
        let (rows, warnings) = transform(logs, date);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(rows.len(), csv_rows_on(date));
        assert_eq!(rows.len(), 199);
        let brunson = rows.iter().find(|r| r.player_id == 1628973).unwrap();
        assert_eq!(
            (brunson.player_lookup.as_str(), brunson.points),
            ("jalenbrunson", 38)
        );
        assert_eq!(
            (
                brunson.opponent.as_str(),
                brunson.home,
                brunson.matchup.as_str()
            ),
            ("PHI", 0, "NYK @ PHI")
        );
        assert_eq!(
            (
                brunson.fgm,
                brunson.fga,
                brunson.fg3m,
                brunson.fg3a,
                brunson.ftm,
                brunson.fta
            ),
            (14, 22, 3, 6, 7, 9)
        );
        assert_eq!((brunson.minutes, brunson.tov), (45.0, 5));
    }

    #[tokio::test]
    async fn an_imported_file_is_processed_from_the_raw_store_idempotently() {
        let (_d, deps) = t::temp_deps().await;
        historical_import::import_file(
            &deps,
            std::path::Path::new(&format!("../../shared/data/{FILE}")),
        )
        .await
        .unwrap();
        let date = "2025-01-15";
        let req = t::request(NAME, date, vec![]);
        let first = run(&deps, &req, date, &t::meta()).await.unwrap();
        let n = csv_rows_on(date) as u32;
        assert_eq!(first.rows_read, n);
        let again = run(&deps, &req, date, &t::meta()).await.unwrap();
        t::assert_idempotent(&first, &again, n);
        assert_eq!(first.entities_changed.unwrap().players.len(), n as usize);
    }

    #[tokio::test]
    async fn two_files_holding_the_same_games_are_read_once_the_later_import_winning() {
        let (dir, deps) = t::temp_deps().await;
        let date = "2025-01-15";
        let original = String::from_utf8(t::sample(FILE)).unwrap();
        let header = original.lines().next().unwrap();
        let rows: Vec<&str> = original
            .lines()
            .skip(1)
            .filter(|l| l.contains(&format!(",{date},")))
            .collect();
        assert!(rows.len() > 100);
        // A corrected re-export of the same date: Brunson's 38 points became 40.
        let corrected: Vec<String> = rows
            .iter()
            .map(|l| {
                if l.contains(",1628973,") {
                    l.replacen(",38,", ",40,", 1)
                } else {
                    l.to_string()
                }
            })
            .collect();
        let first = dir.path().join("player_game_logs_a.csv");
        let second = dir.path().join("player_game_logs_b.csv");
        std::fs::write(&first, format!("{header}\n{}\n", rows.join("\n"))).unwrap();
        std::fs::write(&second, format!("{header}\n{}\n", corrected.join("\n"))).unwrap();
        historical_import::import_file(&deps, &first).await.unwrap();
        historical_import::import_file(&deps, &second)
            .await
            .unwrap();
        let req = t::request(NAME, date, vec![]);
        let result = run(&deps, &req, date, &t::meta()).await.unwrap();
        assert_eq!(result.rows_written as usize, rows.len(), "each game once");
        let points: i64 = crate::storage::queries::testing::scalar(&deps.warehouse, crate::storage::sql::Sql::new("SELECT points FROM raw_historical_player_game_logs WHERE player_id = 1628973 AND game_date = ?",).bind(date))
        .await
        .unwrap();
        assert_eq!(points, 40, "the file imported last wins");
    }
}
