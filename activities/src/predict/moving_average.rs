//! `moving_average`: a player's last-10 scoring average against today's line.
//!
//! The simplest honest baseline: predicted points = mean of his last ten games this season
//! (fewer if he has played fewer, at least three). OVER / UNDER when it clears the line by
//! `EDGE_THRESHOLD` points, PASS otherwise; confidence grows with the edge relative to his
//! recent spread.

use std::collections::BTreeMap;

use nbaprops_proto::{ProcessorRequest, ProcessorResult};

use super::predictions::{recommendation, PredictionRow};
use crate::analytics::player_game_summary::entity_scope;
use crate::error::Result;
use crate::hashing;
use crate::lines::{current_lines, ChosenLine};
use crate::precompute::player_daily_cache::DailyCacheRow;
use crate::storage::warehouse::WriteMeta;
use crate::storage::TableRow;
use crate::Deps;

pub const NAME: &str = "moving_average";
pub const MODEL_VERSION: &str = "moving_average-v1";
pub const EDGE_THRESHOLD: f64 = 1.5;
pub const MIN_GAMES: i64 = 3;

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// A prediction for each player that has both a cache row and a line.
pub fn predict(
    date: &str,
    players: &[(i64, String, String)],
    cache: &BTreeMap<i64, DailyCacheRow>,
    lines: &BTreeMap<String, ChosenLine>,
) -> (Vec<PredictionRow>, Vec<String>) {
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    for (player_id, name, lookup) in players {
        let Some(line) = lines.get(lookup) else {
            warnings.push(format!("{name} ({player_id}) has no line for {date}"));
            continue;
        };
        let Some(c) = cache.get(player_id) else {
            warnings.push(format!(
                "{name} ({player_id}) has no games this season before {date}"
            ));
            continue;
        };
        if c.games_played < MIN_GAMES {
            warnings.push(format!(
                "{name} ({player_id}) has {} games before {date}; {MIN_GAMES} needed",
                c.games_played
            ));
            continue;
        }
        let predicted = round2(c.points_avg_l10);
        let edge = round2(predicted - line.line);
        let confidence = round2((edge.abs() / c.points_std_l10.max(1.0)).min(1.0));
        out.push(PredictionRow {
            game_date: date.to_string(),
            player_id: *player_id,
            system: NAME.to_string(),
            model_version: MODEL_VERSION.to_string(),
            player_name: name.clone(),
            predicted_points: predicted,
            line: line.line,
            line_source: line.bookmaker.clone(),
            line_snapshot_time: line.snapshot_time.clone(),
            over_price: line.over_price,
            under_price: line.under_price,
            recommendation: recommendation(edge, EDGE_THRESHOLD).to_string(),
            edge,
            confidence,
            feature_hash: hashing::row_hash(&c.values()),
        });
    }
    (out, warnings)
}

pub async fn run(
    deps: &Deps,
    req: &ProcessorRequest,
    date: &str,
    meta: &WriteMeta,
) -> Result<ProcessorResult> {
    let Some(scope) = entity_scope(req) else {
        return Err(crate::error::PipelineError::InvalidRequest(format!(
            "{NAME} for {date}: a batch must name its players (entity_filter.players)"
        )));
    };
    let ids: Vec<i64> = req
        .entity_filter
        .as_ref()
        .map(|f| f.players.iter().filter_map(|p| p.parse().ok()).collect())
        .unwrap_or_default();
    let placeholders = vec!["?"; ids.len()].join(", ");
    let binds: Vec<crate::storage::Value> = ids.iter().map(|i| (*i).into()).collect();
    let players: Vec<(i64, String, String)> = {
        let sql = format!(
            "SELECT player_id, player_name, player_lookup FROM players WHERE player_id IN ({placeholders}) ORDER BY player_id"
        );
        let mut q = sqlx::query_as(&sql);
        for id in &ids {
            q = q.bind(*id);
        }
        q.fetch_all(deps.warehouse.pool()).await?
    };
    let mut cache_binds = vec![date.into()];
    cache_binds.extend(binds);
    let cache_rows: Vec<DailyCacheRow> = deps
        .warehouse
        .select(
            &format!("cache_date = ? AND player_id IN ({placeholders})"),
            &cache_binds,
        )
        .await?;
    let props = crate::analytics::inputs::points_lines(deps, date).await?;
    let lines = current_lines(&props, None);
    let input_hash = hashing::combine(
        cache_rows
            .iter()
            .map(|r| hashing::row_hash(&r.values()))
            .chain(lines.values().map(|l| {
                hashing::row_hash(&[
                    l.player_lookup.clone().into(),
                    l.line.into(),
                    l.snapshot_time.clone().into(),
                ])
            }))
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str),
    );
    let cache: BTreeMap<i64, DailyCacheRow> =
        cache_rows.into_iter().map(|r| (r.player_id, r)).collect();
    let (rows, warnings) = predict(date, &players, &cache, &lines);
    let stats = deps
        .warehouse
        .write_partition(date, Some(&scope), &rows, meta)
        .await?;
    Ok(crate::result::processor_result(
        NAME,
        date,
        cache.len(),
        input_hash,
        stats,
        warnings,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache_row(player_id: i64, l10: f64, std: f64, games: i64) -> DailyCacheRow {
        DailyCacheRow {
            cache_date: "2025-01-13".into(),
            player_id,
            games_played: games,
            last_game_date: "2025-01-12".into(),
            points_avg_l5: l10,
            points_avg_l10: l10,
            points_avg_season: l10,
            points_std_l10: std,
            minutes_avg_l10: None,
            minutes_std_l10: None,
            usage_avg_l5: None,
            usage_avg_l10: None,
            usage_avg_season: None,
        }
    }

    fn line(lookup: &str, l: f64) -> ChosenLine {
        ChosenLine {
            player_lookup: lookup.into(),
            player_name: lookup.into(),
            line: l,
            bookmaker: "draftkings".into(),
            snapshot_time: "2025-01-13T16:00:00Z".into(),
            over_price: Some(-110),
            under_price: Some(-110),
        }
    }

    #[test]
    fn over_under_pass_by_hand() {
        let players = vec![
            (1, "A".to_string(), "a".to_string()),
            (2, "B".to_string(), "b".to_string()),
            (3, "C".to_string(), "c".to_string()),
            (4, "D".to_string(), "d".to_string()),
            (5, "E".to_string(), "e".to_string()),
        ];
        let cache: BTreeMap<i64, DailyCacheRow> = [
            cache_row(1, 25.0, 4.0, 10),
            cache_row(2, 18.2, 2.0, 10),
            cache_row(3, 20.0, 5.0, 10),
            cache_row(4, 30.0, 5.0, 2),
        ]
        .into_iter()
        .map(|r| (r.player_id, r))
        .collect();
        let lines: BTreeMap<String, ChosenLine> = [
            line("a", 22.5),
            line("b", 20.5),
            line("c", 19.5),
            line("d", 20.5),
            line("e", 10.5),
        ]
        .into_iter()
        .map(|l| (l.player_lookup.clone(), l))
        .collect();
        let (rows, warnings) = predict("2025-01-13", &players, &cache, &lines);
        assert_eq!(rows.len(), 3);
        assert_eq!(
            (rows[0].edge, rows[0].recommendation.as_str()),
            (2.5, "OVER")
        );
        assert_eq!(rows[0].confidence, 0.63); // 2.5 / 4
        assert_eq!(
            (rows[1].edge, rows[1].recommendation.as_str()),
            (-2.3, "UNDER")
        );
        assert_eq!(
            (rows[2].edge, rows[2].recommendation.as_str()),
            (0.5, "PASS")
        );
        assert_eq!(warnings.len(), 2, "{warnings:?}"); // D: too few games, E: no history
    }
}
