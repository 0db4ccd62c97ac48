//! `team_defense_game_summary`: each team's game from the defense's side: what the opponent
//! scored and shot, by zone (paint, mid-range, three) when the play-by-play is there, and the
//! defensive rating (points allowed per 100 opponent possessions).

use std::collections::BTreeMap;

use nbaprops_proto::{ProcessorRequest, ProcessorResult};

use super::inputs;
use super::player_game_summary::round4;
use super::team_offense_game_summary::{possessions, with_opponents};
use crate::error::Result;
use crate::hashing;
use crate::raw::nbac_play_by_play::PbpPlayerRow;
use crate::storage::warehouse::WriteMeta;
use crate::storage::Filter;
use crate::storage::TableRow;
use crate::Deps;

pub const NAME: &str = "team_defense_game_summary";

crate::warehouse_table! {
    pub struct TeamDefenseRow in "team_defense_game_summary" {
        partition: game_date,
        key: [game_id, team],
        entities: [(team, Team), (game_id, Game)],
        mode: Replace,
    } {
        game_date: String,
        game_id: String,
        team: String,
        opponent: String,
        home: i64,
        points_allowed: i64,
        opp_fgm: i64,
        opp_fga: i64,
        opp_fg3m: i64,
        opp_fg3a: i64,
        opp_paint_fgm: Option<i64>,
        opp_paint_fga: Option<i64>,
        opp_mid_range_fgm: Option<i64>,
        opp_mid_range_fga: Option<i64>,
        opp_three_fgm: Option<i64>,
        opp_three_fga: Option<i64>,
        possessions: f64,
        defensive_rating: f64,
    }
}

/// Shots by zone of one team in one game, summed over its players' play-by-play rows.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct ZoneTotals {
    pub paint_fgm: i64,
    pub paint_fga: i64,
    pub mid_range_fgm: i64,
    pub mid_range_fga: i64,
    pub three_fgm: i64,
    pub three_fga: i64,
}

/// Zone totals per (game, team) from the play-by-play rows.
pub fn zone_totals(pbp: &[PbpPlayerRow]) -> BTreeMap<(String, String), ZoneTotals> {
    let mut out: BTreeMap<(String, String), ZoneTotals> = BTreeMap::new();
    for r in pbp {
        let z = out.entry((r.game_id.clone(), r.team.clone())).or_default();
        z.paint_fgm += r.paint_fgm;
        z.paint_fga += r.paint_fga;
        z.mid_range_fgm += r.mid_range_fgm;
        z.mid_range_fga += r.mid_range_fga;
        z.three_fgm += r.three_fgm;
        z.three_fga += r.three_fga;
    }
    out
}

pub fn transform(
    teams: &[inputs::TeamBox],
    zones: &BTreeMap<(String, String), ZoneTotals>,
) -> Vec<TeamDefenseRow> {
    with_opponents(teams)
        .into_iter()
        .filter_map(|(t, opp)| {
            // Without the opponent's box there is nothing to say about the defense.
            let opp = opp?;
            let poss = possessions(opp);
            let z = zones.get(&(opp.game_id.clone(), opp.team.clone()));
            Some(TeamDefenseRow {
                game_date: t.game_date.clone(),
                game_id: t.game_id.clone(),
                team: t.team.clone(),
                opponent: t.opponent.clone(),
                home: t.home,
                points_allowed: opp.points,
                opp_fgm: opp.fgm,
                opp_fga: opp.fga,
                opp_fg3m: opp.fg3m,
                opp_fg3a: opp.fg3a,
                opp_paint_fgm: z.map(|z| z.paint_fgm),
                opp_paint_fga: z.map(|z| z.paint_fga),
                opp_mid_range_fgm: z.map(|z| z.mid_range_fgm),
                opp_mid_range_fga: z.map(|z| z.mid_range_fga),
                opp_three_fgm: z.map(|z| z.three_fgm),
                opp_three_fga: z.map(|z| z.three_fga),
                possessions: poss,
                defensive_rating: if poss > 0.0 {
                    round4(100.0 * opp.points as f64 / poss)
                } else {
                    0.0
                },
            })
        })
        .collect()
}

pub async fn run(
    deps: &Deps,
    _req: &ProcessorRequest,
    date: &str,
    meta: &WriteMeta,
) -> Result<ProcessorResult> {
    let players = inputs::player_boxes(deps, date).await?;
    let teams = inputs::team_boxes(deps, date, &players).await?;
    let pbp: Vec<PbpPlayerRow> = deps
        .warehouse
        .rows(&Filter::new().eq("game_date", date))
        .await?;
    let input_hash = hashing::combine(
        teams
            .iter()
            .map(|t| t.row_hash.clone())
            .chain(pbp.iter().map(|r| hashing::row_hash(&r.values())))
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str),
    );
    let rows = transform(&teams, &zone_totals(&pbp));
    let stats = deps
        .warehouse
        .write_partition(date, None, &rows, meta)
        .await?;
    Ok(crate::result::processor_result(
        NAME,
        date,
        teams.len() + pbp.len(),
        input_hash,
        stats,
        vec![],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defense_is_the_opponents_offense() {
        let mk = |team: &str, opp: &str, points: i64| inputs::TeamBox {
            game_date: "2025-01-10".into(),
            game_id: "g1".into(),
            team: team.into(),
            opponent: opp.into(),
            home: (team == "BOS") as i64,
            source: "test",
            minutes: 240.0,
            points,
            fgm: 40,
            fga: 90,
            fg3m: 12,
            fg3a: 35,
            ftm: 15,
            fta: 25,
            tov: 14,
            oreb: Some(12),
            row_hash: String::new(),
        };
        let teams = vec![mk("BOS", "NYK", 110), mk("NYK", "BOS", 105)];
        let mut zones = BTreeMap::new();
        zones.insert(
            ("g1".to_string(), "NYK".to_string()),
            ZoneTotals {
                paint_fgm: 20,
                paint_fga: 35,
                ..Default::default()
            },
        );
        let rows = transform(&teams, &zones);
        let bos = rows.iter().find(|r| r.team == "BOS").unwrap();
        assert_eq!(bos.points_allowed, 105);
        assert_eq!(bos.opp_paint_fga, Some(35));
        // NYK possessions 90 + 11 - 12 + 14 = 103; 100 * 105 / 103 = 101.9417.
        assert_eq!(bos.possessions, 103.0);
        assert_eq!(bos.defensive_rating, 101.9417);
        let nyk = rows.iter().find(|r| r.team == "NYK").unwrap();
        assert_eq!(nyk.opp_paint_fga, None);
    }
}
