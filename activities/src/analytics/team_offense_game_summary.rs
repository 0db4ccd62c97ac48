//! `team_offense_game_summary`: each team's game from the offense's side: points, possessions,
//! pace and offensive rating, from the team box score (NBA.com's, the historical import's, or
//! the sum of the players').

use std::collections::BTreeMap;

use nbaprops_proto::{ProcessorRequest, ProcessorResult};

use super::inputs::{self, TeamBox};
use super::player_game_summary::{effective_fg, round4, true_shooting};
use crate::error::Result;
use crate::hashing;
use crate::storage::warehouse::WriteMeta;
use crate::Deps;

pub const NAME: &str = "team_offense_game_summary";

/// The share of a team's missed field goals it rebounds, used when a source has only total
/// rebounds (the league's offensive rebound rate is about a quarter).
pub const ESTIMATED_OREB_SHARE: f64 = 0.26;

crate::warehouse_table! {
    pub struct TeamOffenseRow in "team_offense_game_summary" {
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
        source: String,
        minutes: f64,
        points: i64,
        fgm: i64,
        fga: i64,
        fg3m: i64,
        fg3a: i64,
        ftm: i64,
        fta: i64,
        tov: i64,
        oreb: Option<i64>,
        possessions: f64,
        pace: f64,
        offensive_rating: f64,
        efg_pct: Option<f64>,
        ts_pct: Option<f64>,
    }
}

/// Possessions: FGA + 0.44 FTA - OREB + TOV, with OREB estimated from misses when unknown.
pub fn possessions(t: &TeamBox) -> f64 {
    let oreb = match t.oreb {
        Some(o) => o as f64,
        None => ESTIMATED_OREB_SHARE * (t.fga - t.fgm) as f64,
    };
    round4(t.fga as f64 + 0.44 * t.fta as f64 - oreb + t.tov as f64)
}

/// Each team's box with its opponent's in the same game.
pub fn with_opponents(teams: &[TeamBox]) -> Vec<(&TeamBox, Option<&TeamBox>)> {
    let by_key: BTreeMap<(&str, &str), &TeamBox> = teams
        .iter()
        .map(|t| ((t.game_id.as_str(), t.team.as_str()), t))
        .collect();
    teams
        .iter()
        .map(|t| {
            (
                t,
                by_key
                    .get(&(t.game_id.as_str(), t.opponent.as_str()))
                    .copied(),
            )
        })
        .collect()
}

pub fn transform(teams: &[TeamBox]) -> Vec<TeamOffenseRow> {
    with_opponents(teams)
        .into_iter()
        .map(|(t, opp)| {
            let poss = possessions(t);
            // Pace averages both teams' possessions (they differ by a possession or two) per
            // 48 minutes of game time.
            let game_poss = opp.map(|o| (poss + possessions(o)) / 2.0).unwrap_or(poss);
            let game_minutes = t.minutes / 5.0;
            TeamOffenseRow {
                game_date: t.game_date.clone(),
                game_id: t.game_id.clone(),
                team: t.team.clone(),
                opponent: t.opponent.clone(),
                home: t.home,
                source: t.source.to_string(),
                minutes: t.minutes,
                points: t.points,
                fgm: t.fgm,
                fga: t.fga,
                fg3m: t.fg3m,
                fg3a: t.fg3a,
                ftm: t.ftm,
                fta: t.fta,
                tov: t.tov,
                oreb: t.oreb,
                possessions: poss,
                pace: if game_minutes > 0.0 {
                    round4(48.0 * game_poss / game_minutes)
                } else {
                    0.0
                },
                offensive_rating: if poss > 0.0 {
                    round4(100.0 * t.points as f64 / poss)
                } else {
                    0.0
                },
                efg_pct: effective_fg(Some(t.fgm), Some(t.fg3m), Some(t.fga)),
                ts_pct: true_shooting(t.points, Some(t.fga), Some(t.fta)),
            }
        })
        .collect()
}

pub async fn run(
    deps: &Deps,
    _req: &ProcessorRequest,
    date: &str,
    meta: &WriteMeta,
) -> Result<ProcessorResult> {
    // Team rows are few; incremental runs recompute the whole date (the hash diff keeps the
    // write to what changed).
    let players = inputs::player_boxes(deps, date).await?;
    let teams = inputs::team_boxes(deps, date, &players).await?;
    let input_hash = hashing::combine(teams.iter().map(|t| t.row_hash.as_str()));
    let rows = transform(&teams);
    let stats = deps
        .warehouse
        .write_partition(date, None, &rows, meta)
        .await?;
    Ok(crate::result::processor_result(
        NAME,
        date,
        teams.len(),
        input_hash,
        stats,
        vec![],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn team(
        team: &str,
        opp: &str,
        points: i64,
        fga: i64,
        fta: i64,
        oreb: Option<i64>,
        tov: i64,
    ) -> TeamBox {
        TeamBox {
            game_date: "2025-01-10".into(),
            game_id: "g1".into(),
            team: team.into(),
            opponent: opp.into(),
            home: (team == "BOS") as i64,
            source: "test",
            minutes: 240.0,
            points,
            fgm: 40,
            fga,
            fg3m: 12,
            fg3a: 35,
            ftm: 15,
            fta,
            tov,
            oreb,
            row_hash: String::new(),
        }
    }

    #[test]
    fn possessions_pace_and_rating_by_hand() {
        // BOS: 88 + 0.44 * 20 - 10 + 12 = 98.8; NYK: 90 + 0.44 * 25 - 12 + 14 = 103.
        let teams = vec![
            team("BOS", "NYK", 110, 88, 20, Some(10), 12),
            team("NYK", "BOS", 105, 90, 25, Some(12), 14),
        ];
        let rows = transform(&teams);
        let bos = &rows[0];
        assert_eq!(bos.possessions, 98.8);
        // Pace: 48 * (98.8 + 103) / 2 / 48 = 100.9.
        assert_eq!(bos.pace, 100.9);
        // 100 * 110 / 98.8 = 111.336...
        assert_eq!(bos.offensive_rating, 111.336);
        assert_eq!(rows[1].possessions, 103.0);
        // Without offensive rebounds: 0.26 * (88 - 40) = 12.48 estimated.
        let est = possessions(&team("BOS", "NYK", 110, 88, 20, None, 12));
        assert_eq!(est, 96.32);
    }
}
