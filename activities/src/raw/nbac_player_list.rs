//! `raw_nbac_player_list`: NBA.com's player index as it stood on a date: id, name, team,
//! position and whether the player is on a roster. It names players the box scores have not
//! seen yet (a rookie before his first game), so the name registry can resolve them.

use std::collections::BTreeMap;

use nbaprops_proto::{ProcessorRequest, ProcessorResult};

use super::Keep;
use crate::error::Result;
use crate::names::player_lookup;
use crate::sources::nbac_player_list::{self, PlayerIndexEntry};
use crate::storage::warehouse::WriteMeta;
use crate::Deps;

pub const NAME: &str = "raw_nbac_player_list";

crate::warehouse_table! {
    pub struct PlayerListRow in "raw_nbac_player_list" {
        partition: list_date,
        key: [player_id],
        entities: [(player_id, Player)],
        mode: Replace,
    } {
        list_date: String,
        player_id: i64,
        first_name: String,
        last_name: String,
        player_name: String,
        player_lookup: String,
        slug: Option<String>,
        team_id: Option<i64>,
        team: Option<String>,
        jersey: Option<String>,
        position: Option<String>,
        active: i64,
        from_year: Option<i64>,
        to_year: Option<i64>,
    }
}

/// One row per player; a player listed twice is one row (the later listing).
pub fn transform(entries: Vec<PlayerIndexEntry>, date: &str) -> Vec<PlayerListRow> {
    let mut by_id = BTreeMap::new();
    for e in entries {
        by_id.insert(
            e.person_id,
            PlayerListRow {
                list_date: date.to_string(),
                player_id: e.person_id,
                player_lookup: player_lookup(&e.name),
                first_name: e.first_name,
                last_name: e.last_name,
                player_name: e.name,
                slug: e.slug,
                team_id: e.team_id,
                team: e.team,
                jersey: e.jersey,
                position: e.position,
                active: e.active as i64,
                from_year: e.from_year,
                to_year: e.to_year,
            },
        );
    }
    by_id.into_values().collect()
}

pub async fn run(
    deps: &Deps,
    req: &ProcessorRequest,
    date: &str,
    meta: &WriteMeta,
) -> Result<ProcessorResult> {
    let src = super::RawSource {
        processor: NAME,
        source: nbac_player_list::SOURCE,
        keep: Keep::NewestPerRequestKey,
        newest_only: true,
        skip: super::skip_none,
        parse: nbac_player_list::parse,
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

    const SAMPLE: &str = "samples/nbac_player_list/raw_7af00b51.json";

    #[test]
    fn every_player_of_the_recorded_index() {
        for (path, body) in t::sample_files("nbac_player_list") {
            let rows = transform(nbac_player_list::parse(&body).unwrap(), "2025-11-28");
            assert_eq!(rows.len(), 594, "{path}");
            assert_eq!(rows.iter().filter(|r| r.active == 1).count(), 594);
            let curry = rows.iter().find(|r| r.player_id == 201939).unwrap();
            assert_eq!(curry.player_name, "Stephen Curry");
            assert_eq!(curry.player_lookup, "stephencurry");
            assert_eq!(curry.slug.as_deref(), Some("stephen-curry"));
            assert_eq!(
                (curry.team_id, curry.team.as_deref()),
                (Some(1610612744), Some("GSW"))
            );
            assert_eq!(
                (curry.jersey.as_deref(), curry.position.as_deref()),
                (Some("30"), Some("G"))
            );
            assert_eq!((curry.from_year, curry.to_year), (Some(2009), Some(2025)));
        }
    }

    #[tokio::test]
    async fn writing_the_same_index_twice_changes_nothing() {
        let (_d, deps) = t::temp_deps().await;
        let date = "2025-11-28";
        let p = t::keep(
            &deps,
            nbac_player_list::SOURCE,
            date,
            "all",
            t::sample(SAMPLE),
            "2025-11-28T11:00:00Z",
        )
        .await;
        let first = run(&deps, &t::request(NAME, date, vec![p]), date, &t::meta())
            .await
            .unwrap();
        let again = run(&deps, &t::request(NAME, date, vec![]), date, &t::meta())
            .await
            .unwrap();
        t::assert_idempotent(&first, &again, 594);
    }
}
