//! `raw_bdl_box_scores`: Ball Don't Lie's player lines of a date (its own player, team and game
//! ids): a second source of the box score, to cross-check NBA.com's and to fill in when
//! stats.nba.com does not answer.
//!
//! The source keeps one payload per page (`all`, `all-p2`, ...); the newest of each page is read.
//! The live endpoint's payloads (`live`) are games in progress, not the date's box scores.

use std::collections::BTreeMap;

use nbaprops_proto::{ProcessorRequest, ProcessorResult};

use super::Keep;
use crate::error::Result;
use crate::names::player_lookup;
use crate::sources::bdl_box_scores::{self, BdlPlayerBox};
use crate::storage::warehouse::WriteMeta;
use crate::Deps;

pub const NAME: &str = "raw_bdl_box_scores";

crate::warehouse_table! {
    pub struct BdlBoxRow in "raw_bdl_box_scores" {
        partition: game_date,
        key: [bdl_player_id],
        entities: [(player_lookup, Player), (team, Team)],
        mode: Replace,
    } {
        game_date: String,
        bdl_player_id: i64,
        bdl_game_id: Option<i64>,
        season: i64,
        postseason: i64,
        game_status: String,
        bdl_team_id: i64,
        team: String,
        opponent_team_id: i64,
        home: i64,
        player_name: String,
        player_lookup: String,
        position: Option<String>,
        minutes: Option<f64>,
        fgm: Option<i64>,
        fga: Option<i64>,
        fg3m: Option<i64>,
        fg3a: Option<i64>,
        ftm: Option<i64>,
        fta: Option<i64>,
        oreb: Option<i64>,
        dreb: Option<i64>,
        reb: Option<i64>,
        ast: Option<i64>,
        stl: Option<i64>,
        blk: Option<i64>,
        tov: Option<i64>,
        pf: Option<i64>,
        points: Option<i64>,
        plus_minus: Option<i64>,
    }
}

/// Rows of the date's player lines; a line dated otherwise is skipped with a warning, and a
/// player listed twice (pages overlapping) is one row.
pub fn transform(lines: Vec<BdlPlayerBox>, date: &str) -> (Vec<BdlBoxRow>, Vec<String>) {
    let mut warnings = Vec::new();
    let mut by_id = BTreeMap::new();
    for l in lines {
        if l.game_date != date {
            warnings.push(format!(
                "{} {} (team {}) is dated {}, not {date}: skipped",
                l.first_name, l.last_name, l.team, l.game_date
            ));
            continue;
        }
        let name = format!("{} {}", l.first_name.trim(), l.last_name.trim())
            .trim()
            .to_string();
        by_id.insert(
            l.player_id,
            BdlBoxRow {
                game_date: date.to_string(),
                bdl_player_id: l.player_id,
                bdl_game_id: l.game_id,
                season: l.season,
                postseason: l.postseason as i64,
                game_status: l.game_status,
                bdl_team_id: l.team_id,
                team: l.team,
                opponent_team_id: l.opponent_team_id,
                home: l.is_home as i64,
                player_lookup: player_lookup(&name),
                player_name: name,
                position: l.position,
                minutes: l.minutes,
                fgm: l.fgm,
                fga: l.fga,
                fg3m: l.fg3m,
                fg3a: l.fg3a,
                ftm: l.ftm,
                fta: l.fta,
                oreb: l.oreb,
                dreb: l.dreb,
                reb: l.reb,
                ast: l.ast,
                stl: l.stl,
                blk: l.blk,
                tov: l.tov,
                pf: l.pf,
                points: l.points,
                plus_minus: l.plus_minus,
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
        source: bdl_box_scores::SOURCE,
        keep: Keep::NewestPerRequestKey,
        newest_only: false,
        skip: |k| k.starts_with("live"),
        parse: bdl_box_scores::parse,
    };
    super::run_source(deps, req, date, meta, src, transform).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raw::test_support as t;

    const JAN_2024: &str = "samples/bdl_box_scores/raw_7a649e12.json";

    #[test]
    fn every_recorded_box_score_page() {
        let expected = [
            ("raw_71b3c5b2", "2026-01-09", 347),
            ("raw_7a649e12", "2024-01-15", 384),
            ("raw_d62cc934", "2024-01-15", 0),
        ];
        for (path, body) in t::sample_files("bdl_box_scores") {
            let (_, date, n) = expected
                .iter()
                .find(|(f, _, _)| path.contains(f))
                .unwrap_or_else(|| panic!("unexpected sample {path}"));
            let (rows, warnings) = transform(bdl_box_scores::parse(&body).unwrap(), date);
            assert!(warnings.is_empty(), "{path}");
            assert_eq!(rows.len(), *n, "{path}");
        }
        let (rows, _) = transform(
            bdl_box_scores::parse(&t::sample("samples/bdl_box_scores/raw_71b3c5b2.json")).unwrap(),
            "2026-01-09",
        );
        let brown = rows.iter().find(|r| r.bdl_player_id == 70).unwrap();
        assert_eq!(
            (brown.player_name.as_str(), brown.team.as_str()),
            ("Jaylen Brown", "BOS")
        );
        assert_eq!((brown.home, brown.bdl_game_id), (1, Some(18447346)));
        assert_eq!(
            (brown.points, brown.fga, brown.reb, brown.minutes),
            (Some(25), Some(15), Some(8), Some(37.0))
        );
        let (rows, _) = transform(
            bdl_box_scores::parse(&t::sample(JAN_2024)).unwrap(),
            "2024-01-15",
        );
        let batum = rows.iter().find(|r| r.bdl_player_id == 33).unwrap();
        assert_eq!(
            (batum.team.as_str(), batum.home, batum.bdl_game_id),
            ("PHI", 1, None)
        );
        assert_eq!((batum.points, batum.minutes), (Some(5), Some(28.0)));
        let (rows, warnings) = transform(
            bdl_box_scores::parse(&t::sample(JAN_2024)).unwrap(),
            "2024-01-16",
        );
        assert!(rows.is_empty());
        assert_eq!(warnings.len(), 384);
    }

    #[tokio::test]
    async fn writing_the_same_pages_twice_changes_nothing() {
        let (_d, deps) = t::temp_deps().await;
        let date = "2024-01-15";
        let src = bdl_box_scores::SOURCE;
        let p1 = t::keep(
            &deps,
            src,
            date,
            "all",
            t::sample(JAN_2024),
            "2024-01-16T10:00:00Z",
        )
        .await;
        let live = t::keep(
            &deps,
            src,
            date,
            "live",
            t::sample("samples/bdl_box_scores/raw_71b3c5b2.json"),
            "2024-01-16T10:00:01Z",
        )
        .await;
        let first = run(
            &deps,
            &t::request(NAME, date, vec![p1, live]),
            date,
            &t::meta(),
        )
        .await
        .unwrap();
        assert!(first.warnings.is_empty(), "the live payload is not read");
        let again = run(&deps, &t::request(NAME, date, vec![]), date, &t::meta())
            .await
            .unwrap();
        t::assert_idempotent(&first, &again, 384);
    }
}
