//! `raw_bdl_injuries`: Ball Don't Lie's injury list as it stood on a date (the list has no
//! date of its own: it is kept under the date it was fetched for).
//!
//! The source keeps one payload per page (`all`, `all-p2`, ...). A run's own pages are read
//! together; from the raw store, the newest of each page.

use std::collections::BTreeMap;

use nbaprops_proto::{ProcessorRequest, ProcessorResult};

use super::Keep;
use crate::error::Result;
use crate::names::player_lookup;
use crate::sources::bdl_injuries::{self, BdlInjury};
use crate::storage::warehouse::WriteMeta;
use crate::Deps;

pub const NAME: &str = "raw_bdl_injuries";

crate::warehouse_table! {
    pub struct BdlInjuryRow in "raw_bdl_injuries" {
        partition: report_date,
        key: [bdl_player_id],
        entities: [(player_lookup, Player)],
        mode: Replace,
    } {
        report_date: String,
        bdl_player_id: i64,
        player_name: String,
        player_lookup: String,
        position: Option<String>,
        bdl_team_id: Option<i64>,
        status: String,
        return_date: Option<String>,
        description: Option<String>,
    }
}

/// One row per player (a player on two pages is one row, the later page winning).
pub fn transform(injuries: Vec<BdlInjury>, date: &str) -> Vec<BdlInjuryRow> {
    let mut by_id = BTreeMap::new();
    for i in injuries {
        let name = format!("{} {}", i.first_name.trim(), i.last_name.trim())
            .trim()
            .to_string();
        by_id.insert(
            i.player_id,
            BdlInjuryRow {
                report_date: date.to_string(),
                bdl_player_id: i.player_id,
                player_lookup: player_lookup(&name),
                player_name: name,
                position: i.position,
                bdl_team_id: i.team_id,
                status: i.status,
                return_date: i.return_date,
                description: i.description,
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
        source: bdl_injuries::SOURCE,
        keep: Keep::NewestPerRequestKey,
        newest_only: false,
        skip: super::skip_none,
        parse: bdl_injuries::parse,
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

    const PAGE: &str = "samples/bdl_injuries/raw_49fd60fb.json";
    const SHORT: &str = "samples/bdl_injuries/raw_d45e630e.json";

    #[test]
    fn every_recorded_injury_page() {
        for (path, body) in t::sample_files("bdl_injuries") {
            let n = bdl_injuries::parse(&body).unwrap().len();
            let rows = transform(bdl_injuries::parse(&body).unwrap(), "2025-11-28");
            assert_eq!(rows.len(), n, "{path}");
            assert!(n == 100 || n == 2, "{path}: {n}");
        }
        let rows = transform(
            bdl_injuries::parse(&t::sample(SHORT)).unwrap(),
            "2025-11-28",
        );
        let brown = rows.iter().find(|r| r.bdl_player_id == 70).unwrap();
        assert_eq!(
            (brown.player_name.as_str(), brown.player_lookup.as_str()),
            ("Jaylen Brown", "jaylenbrown")
        );
        assert_eq!(
            (brown.status.as_str(), brown.return_date.as_deref()),
            ("Day-To-Day", Some("Oct 1"))
        );
        assert_eq!(
            (brown.bdl_team_id, brown.position.as_deref()),
            (Some(2), Some("G"))
        );
        assert!(brown
            .description
            .as_deref()
            .unwrap()
            .starts_with("Jun 24: Brown underwent"));
        let tatum = rows.iter().find(|r| r.bdl_player_id == 434).unwrap();
        assert_eq!(tatum.return_date.as_deref(), Some("Feb 1"));
    }

    #[tokio::test]
    async fn writing_the_same_pages_twice_changes_nothing() {
        let (_d, deps) = t::temp_deps().await;
        let date = "2025-11-28";
        let src = bdl_injuries::SOURCE;
        let p1 = t::keep(
            &deps,
            src,
            date,
            "all",
            t::sample(PAGE),
            "2025-11-28T15:00:00Z",
        )
        .await;
        let p2 = t::keep(
            &deps,
            src,
            date,
            "all-p2",
            t::sample(SHORT),
            "2025-11-28T15:00:01Z",
        )
        .await;
        let expected = transform(
            [t::sample(PAGE), t::sample(SHORT)]
                .iter()
                .flat_map(|b| bdl_injuries::parse(b).unwrap())
                .collect(),
            date,
        )
        .len() as u32;
        let first = run(
            &deps,
            &t::request(NAME, date, vec![p1, p2]),
            date,
            &t::meta(),
        )
        .await
        .unwrap();
        let again = run(&deps, &t::request(NAME, date, vec![]), date, &t::meta())
            .await
            .unwrap();
        t::assert_idempotent(&first, &again, expected);
    }
}
