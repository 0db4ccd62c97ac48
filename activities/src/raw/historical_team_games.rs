//! `raw_historical_team_games`: NBA.com LeagueGameFinder team rows imported from the
//! historical CSVs (`nbaprops import`), one row per game and team of a date: the team totals
//! backfills need for seasons the daily sources never scraped.

use std::collections::BTreeMap;

use nbaprops_proto::{ProcessorRequest, ProcessorResult};

use crate::error::Result;
use crate::sources::historical_import::{HistoryKind, HistoryRow, TeamGameRow};
use crate::storage::warehouse::WriteMeta;
use crate::Deps;

pub const NAME: &str = "raw_historical_team_games";
pub const SOURCE: &str = "historical_team_games";

crate::warehouse_table! {
    pub struct HistTeamGameRow in "raw_historical_team_games" {
        partition: game_date,
        key: [game_id, team_id],
        entities: [(team, Team), (game_id, Game)],
        mode: Replace,
    } {
        game_date: String,
        game_id: String,
        team_id: i64,
        season_id: String,
        team: String,
        opponent: String,
        home: i64,
        matchup: String,
        wl: Option<String>,
        minutes: f64,
        points: i64,
        fgm: i64,
        fga: i64,
        fg3m: i64,
        fg3a: i64,
        ftm: i64,
        fta: i64,
        reb: i64,
        ast: i64,
        tov: i64,
        plus_minus: f64,
    }
}

/// `BOS vs. NYK` (home) or `BOS @ NYK` (away): the opponent and whether the team is home.
pub fn opponent_of(matchup: &str) -> Option<(String, bool)> {
    if let Some((_, opp)) = matchup.split_once(" vs. ") {
        return Some((opp.trim().to_string(), true));
    }
    if let Some((_, opp)) = matchup.split_once(" @ ") {
        return Some((opp.trim().to_string(), false));
    }
    None
}

/// Rows of the date; a row whose MATCHUP names no opponent, or dated otherwise, is skipped with
/// a warning, and a (game, team) in two files is one row.
pub fn transform(rows: Vec<TeamGameRow>, date: &str) -> (Vec<HistTeamGameRow>, Vec<String>) {
    let mut warnings = Vec::new();
    let mut by_key = BTreeMap::new();
    for r in rows {
        if r.game_date != date {
            warnings.push(format!(
                "{} game {} is dated {}: skipped",
                r.team, r.game_id, r.game_date
            ));
            continue;
        }
        let Some((opponent, home)) = opponent_of(&r.matchup) else {
            warnings.push(format!(
                "{} game {}: MATCHUP {:?} names no opponent: skipped",
                r.team, r.game_id, r.matchup
            ));
            continue;
        };
        by_key.insert(
            (r.game_id.clone(), r.team_id),
            HistTeamGameRow {
                game_date: date.to_string(),
                game_id: r.game_id,
                team_id: r.team_id,
                season_id: r.season_id,
                team: r.team,
                opponent,
                home: home as i64,
                matchup: r.matchup,
                wl: r.wl,
                minutes: r.minutes,
                points: r.points,
                fgm: r.fgm,
                fga: r.fga,
                fg3m: r.fg3m,
                fg3a: r.fg3a,
                ftm: r.ftm,
                fta: r.fta,
                reb: r.reb,
                ast: r.ast,
                tov: r.tov,
                plus_minus: r.plus_minus,
            },
        );
    }
    (by_key.into_values().collect(), warnings)
}

pub async fn run(
    deps: &Deps,
    req: &ProcessorRequest,
    date: &str,
    meta: &WriteMeta,
) -> Result<ProcessorResult> {
    let (payloads, rows) = super::historical_rows(deps, req, HistoryKind::TeamGames, date).await?;
    let read = rows.len();
    let games = rows
        .into_iter()
        .filter_map(|r| match r {
            HistoryRow::TeamGame(g) => Some(g),
            _ => None,
        })
        .collect();
    let (rows, warnings) = transform(games, date);
    let stats = deps
        .warehouse
        .write_partition(date, None, &rows, meta)
        .await?;
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

    const FILE: &str = "history/team_games_2024_25.csv";

    fn rows_on(date: &str) -> Vec<TeamGameRow> {
        let parsed = historical_import::parse(&t::sample(FILE)).unwrap();
        parsed.by_date[date]
            .0
            .iter()
            .map(|r| match r {
                HistoryRow::TeamGame(g) => g.clone(),
                other => panic!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn one_date_of_the_2024_25_file() {
        assert_eq!(HistoryKind::TeamGames.source(), SOURCE);
        let (rows, warnings) = transform(rows_on("2025-01-15"), "2025-01-15");
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(rows.len(), 22);
        let nyk = rows
            .iter()
            .find(|r| r.game_id == "0022400561" && r.team == "NYK")
            .unwrap();
        assert_eq!(
            (nyk.opponent.as_str(), nyk.home, nyk.wl.as_deref()),
            ("PHI", 0, Some("W"))
        );
        assert_eq!(
            (nyk.points, nyk.fgm, nyk.fga, nyk.fg3m, nyk.fg3a),
            (125, 46, 86, 16, 37)
        );
        assert_eq!(
            (nyk.ftm, nyk.fta, nyk.tov, nyk.plus_minus),
            (17, 24, 13, 6.0)
        );
        assert_eq!(nyk.season_id, "22024");
        let phi = rows
            .iter()
            .find(|r| r.game_id == "0022400561" && r.team == "PHI")
            .unwrap();
        assert_eq!(
            (phi.opponent.as_str(), phi.home, phi.points),
            ("NYK", 1, 119)
        );
        assert_eq!(opponent_of("BOS vs. NYK"), Some(("NYK".into(), true)));
        assert_eq!(opponent_of("BOS @ NYK"), Some(("NYK".into(), false)));
        assert_eq!(opponent_of("BOS-NYK"), None);
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
        // Historical imports never come in a request: the processor finds them in the store.
        let req = t::request(NAME, date, vec![]);
        let first = run(&deps, &req, date, &t::meta()).await.unwrap();
        assert_eq!(first.rows_read, 22);
        let again = run(&deps, &req, date, &t::meta()).await.unwrap();
        t::assert_idempotent(&first, &again, 22);
        assert_eq!(
            t::count(&deps, "raw_historical_team_games", "game_date", date).await,
            22
        );
        // A date the file does not hold: a clear error, nothing written.
        let err = run(&deps, &req, "2025-08-01", &t::meta())
            .await
            .unwrap_err();
        assert!(err.to_string().contains("historical_team_games"), "{err}");
    }
}
