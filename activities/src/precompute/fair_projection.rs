//! The fair points projection: what a player should score, worked out without the line.
//!
//! Points are minutes times points per minute, and the two settle at different speeds: a
//! coach's rotation shows in a few games, a scorer's rate needs many more. So each is projected
//! on its own from every box score of this season and the last (lined or not), and each is
//! shrunk toward last season's value by the games played this season:
//! - minutes: the mean of his last [`RECENT_GAMES`] games this season, weighted
//!   `n / (n + MINUTES_PRIOR_GAMES)` against last season's mean minutes;
//! - points per minute: this season's points over its minutes, weighted
//!   `n / (n + RATE_PRIOR_GAMES)` against last season's rate.
//!
//! With no game last season (a rookie, or the first season of the data) the current values
//! stand alone; with no game this season, last season's do (the first nights of a season).
//! Games with no minutes (did not play) count for neither. The daily cache stores it
//! (`player_daily_cache.fair_points`, the feature `fair_minus_line`) and the `fair_points`
//! system predicts with it.

use super::{last_season_start, season_start};

/// Games of this season whose minutes make the current minutes.
pub const RECENT_GAMES: usize = 10;
/// Last season's minutes count as this many games of this one.
pub const MINUTES_PRIOR_GAMES: f64 = 4.0;
/// Last season's scoring rate counts as this many games of this one.
pub const RATE_PRIOR_GAMES: f64 = 15.0;

/// One earlier game of a player: when, how long he played, what he scored.
#[derive(Debug, Clone, PartialEq)]
pub struct PlayedGame {
    pub game_date: String,
    pub minutes: f64,
    pub points: f64,
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

#[cfg(test)]
pub mod tests {
    use super::*;

    pub fn game(date: &str, minutes: f64, points: f64) -> PlayedGame {
        PlayedGame {
            game_date: date.into(),
            minutes,
            points,
        }
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
