//! `fair_points`: what a player should score, worked out without looking at the line: the
//! minutes-times-rate projection of [`crate::precompute::fair_projection`], from every box
//! score of this season and the last. An independent opinion the ensemble weighs against the
//! line like any member.

use std::collections::BTreeMap;

use nbaprops_proto::{ProcessorRequest, ProcessorResult};

use super::inputs::{load_batch, Candidate};
use super::system::{run_system, spread_confidence, Estimate, System};
use crate::analytics::player_game_summary::GameSummaryRow;
use crate::analytics::upcoming_player_game_context::days_before;
use crate::error::{PipelineError, Result};
use crate::precompute::fair_projection::{project, PlayedGame};
use crate::storage::warehouse::{Filter, WriteMeta};
use crate::Deps;

pub const NAME: &str = "fair_points";
pub const MODEL_VERSION: &str = "fair_points-v1";
pub const EDGE_THRESHOLD: f64 = 1.5;
/// Box scores read: enough to reach the start of last season from any date of this one.
pub const LOOKBACK_DAYS: i64 = 400;

pub fn system() -> System {
    System {
        name: NAME,
        model_version: MODEL_VERSION.to_string(),
        edge_threshold: EDGE_THRESHOLD,
    }
}

/// The NBA season a date belongs to, by the year it starts in (the same August turnover as
/// the daily cache's season-to-date figures).
pub fn season_of(date: &str) -> Option<i32> {
    crate::precompute::season_start(date)
        .ok()
        .and_then(|start| start[..4].parse().ok())
}

pub fn estimate(
    games: &[PlayedGame],
    c: &Candidate,
    date: &str,
) -> std::result::Result<Estimate, String> {
    let points = project(games, date)?;
    Ok(Estimate {
        points,
        confidence: spread_confidence(points, c),
    })
}

/// The batch's players' box scores of the last [`LOOKBACK_DAYS`] before the date.
async fn games_of(deps: &Deps, ids: &[i64], date: &str) -> Result<BTreeMap<i64, Vec<PlayedGame>>> {
    let rows: Vec<GameSummaryRow> = deps
        .warehouse
        .rows(
            &Filter::new()
                .range("game_date", days_before(date, LOOKBACK_DAYS)?, date)
                .is_in("player_id", ids.iter().copied()),
        )
        .await?;
    let mut out: BTreeMap<i64, Vec<PlayedGame>> = BTreeMap::new();
    for r in rows {
        out.entry(r.player_id).or_default().push(PlayedGame {
            game_date: r.game_date,
            minutes: r.minutes.unwrap_or(0.0),
            points: r.points as f64,
        });
    }
    Ok(out)
}

pub async fn run(
    deps: &Deps,
    req: &ProcessorRequest,
    date: &str,
    meta: &WriteMeta,
) -> Result<ProcessorResult> {
    if season_of(date).is_none() {
        return Err(PipelineError::InvalidRequest(format!(
            "{NAME}: {date} is not a date"
        )));
    }
    let batch = load_batch(deps, req, date).await?;
    let ids: Vec<i64> = batch.candidates.iter().map(|c| c.player_id).collect();
    let games = games_of(deps, &ids, date).await?;
    // What the box scores add to the batch's inputs: every game read, in a fixed order.
    let read: Vec<String> = games
        .iter()
        .flat_map(|(id, gs)| {
            gs.iter()
                .map(move |g| format!("{id} {} {} {}", g.game_date, g.minutes, g.points))
        })
        .collect();
    let extra = crate::hashing::combine(read.iter().map(String::as_str));
    run_system(deps, &batch, &system(), &extra, meta, |c| {
        estimate(games.get(&c.player_id).map_or(&[], Vec::as_slice), c, date)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::precompute::fair_projection::tests::game;
    use crate::predict::moving_average::tests::candidate;

    #[test]
    fn seasons_start_in_the_autumn() {
        assert_eq!(season_of("2025-10-21"), Some(2025));
        assert_eq!(season_of("2026-04-10"), Some(2025));
        assert_eq!(season_of("2026-06-15"), Some(2025));
        assert_eq!(season_of("nope"), None);
    }

    #[test]
    fn the_estimate_is_the_projection() {
        let games: Vec<PlayedGame> = (1..=5)
            .map(|d| game(&format!("2025-03-{d:02}"), 30.0, 15.0))
            .collect();
        let e = estimate(&games, &candidate(20.5, &[]), "2025-10-21").unwrap();
        assert_eq!(e.points, project(&games, "2025-10-21").unwrap());
        assert!(estimate(&[], &candidate(20.5, &[]), "2025-10-21").is_err());
    }
}
