//! `player_game_summary`: each player's game (NBA.com's box score, or the historical import's)
//! with true shooting, effective FG%, usage rate, shot zones from the play-by-play where there
//! is one, and the result against his pre-game points line (the line as it stood at tip-off).

use nbaprops_proto::{ProcessorRequest, ProcessorResult};

use std::collections::{BTreeMap, BTreeSet};

use super::inputs::{self, PlayerBox, TeamBox};
use crate::error::Result;
use crate::hashing;
use crate::lines::{current_lines, ChosenLine};
use crate::names::player_lookup;
use crate::raw::nbac_play_by_play::PbpPlayerRow;
use crate::raw::oddsa_player_props::PropLineRow;
use crate::storage::warehouse::{Scope, WriteMeta};
use crate::storage::Filter;
use crate::storage::{TableRow, Value};
use crate::Deps;

pub const NAME: &str = "player_game_summary";

crate::warehouse_table! {
    pub struct GameSummaryRow in "player_game_summary" {
        partition: game_date,
        key: [game_id, player_id],
        entities: [(player_id, Player), (team, Team)],
        mode: Replace,
    } {
        game_date: String,
        game_id: String,
        player_id: i64,
        player_name: String,
        team: String,
        opponent: String,
        home: i64,
        source: String,
        minutes: Option<f64>,
        points: i64,
        fgm: Option<i64>,
        fga: Option<i64>,
        fg3m: Option<i64>,
        fg3a: Option<i64>,
        ftm: Option<i64>,
        fta: Option<i64>,
        reb: Option<i64>,
        ast: Option<i64>,
        tov: Option<i64>,
        ts_pct: Option<f64>,
        efg_pct: Option<f64>,
        usage_pct: Option<f64>,
        paint_fga: Option<i64>,
        paint_points: Option<i64>,
        mid_range_fga: Option<i64>,
        mid_range_points: Option<i64>,
        three_fga: Option<i64>,
        three_points: Option<i64>,
        line: Option<f64>,
        line_result: Option<String>,
    }
}

#[cfg(test)]
impl GameSummaryRow {
    /// A BOS-NYK game summary with only the points and minutes set, for tests.
    pub fn sample(date: &str, player_id: i64, points: i64, minutes: f64) -> Self {
        GameSummaryRow {
            game_date: date.into(),
            game_id: format!("g{date}"),
            player_id,
            player_name: "p".into(),
            team: "BOS".into(),
            opponent: "NYK".into(),
            home: 1,
            source: "nbac".into(),
            minutes: Some(minutes),
            points,
            fgm: None,
            fga: None,
            fg3m: None,
            fg3a: None,
            ftm: None,
            fta: None,
            reb: None,
            ast: None,
            tov: None,
            ts_pct: None,
            efg_pct: None,
            usage_pct: None,
            paint_fga: None,
            paint_points: None,
            mid_range_fga: None,
            mid_range_points: None,
            three_fga: None,
            three_points: None,
            line: None,
            line_result: None,
        }
    }
}

/// Rounded to 4 places so the stored value and its hash do not depend on float noise.
pub fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// True shooting: points per two true shot attempts (FGA + 0.44 FTA).
pub fn true_shooting(points: i64, fga: Option<i64>, fta: Option<i64>) -> Option<f64> {
    let tsa = fga? as f64 + 0.44 * fta? as f64;
    (tsa > 0.0).then(|| round4(points as f64 / (2.0 * tsa)))
}

/// Effective FG%: a three counts one and a half makes.
pub fn effective_fg(fgm: Option<i64>, fg3m: Option<i64>, fga: Option<i64>) -> Option<f64> {
    let (fgm, fg3m, fga) = (fgm?, fg3m?, fga?);
    (fga > 0).then(|| round4((fgm as f64 + 0.5 * fg3m as f64) / fga as f64))
}

pub fn line_result(points: i64, line: f64) -> &'static str {
    let p = points as f64;
    if p > line {
        "OVER"
    } else if p < line {
        "UNDER"
    } else {
        "PUSH"
    }
}

/// Usage rate: the share of his team's possessions a player used while on the floor,
/// (FGA + 0.44 FTA + TOV) x (team minutes / 5) / (minutes x (team FGA + 0.44 team FTA + team TOV)).
pub fn usage_rate(p: &PlayerBox, team: &TeamBox) -> Option<f64> {
    let minutes = p.minutes.filter(|m| *m > 0.0)?;
    let used = p.fga? as f64 + 0.44 * p.fta? as f64 + p.tov? as f64;
    let team_used = team.fga as f64 + 0.44 * team.fta as f64 + team.tov as f64;
    (team_used > 0.0 && team.minutes > 0.0)
        .then(|| round4(used * (team.minutes / 5.0) / (minutes * team_used)))
}

pub fn transform(
    boxes: &[PlayerBox],
    teams: &[TeamBox],
    zones: &BTreeMap<(String, i64), PbpPlayerRow>,
    lines: &BTreeMap<String, ChosenLine>,
) -> Vec<GameSummaryRow> {
    let team_of: BTreeMap<(&str, &str), &TeamBox> = teams
        .iter()
        .map(|t| ((t.game_id.as_str(), t.team.as_str()), t))
        .collect();
    boxes
        .iter()
        .map(|b| {
            let line = lines.get(&player_lookup(&b.player_name)).map(|l| l.line);
            let zone = zones.get(&(b.game_id.clone(), b.player_id));
            GameSummaryRow {
                game_date: b.game_date.clone(),
                game_id: b.game_id.clone(),
                player_id: b.player_id,
                player_name: b.player_name.clone(),
                team: b.team.clone(),
                opponent: b.opponent.clone(),
                home: b.home,
                source: b.source.to_string(),
                minutes: b.minutes,
                points: b.points,
                fgm: b.fgm,
                fga: b.fga,
                fg3m: b.fg3m,
                fg3a: b.fg3a,
                ftm: b.ftm,
                fta: b.fta,
                reb: b.reb,
                ast: b.ast,
                tov: b.tov,
                ts_pct: true_shooting(b.points, b.fga, b.fta),
                efg_pct: effective_fg(b.fgm, b.fg3m, b.fga),
                usage_pct: team_of
                    .get(&(b.game_id.as_str(), b.team.as_str()))
                    .and_then(|t| usage_rate(b, t)),
                paint_fga: zone.map(|z| z.paint_fga),
                paint_points: zone.map(|z| z.paint_points),
                mid_range_fga: zone.map(|z| z.mid_range_fga),
                mid_range_points: zone.map(|z| z.mid_range_points),
                three_fga: zone.map(|z| z.three_fga),
                three_points: zone.map(|z| z.three_points),
                line,
                line_result: line.map(|l| line_result(b.points, l).to_string()),
            }
        })
        .collect()
}

/// Each game's line: the last one captured before its tip-off.
pub fn pre_game_lines(props: &[PropLineRow]) -> BTreeMap<String, ChosenLine> {
    let mut lines = BTreeMap::new();
    let tipoffs: BTreeSet<&str> = props.iter().map(|p| p.commence_time.as_str()).collect();
    for commence in tipoffs {
        let of_game: Vec<PropLineRow> = props
            .iter()
            .filter(|p| p.commence_time == commence)
            .cloned()
            .collect();
        lines.extend(current_lines(&of_game, Some(commence)));
    }
    lines
}

pub async fn run(
    deps: &Deps,
    req: &ProcessorRequest,
    date: &str,
    meta: &WriteMeta,
) -> Result<ProcessorResult> {
    let boxes = inputs::player_boxes(deps, date).await?;
    let teams = inputs::team_boxes(deps, date, &boxes).await?;
    let pbp: Vec<PbpPlayerRow> = deps
        .warehouse
        .rows(&Filter::new().eq("game_date", date))
        .await?;
    let props = inputs::points_lines(deps, date).await?;
    let lines = pre_game_lines(&props);
    let input_hash = hashing::combine(
        boxes
            .iter()
            .map(|b| b.row_hash.clone())
            .chain(teams.iter().map(|t| t.row_hash.clone()))
            .chain(pbp.iter().map(|r| hashing::row_hash(&r.values())))
            .chain(props.iter().map(|r| hashing::row_hash(&r.values())))
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str),
    );
    let zones: BTreeMap<(String, i64), PbpPlayerRow> = pbp
        .iter()
        .map(|z| ((z.game_id.clone(), z.player_id), z.clone()))
        .collect();
    let mut rows = transform(&boxes, &teams, &zones, &lines);
    let scope = entity_scope(req);
    if let Some(scope) = &scope {
        rows.retain(|r| scope.values.contains(&Value::Int(r.player_id)));
    }
    let stats = deps
        .warehouse
        .write_partition(date, scope.as_ref(), &rows, meta)
        .await?;
    Ok(crate::result::processor_result(
        NAME,
        date,
        boxes.len() + teams.len() + pbp.len() + props.len(),
        input_hash,
        stats,
        vec![],
    ))
}

/// Incremental runs narrow the write to the requested players.
pub fn entity_scope(req: &ProcessorRequest) -> Option<Scope> {
    let filter = req.entity_filter.as_ref()?;
    if filter.players.is_empty() {
        return None;
    }
    Some(Scope {
        column: "player_id",
        values: filter
            .players
            .iter()
            .filter_map(|p| p.parse::<i64>().ok())
            .map(Value::Int)
            .collect(),

        equals: vec![],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shooting_efficiency_by_hand() {
        // 28 points on 20 FGA and 9 FTA: 28 / (2 * (20 + 3.96)) = 0.5843
        assert_eq!(true_shooting(28, Some(20), Some(9)), Some(0.5843));
        // (8 + 0.5 * 4) / 20 = 0.5
        assert_eq!(effective_fg(Some(8), Some(4), Some(20)), Some(0.5));
        assert_eq!(true_shooting(0, Some(0), Some(0)), None);
        assert_eq!(line_result(28, 27.5), "OVER");
        assert_eq!(line_result(27, 27.0), "PUSH");
        assert_eq!(line_result(20, 27.5), "UNDER");
    }

    #[test]
    fn usage_rate_by_hand() {
        // (20 + 0.44 * 10 + 3) * (240 / 5) / (36 * (88 + 0.44 * 22 + 14)) = 0.3271
        let p = PlayerBox {
            game_date: "d".into(),
            game_id: "g".into(),
            player_id: 1,
            player_name: "p".into(),
            team: "BOS".into(),
            opponent: "NYK".into(),
            home: 1,
            source: "nbac",
            minutes: Some(36.0),
            points: 30,
            fgm: Some(10),
            fga: Some(20),
            fg3m: Some(2),
            fg3a: Some(6),
            ftm: Some(8),
            fta: Some(10),
            reb: None,
            ast: None,
            tov: Some(3),
            row_hash: String::new(),
        };
        let team = TeamBox {
            game_date: "d".into(),
            game_id: "g".into(),
            team: "BOS".into(),
            opponent: "NYK".into(),
            home: 1,
            source: "nbac_team_box",
            minutes: 240.0,
            points: 110,
            fgm: 40,
            fga: 88,
            fg3m: 12,
            fg3a: 35,
            ftm: 18,
            fta: 22,
            tov: 14,
            oreb: Some(10),
            row_hash: String::new(),
        };
        assert_eq!(usage_rate(&p, &team), Some(0.3271));
        let bench = PlayerBox {
            minutes: Some(0.0),
            ..p
        };
        assert_eq!(usage_rate(&bench, &team), None);
    }
}
