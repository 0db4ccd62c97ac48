//! `raw_espn_scoreboard`: the date's games on ESPN's scoreboard, with ESPN's ids, status and
//! scores: a second opinion on the schedule and the final scores, from another host.

use std::collections::BTreeMap;

use nbaprops_proto::{ProcessorRequest, ProcessorResult};

use super::Keep;
use crate::error::Result;
use crate::sources::espn_scoreboard::{self, EspnGame};
use crate::storage::warehouse::WriteMeta;
use crate::Deps;

pub const NAME: &str = "raw_espn_scoreboard";

crate::warehouse_table! {
    pub struct EspnGameRow in "raw_espn_scoreboard" {
        partition: game_date,
        key: [espn_game_id],
        entities: [(espn_game_id, Game)],
        mode: Replace,
    } {
        game_date: String,
        espn_game_id: String,
        start_time_utc: String,
        status: String,
        state: String,
        completed: i64,
        status_detail: Option<String>,
        home_team_id: String,
        home_team: String,
        home_team_name: String,
        away_team_id: String,
        away_team: String,
        away_team_name: String,
        home_score: Option<i64>,
        away_score: Option<i64>,
    }
}

/// Rows of the date's games; a game ESPN dates otherwise is skipped with a warning.
pub fn transform(games: Vec<EspnGame>, date: &str) -> (Vec<EspnGameRow>, Vec<String>) {
    let mut warnings = Vec::new();
    let mut by_id = BTreeMap::new();
    for g in games {
        if g.game_date_et != date {
            warnings.push(format!(
                "ESPN game {} is dated {}, not {date}: skipped",
                g.game_id, g.game_date_et
            ));
            continue;
        }
        by_id.insert(
            g.game_id.clone(),
            EspnGameRow {
                game_date: date.to_string(),
                espn_game_id: g.game_id,
                start_time_utc: g.start_time_utc,
                status: g.status,
                state: g.state,
                completed: g.completed as i64,
                status_detail: g.status_detail,
                home_team_id: g.home_team_id,
                home_team: g.home_team,
                home_team_name: g.home_team_name,
                away_team_id: g.away_team_id,
                away_team: g.away_team,
                away_team_name: g.away_team_name,
                home_score: g.home_score,
                away_score: g.away_score,
            },
        );
    }
    (by_id.into_values().collect(), warnings)
}

pub async fn run(
    deps: &Deps,
    req: &ProcessorRequest,
    date: &str,
    meta: &WriteMeta,
) -> Result<ProcessorResult> {
    let src = super::RawSource {
        processor: NAME,
        source: espn_scoreboard::SOURCE,
        keep: Keep::NewestPerRequestKey,
        newest_only: true,
        skip: super::skip_none,
        parse: espn_scoreboard::parse,
    };
    super::run_source(deps, req, date, meta, src, transform).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raw::test_support as t;

    const SAMPLE: &str = "samples/espn_scoreboard_api/raw_92de7c9a.json";

    #[test]
    fn every_recorded_scoreboard() {
        for (path, body) in t::sample_files("espn_scoreboard_api") {
            let games = espn_scoreboard::parse(&body).unwrap();
            let empty = games.is_empty();
            let (rows, warnings) = transform(games, "2024-01-15");
            assert!(warnings.is_empty(), "{path}: {warnings:?}");
            if empty {
                // The All-Star break: a real answer without games.
                assert!(rows.is_empty());
                continue;
            }
            assert_eq!(rows.len(), 11, "{path}");
            let phi = rows.iter().find(|r| r.espn_game_id == "401585183").unwrap();
            assert_eq!((phi.home_team.as_str(), phi.home_score), ("PHI", Some(124)));
            assert_eq!((phi.away_team.as_str(), phi.away_score), ("HOU", Some(115)));
            assert_eq!(
                (phi.home_team_id.as_str(), phi.away_team_id.as_str()),
                ("20", "10")
            );
            assert_eq!((phi.status.as_str(), phi.completed), ("STATUS_FINAL", 1));
            assert_eq!(phi.start_time_utc, "2024-01-15T18:00:00Z");
            let (rows, warnings) = transform(espn_scoreboard::parse(&body).unwrap(), "2024-01-16");
            assert!(rows.is_empty());
            assert_eq!(warnings.len(), 11);
        }
    }

    #[tokio::test]
    async fn writing_the_same_scoreboard_twice_changes_nothing() {
        let (_d, deps) = t::temp_deps().await;
        let date = "2024-01-15";
        let p = t::keep(
            &deps,
            espn_scoreboard::SOURCE,
            date,
            "all",
            t::sample(SAMPLE),
            "2024-01-16T10:00:00Z",
        )
        .await;
        let first = run(&deps, &t::request(NAME, date, vec![p]), date, &t::meta())
            .await
            .unwrap();
        let again = run(&deps, &t::request(NAME, date, vec![]), date, &t::meta())
            .await
            .unwrap();
        t::assert_idempotent(&first, &again, 11);
    }
}
