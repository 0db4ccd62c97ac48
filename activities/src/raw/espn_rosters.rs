//! `raw_espn_rosters`: the rosters of the teams playing on a date, as ESPN lists them, with
//! ESPN's injury note on each athlete (status, body part, expected return).
//!
//! The source keeps the date's scoreboard (request key `scoreboard`, which only says which
//! teams play) and one roster per team (`team-{id}`); the newest roster of each team is read.

use std::collections::BTreeMap;

use nbaprops_proto::{ProcessorRequest, ProcessorResult};

use super::Keep;
use crate::error::Result;
use crate::names::player_lookup;
use crate::sources::espn_roster::{self, EspnRosterEntry};
use crate::storage::warehouse::WriteMeta;
use crate::Deps;

pub const NAME: &str = "raw_espn_rosters";

crate::warehouse_table! {
    pub struct EspnRosterRow in "raw_espn_rosters" {
        partition: roster_date,
        key: [team_id, athlete_id],
        entities: [(player_lookup, Player), (team, Team)],
        mode: Replace,
    } {
        roster_date: String,
        team_id: String,
        athlete_id: String,
        team: String,
        player_name: String,
        player_lookup: String,
        position: Option<String>,
        jersey: Option<String>,
        status: Option<String>,
        injury_status: Option<String>,
        injury_date: Option<String>,
        injury_type: Option<String>,
        injury_return_date: Option<String>,
        injury_comment: Option<String>,
    }
}

/// One row per team and athlete.
pub fn transform(entries: Vec<EspnRosterEntry>, date: &str) -> Vec<EspnRosterRow> {
    let mut by_key = BTreeMap::new();
    for e in entries {
        by_key.insert(
            (e.team_id.clone(), e.athlete_id.clone()),
            EspnRosterRow {
                roster_date: date.to_string(),
                player_lookup: player_lookup(&e.name),
                team_id: e.team_id,
                athlete_id: e.athlete_id,
                team: e.team,
                player_name: e.name,
                position: e.position,
                jersey: e.jersey,
                status: e.status,
                injury_status: e.injury_status,
                injury_date: e.injury_date,
                injury_type: e.injury_type,
                injury_return_date: e.injury_return_date,
                injury_comment: e.injury_comment,
            },
        );
    }
    by_key.into_values().collect()
}

pub async fn run(
    deps: &Deps,
    req: &ProcessorRequest,
    date: &str,
    meta: &WriteMeta,
) -> Result<ProcessorResult> {
    let src = super::RawSource {
        processor: NAME,
        source: espn_roster::SOURCE,
        keep: Keep::NewestPerRequestKey,
        newest_only: false,
        skip: |k| k == "scoreboard",
        parse: espn_roster::parse,
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

    const SAMPLE: &str = "samples/espn_roster_api/raw_2.json";

    #[test]
    fn every_athlete_of_the_recorded_roster() {
        for (path, body) in t::sample_files("espn_roster_api") {
            let rows = transform(espn_roster::parse(&body).unwrap(), "2024-01-15");
            assert_eq!(rows.len(), 17, "{path}");
            assert!(rows.iter().all(|r| r.team_id == "2" && r.team == "BOS"));
            let brown = rows.iter().find(|r| r.athlete_id == "3917376").unwrap();
            assert_eq!(
                (brown.player_name.as_str(), brown.player_lookup.as_str()),
                ("Jaylen Brown", "jaylenbrown")
            );
            assert_eq!(
                (brown.jersey.as_deref(), brown.position.as_deref()),
                (Some("7"), Some("SG"))
            );
            assert_eq!(brown.injury_status.as_deref(), Some("Out"));
            let tatum = rows.iter().find(|r| r.athlete_id == "4065648").unwrap();
            assert_eq!(tatum.injury_status.as_deref(), Some("Out"));
        }
    }

    #[tokio::test]
    async fn writing_the_same_rosters_twice_changes_nothing() {
        let (_d, deps) = t::temp_deps().await;
        let date = "2024-01-15";
        let src = espn_roster::SOURCE;
        let board = t::keep(
            &deps,
            src,
            date,
            "scoreboard",
            t::sample("samples/espn_scoreboard_api/raw_92de7c9a.json"),
            "2024-01-15T10:00:00Z",
        )
        .await;
        let bos = t::keep(
            &deps,
            src,
            date,
            "team-2",
            t::sample(SAMPLE),
            "2024-01-15T10:00:01Z",
        )
        .await;
        let first = run(
            &deps,
            &t::request(NAME, date, vec![board, bos]),
            date,
            &t::meta(),
        )
        .await
        .unwrap();
        let again = run(&deps, &t::request(NAME, date, vec![]), date, &t::meta())
            .await
            .unwrap();
        t::assert_idempotent(&first, &again, 17);
    }
}
