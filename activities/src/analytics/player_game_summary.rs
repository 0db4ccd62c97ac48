//! `player_game_summary`: each player's game with true shooting, effective FG% and the result
//! against his pre-game points line (the line as it stood at tip-off).

use nbaprops_proto::{ProcessorRequest, ProcessorResult};

use crate::error::Result;
use crate::hashing;
use crate::lines::{current_lines, ChosenLine};
use crate::names::player_lookup;
use crate::raw::nbac_player_boxscores::BoxScoreRow;
use crate::raw::oddsa_player_props::PropLineRow;
use crate::storage::warehouse::{Scope, WriteMeta};
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
        minutes: Option<f64>,
        points: i64,
        ts_pct: Option<f64>,
        efg_pct: Option<f64>,
        line: Option<f64>,
        line_result: Option<String>,
    }
}

/// Rounded to 4 places so the stored value and its hash do not depend on float noise.
fn round4(x: f64) -> f64 {
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

pub fn transform(
    box_scores: &[BoxScoreRow],
    lines: &std::collections::BTreeMap<String, ChosenLine>,
) -> Vec<GameSummaryRow> {
    box_scores
        .iter()
        .map(|b| {
            let line = lines.get(&player_lookup(&b.player_name)).map(|l| l.line);
            GameSummaryRow {
                game_date: b.game_date.clone(),
                game_id: b.game_id.clone(),
                player_id: b.player_id,
                player_name: b.player_name.clone(),
                team: b.team.clone(),
                opponent: b.opponent.clone(),
                home: b.home,
                minutes: b.minutes,
                points: b.points,
                ts_pct: true_shooting(b.points, b.fga, b.fta),
                efg_pct: effective_fg(b.fgm, b.fg3m, b.fga),
                line,
                line_result: line.map(|l| line_result(b.points, l).to_string()),
            }
        })
        .collect()
}

pub async fn run(
    deps: &Deps,
    req: &ProcessorRequest,
    date: &str,
    meta: &WriteMeta,
) -> Result<ProcessorResult> {
    let box_scores: Vec<BoxScoreRow> = deps
        .warehouse
        .select("game_date = ?", &[date.into()])
        .await?;
    let props: Vec<PropLineRow> = deps
        .warehouse
        .select("game_date = ?", &[date.into()])
        .await?;
    // A game's line is the last one captured before its tip-off.
    let mut lines = std::collections::BTreeMap::new();
    for commence in props
        .iter()
        .map(|p| p.commence_time.clone())
        .collect::<std::collections::BTreeSet<_>>()
    {
        let of_game: Vec<PropLineRow> = props
            .iter()
            .filter(|p| p.commence_time == commence)
            .cloned()
            .collect();
        lines.extend(current_lines(&of_game, Some(&commence)));
    }
    let input_hash = hashing::combine(
        box_scores
            .iter()
            .map(|r| hashing::row_hash(&r.values()))
            .chain(props.iter().map(|r| hashing::row_hash(&r.values())))
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str),
    );
    let mut rows = transform(&box_scores, &lines);
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
        box_scores.len() + props.len(),
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
}
