//! `raw_nbac_schedule_api`: the date's games from the stats.nba.com season schedule.
//!
//! Beyond the CDN schedule (`raw_nbac_schedule`) it carries final scores and the game's status
//! text, and it answers for past seasons (the CDN file only holds the current one), so
//! backfills and grading get the date's games and results from it.

use nbaprops_proto::{ProcessorRequest, ProcessorResult};

use super::Keep;
use crate::error::Result;
use crate::sources::nbac_schedule_api::{self, ScheduleGame};
use crate::storage::warehouse::WriteMeta;
use crate::Deps;

pub const NAME: &str = "raw_nbac_schedule_api";

crate::warehouse_table! {
    pub struct ScheduleApiRow in "raw_nbac_schedule_api" {
        partition: game_date,
        key: [game_id],
        entities: [(game_id, Game)],
        mode: Replace,
    } {
        game_date: String,
        game_id: String,
        season_type: String,
        status: i64,
        status_text: String,
        start_time_utc: Option<String>,
        home_team_id: i64,
        home_team: String,
        home_score: Option<i64>,
        away_team_id: i64,
        away_team: String,
        away_score: Option<i64>,
    }
}

/// The date's games as rows.
pub fn transform(games: Vec<ScheduleGame>, date: &str) -> Vec<ScheduleApiRow> {
    nbac_schedule_api::games_on(games, date)
        .into_iter()
        .map(|g| ScheduleApiRow {
            game_date: date.to_string(),
            season_type: g.season_type_digit().to_string(),
            game_id: g.game_id,
            status: g.status,
            status_text: g.status_text,
            start_time_utc: g.start_time_utc,
            home_team_id: g.home.team_id,
            home_team: g.home.tricode,
            home_score: g.home.score,
            away_team_id: g.away.team_id,
            away_team: g.away.tricode,
            away_score: g.away.score,
        })
        .collect()
}

pub async fn run(
    deps: &Deps,
    req: &ProcessorRequest,
    date: &str,
    meta: &WriteMeta,
) -> Result<ProcessorResult> {
    let src = super::RawSource {
        processor: NAME,
        source: nbac_schedule_api::SOURCE,
        keep: Keep::NewestPerRequestKey,
        newest_only: true,
        skip: super::skip_none,
        parse: nbac_schedule_api::parse,
    };
    super::run_source(deps, req, date, meta, src, |records, date| {
        (transform(records, date), vec![])
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raw::test_support as t;

    const SAMPLE: &str = "samples/nbac_schedule_api/raw_80cb1fd6.json.gz";

    #[test]
    fn keeps_the_dates_games_with_their_results() {
        let games = nbac_schedule_api::parse(&t::sample(SAMPLE)).unwrap();
        let rows = transform(games, "2025-01-15");
        assert_eq!(rows.len(), 11);
        let g = rows.iter().find(|r| r.game_id == "0022400561").unwrap();
        assert_eq!((g.home_team.as_str(), g.home_score), ("PHI", Some(119)));
        assert_eq!((g.away_team.as_str(), g.away_score), ("NYK", Some(125)));
        assert_eq!(g.status, nbac_schedule_api::STATUS_FINAL);
        assert_eq!(g.status_text, "Final/OT");
        assert_eq!(g.season_type, "2");
        assert!(rows.iter().all(|r| r.game_date == "2025-01-15"));
    }

    #[tokio::test]
    async fn writing_the_same_schedule_twice_changes_nothing() {
        let (_d, deps) = t::temp_deps().await;
        let date = "2025-01-15";
        let p = t::keep(
            &deps,
            nbac_schedule_api::SOURCE,
            date,
            "season",
            t::sample(SAMPLE),
            "2025-01-15T11:00:00Z",
        )
        .await;
        let req = t::request(NAME, date, vec![p]);
        let first = run(&deps, &req, date, &t::meta()).await.unwrap();
        // The second run finds the payload in the raw store (a backfill's path).
        let req = t::request(NAME, date, vec![]);
        let again = run(&deps, &req, date, &t::meta()).await.unwrap();
        t::assert_idempotent(&first, &again, 11);
    }
}
