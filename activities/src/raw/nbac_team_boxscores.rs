//! `raw_nbac_team_boxscores`: one row per game and team of a date: the team's totals from
//! the stats.nba.com traditional box score (v3, or v2 for older games), with its opponent.
//!
//! The source keeps one payload per game (request key = game id); the newest of each game is
//! read.

use std::collections::BTreeMap;

use nbaprops_proto::{ProcessorRequest, ProcessorResult};

use super::Keep;
use crate::error::Result;
use crate::sources::nbac_team_boxscore::{self, BoxLine};
use crate::storage::warehouse::WriteMeta;
use crate::Deps;

pub const NAME: &str = "raw_nbac_team_boxscores";

crate::warehouse_table! {
    pub struct TeamBoxRow in "raw_nbac_team_boxscores" {
        partition: game_date,
        key: [game_id, team_id],
        entities: [(team, Team), (game_id, Game)],
        mode: Replace,
    } {
        game_date: String,
        game_id: String,
        team_id: i64,
        team: String,
        opponent_team_id: i64,
        opponent: String,
        home: Option<i64>,
        minutes: f64,
        points: i64,
        fgm: i64,
        fga: i64,
        fg3m: i64,
        fg3a: i64,
        ftm: i64,
        fta: i64,
        oreb: i64,
        dreb: i64,
        reb: i64,
        ast: i64,
        stl: i64,
        blk: i64,
        tov: i64,
        pf: i64,
        plus_minus: Option<f64>,
        players_played: i64,
    }
}

/// Team-total rows of the box scores' games. A game without two team totals with numbers (not
/// played yet, or a half-filled answer) is skipped with a warning.
pub fn transform(lines: Vec<BoxLine>, date: &str) -> (Vec<TeamBoxRow>, Vec<String>) {
    let mut warnings = Vec::new();
    let mut played: BTreeMap<(String, i64), i64> = BTreeMap::new();
    let mut totals: BTreeMap<String, Vec<BoxLine>> = BTreeMap::new();
    for l in lines {
        if l.is_team_total() {
            totals.entry(l.game_id.clone()).or_default().push(l);
        } else if l.played() {
            *played.entry((l.game_id.clone(), l.team_id)).or_default() += 1;
        }
    }
    let mut rows = Vec::new();
    for (game_id, teams) in totals {
        let with_stats: Vec<&BoxLine> = teams.iter().filter(|t| t.stats.is_some()).collect();
        if with_stats.len() != 2 || with_stats[0].team_id == with_stats[1].team_id {
            warnings.push(format!(
                "game {game_id}: {} team totals with numbers, not 2: skipped",
                with_stats.len()
            ));
            continue;
        }
        for (me, them) in [
            (with_stats[0], with_stats[1]),
            (with_stats[1], with_stats[0]),
        ] {
            let s = me.stats.as_ref().expect("filtered on stats");
            rows.push(TeamBoxRow {
                game_date: date.to_string(),
                game_id: game_id.clone(),
                team_id: me.team_id,
                team: me.team.clone(),
                opponent_team_id: them.team_id,
                opponent: them.team.clone(),
                home: me.is_home.map(i64::from),
                minutes: s.minutes,
                points: s.pts,
                fgm: s.fgm,
                fga: s.fga,
                fg3m: s.fg3m,
                fg3a: s.fg3a,
                ftm: s.ftm,
                fta: s.fta,
                oreb: s.oreb,
                dreb: s.dreb,
                reb: s.reb,
                ast: s.ast,
                stl: s.stl,
                blk: s.blk,
                tov: s.tov,
                pf: s.pf,
                plus_minus: s.plus_minus,
                players_played: played
                    .get(&(game_id.clone(), me.team_id))
                    .copied()
                    .unwrap_or(0),
            });
        }
    }
    (rows, warnings)
}

pub async fn run(
    deps: &Deps,
    req: &ProcessorRequest,
    date: &str,
    meta: &WriteMeta,
) -> Result<ProcessorResult> {
    let src = super::RawSource {
        processor: NAME,
        source: nbac_team_boxscore::SOURCE,
        keep: Keep::NewestPerRequestKey,
        newest_only: false,
        skip: super::skip_none,
        parse: nbac_team_boxscore::parse,
    };
    super::run_source(deps, req, date, meta, src, transform).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raw::test_support as t;

    const V2: &str = "samples/nbac_team_boxscore/raw_12f99055.json";
    const V3: &str = "samples/nba_stats_api/BoxScoreTraditionalV3.json";

    #[test]
    fn every_recorded_v2_box_score_gives_both_teams_totals() {
        for (path, body) in t::sample_files("nbac_team_boxscore") {
            let (rows, warnings) =
                transform(nbac_team_boxscore::parse(&body).unwrap(), "2025-01-15");
            assert!(warnings.is_empty(), "{path}: {warnings:?}");
            assert_eq!(rows.len(), 2, "{path}");
            let phi = rows.iter().find(|r| r.team == "PHI").unwrap();
            assert_eq!(
                (phi.game_id.as_str(), phi.team_id),
                ("0022400561", 1610612755)
            );
            assert_eq!(
                (phi.opponent.as_str(), phi.opponent_team_id),
                ("NYK", 1610612752)
            );
            assert_eq!(phi.home, None, "v2 does not say who is home");
            assert_eq!(phi.points, 119);
            assert_eq!((phi.fgm, phi.fga, phi.fg3m, phi.fg3a), (46, 92, 13, 35));
            assert_eq!((phi.ftm, phi.fta, phi.oreb, phi.dreb), (14, 14, 11, 24));
            assert_eq!((phi.tov, phi.minutes), (12, 265.0));
            assert_eq!(phi.players_played, 9);
            let nyk = rows.iter().find(|r| r.team == "NYK").unwrap();
            assert_eq!((nyk.points, nyk.oreb, nyk.dreb, nyk.tov), (125, 15, 30, 13));
            assert_eq!((nyk.fta, nyk.players_played), (24, 8));
        }
    }

    #[test]
    fn the_v3_box_score_says_who_is_home() {
        let (rows, warnings) = transform(
            nbac_team_boxscore::parse(&t::sample(V3)).unwrap(),
            "2023-01-02",
        );
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(rows.len(), 2);
        let cle = rows.iter().find(|r| r.team == "CLE").unwrap();
        assert_eq!(cle.game_id, "0022200552");
        assert_eq!(
            (cle.home, cle.points, cle.fgm, cle.oreb),
            (Some(1), 145, 48, 13)
        );
        assert_eq!((cle.opponent.as_str(), cle.players_played), ("CHI", 9));
        let chi = rows.iter().find(|r| r.team == "CHI").unwrap();
        assert_eq!(
            (chi.home, chi.points, chi.players_played),
            (Some(0), 134, 10)
        );
    }

    #[tokio::test]
    async fn writing_the_same_games_twice_changes_nothing() {
        let (_d, deps) = t::temp_deps().await;
        let date = "2025-01-15";
        let a = t::keep(
            &deps,
            nbac_team_boxscore::SOURCE,
            date,
            "0022400561",
            t::sample(V2),
            "2025-01-16T10:00:00Z",
        )
        .await;
        let b = t::keep(
            &deps,
            nbac_team_boxscore::SOURCE,
            date,
            "0022200552",
            t::sample(V3),
            "2025-01-16T10:00:01Z",
        )
        .await;
        let req = t::request(NAME, "2025-01-16", vec![a, b]);
        let first = run(&deps, &req, date, &t::meta()).await.unwrap();
        let again = run(&deps, &req, date, &t::meta()).await.unwrap();
        t::assert_idempotent(&first, &again, 4);
        assert_eq!(first.entities_changed.unwrap().games.len(), 2);
    }
}
