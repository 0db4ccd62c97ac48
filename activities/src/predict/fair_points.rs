//! `fair_points`: what a player should score, worked out without looking at the line.
//!
//! Points are minutes times points per minute, and the two settle at different speeds: a
//! coach's rotation shows in a few games, a scorer's rate needs many more. So each is projected
//! on its own from every box score of this season and the last (lined or not: no line is read),
//! and each is shrunk toward last season's value by the games played this season:
//! - minutes: the mean of his last [`RECENT_GAMES`] games this season, weighted
//!   `n / (n + MINUTES_PRIOR_GAMES)` against last season's mean minutes;
//! - points per minute: this season's points over its minutes, weighted
//!   `n / (n + RATE_PRIOR_GAMES)` against last season's rate.
//!
//! With no game last season (a rookie, or the first season of the data) the current values
//! stand alone; with no game this season, last season's do (the first nights of a season).
//! Games with no minutes (did not play) count for neither. The result is an independent
//! opinion the ensemble weighs against the line like any member.

use std::collections::BTreeMap;

use nbaprops_proto::{ProcessorRequest, ProcessorResult};

use super::inputs::{load_batch, Candidate};
use super::system::{run_system, spread_confidence, Estimate, System};
use crate::analytics::player_game_summary::GameSummaryRow;
use crate::analytics::upcoming_player_game_context::days_before;
use crate::error::{PipelineError, Result};
use crate::storage::warehouse::{Filter, WriteMeta};
use crate::Deps;

pub const NAME: &str = "fair_points";
pub const MODEL_VERSION: &str = "fair_points-v1";
pub const EDGE_THRESHOLD: f64 = 1.5;
/// Box scores read: enough to reach the start of last season from any date of this one.
pub const LOOKBACK_DAYS: i64 = 400;
/// Games of this season whose minutes make the current minutes.
pub const RECENT_GAMES: usize = 10;
/// Last season's minutes count as this many games of this one.
pub const MINUTES_PRIOR_GAMES: f64 = 4.0;
/// Last season's scoring rate counts as this many games of this one.
pub const RATE_PRIOR_GAMES: f64 = 15.0;

pub fn system() -> System {
    System {
        name: NAME,
        model_version: MODEL_VERSION.to_string(),
        edge_threshold: EDGE_THRESHOLD,
    }
}

/// One earlier game of a player: when, how long he played, what he scored.
#[derive(Debug, Clone, PartialEq)]
pub struct PlayedGame {
    pub game_date: String,
    pub minutes: f64,
    pub points: f64,
}

/// The NBA season a date belongs to, by the year it starts in (the same August turnover as
/// the daily cache's season-to-date figures).
pub fn season_of(date: &str) -> Option<i32> {
    crate::precompute::player_daily_cache::season_start(date)
        .ok()
        .and_then(|start| start[..4].parse().ok())
}

/// `n / (n + prior)` of `current` and the rest of `prior_value`; either alone when the other
/// is missing.
fn shrink(current: Option<f64>, n: f64, prior_value: Option<f64>, prior: f64) -> Option<f64> {
    match (current, prior_value) {
        (Some(c), Some(p)) => Some((n * c + prior * p) / (n + prior)),
        (c, p) => c.or(p),
    }
}

/// Mean minutes and points per minute over `games`, `None` when they are empty.
fn minutes_and_rate(games: &[&PlayedGame]) -> (Option<f64>, Option<f64>) {
    if games.is_empty() {
        return (None, None);
    }
    let minutes: f64 = games.iter().map(|g| g.minutes).sum();
    let points: f64 = games.iter().map(|g| g.points).sum();
    (
        Some(minutes / games.len() as f64),
        (minutes > 0.0).then(|| points / minutes),
    )
}

/// His fair points for `date` from his earlier games (any order; only those before `date`
/// count), or why there are none.
pub fn project(games: &[PlayedGame], date: &str) -> std::result::Result<f64, String> {
    use crate::precompute::player_daily_cache::{last_season_start, season_start};
    let (Ok(this_start), Ok(last_start)) = (season_start(date), last_season_start(date)) else {
        return Err(format!("{date} is not a date"));
    };
    let mut played: Vec<&PlayedGame> = games
        .iter()
        .filter(|g| g.minutes > 0.0 && g.game_date.as_str() < date)
        .collect();
    played.sort_by(|a, b| a.game_date.cmp(&b.game_date));
    // Dates compare as text: this season from its start, last season from its start to there.
    let (this, older): (Vec<&PlayedGame>, Vec<&PlayedGame>) =
        played.iter().partition(|g| g.game_date >= this_start);
    let last: Vec<&PlayedGame> = older
        .into_iter()
        .filter(|g| g.game_date >= last_start)
        .collect();
    if this.is_empty() && last.is_empty() {
        return Err("no game played this season or the last".to_string());
    }
    let recent = &this[this.len().saturating_sub(RECENT_GAMES)..];
    let (recent_minutes, _) = minutes_and_rate(recent);
    let (_, season_rate) = minutes_and_rate(&this);
    let (last_minutes, last_rate) = minutes_and_rate(&last);
    let minutes = shrink(
        recent_minutes,
        recent.len() as f64,
        last_minutes,
        MINUTES_PRIOR_GAMES,
    );
    let rate = shrink(season_rate, this.len() as f64, last_rate, RATE_PRIOR_GAMES);
    match (minutes, rate) {
        (Some(m), Some(r)) => Ok(m * r),
        _ => Err("no minutes played this season or the last".to_string()),
    }
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
    use crate::predict::moving_average::tests::candidate;

    fn game(date: &str, minutes: f64, points: f64) -> PlayedGame {
        PlayedGame {
            game_date: date.into(),
            minutes,
            points,
        }
    }

    #[test]
    fn seasons_start_in_the_autumn() {
        assert_eq!(season_of("2025-10-21"), Some(2025));
        assert_eq!(season_of("2026-04-10"), Some(2025));
        assert_eq!(season_of("2026-06-15"), Some(2025));
        assert_eq!(season_of("nope"), None);
    }

    #[test]
    fn a_projection_by_hand() {
        // Last season: 30 minutes a game at 0.5 points a minute. This season, 2 games of 36
        // minutes and 24 points (2/3 a minute).
        let mut games: Vec<PlayedGame> = (1..=20)
            .map(|d| game(&format!("2025-01-{d:02}"), 30.0, 15.0))
            .collect();
        games.push(game("2025-10-22", 36.0, 24.0));
        games.push(game("2025-10-24", 36.0, 24.0));
        // Did not play: counts for nothing. After the date: never read.
        games.push(game("2025-10-25", 0.0, 0.0));
        games.push(game("2025-10-27", 40.0, 50.0));
        // minutes = (2·36 + 4·30) / 6 = 32; rate = (2·2/3 + 15·0.5) / 17 = 8.8333/17.
        let expected = 32.0 * ((2.0 * 2.0 / 3.0 + 15.0 * 0.5) / 17.0);
        let p = project(&games, "2025-10-26").unwrap();
        assert!((p - expected).abs() < 1e-9, "{p} vs {expected}");
        let e = estimate(&games, &candidate(20.5, &[]), "2025-10-26").unwrap();
        assert!((e.points - expected).abs() < 1e-9);
    }

    #[test]
    fn opening_night_and_rookies() {
        // Opening night: last season alone, 30 minutes at 0.5.
        let veteran: Vec<PlayedGame> = (1..=5)
            .map(|d| game(&format!("2025-03-{d:02}"), 30.0, 15.0))
            .collect();
        assert_eq!(project(&veteran, "2025-10-21").unwrap(), 15.0);
        // A rookie's third game: this season alone.
        let rookie = vec![
            game("2025-10-22", 20.0, 10.0),
            game("2025-10-24", 30.0, 20.0),
        ];
        assert_eq!(project(&rookie, "2025-10-26").unwrap(), 25.0 * 0.6);
        // Nothing at all, or only last season's games from two seasons back: no projection.
        assert!(project(&[], "2025-10-21").is_err());
        let old = vec![game("2023-12-01", 30.0, 15.0)];
        assert!(project(&old, "2025-10-21")
            .unwrap_err()
            .contains("no game played"));
    }
}
