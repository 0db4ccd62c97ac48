//! `player_daily_cache`: for each player, his scoring as of the morning of a game date:
//! last-5, last-10 and season averages, last-10 spread, minutes (mean and spread over the
//! last 10) and usage (last 5, last 10, season), and his fair points
//! ([`super::fair_projection`]). Point in time: only games before the date are read, of this
//! season and the last.
//!
//! Early in a season a player's few games say little, and on opening night none: until he has
//! [`FULL_SEASON_GAMES`] games this season, every figure is blended with the same figure over
//! last season's games, last season weighing `(FULL_SEASON_GAMES − n) / FULL_SEASON_GAMES` after
//! `n` games (all of it on opening night, none from the tenth game on). A player with no game
//! last season (a rookie, or the first season of the data) has this season's figures alone.
//! `games_played` stays this season's count.

use std::collections::BTreeMap;

use nbaprops_proto::{ProcessorRequest, ProcessorResult};

use crate::analytics::player_game_summary::{entity_scope, GameSummaryRow};
use crate::error::Result;
use crate::storage::warehouse::WriteMeta;
use crate::storage::Value;
use crate::Deps;

pub const NAME: &str = "player_daily_cache";

/// Games this season at which last season's figures reach zero weight.
pub const FULL_SEASON_GAMES: usize = 10;

crate::warehouse_table! {
    pub struct DailyCacheRow in "player_daily_cache" {
        partition: cache_date,
        key: [player_id],
        entities: [(player_id, Player)],
        mode: Replace,
    } {
        cache_date: String,
        player_id: i64,
        games_played: i64,
        last_game_date: String,
        points_avg_l5: f64,
        points_avg_l10: f64,
        points_avg_season: f64,
        points_std_l10: f64,
        minutes_avg_l10: Option<f64>,
        minutes_std_l10: Option<f64>,
        usage_avg_l5: Option<f64>,
        usage_avg_l10: Option<f64>,
        usage_avg_season: Option<f64>,
        fair_points: Option<f64>,
    }
}

use super::fair_projection::{project, PlayedGame};
use super::{last_season_start, mean_opt, round4, season_start, std_opt};

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// Population standard deviation.
fn std_dev(xs: &[f64]) -> f64 {
    let m = mean(xs);
    (xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / xs.len() as f64).sqrt()
}

/// A player's figures over one season's games (newest first, at least one).
struct Form {
    l5: f64,
    l10: f64,
    season: f64,
    std_l10: f64,
    minutes_l10: Option<f64>,
    minutes_std_l10: Option<f64>,
    usage_l5: Option<f64>,
    usage_l10: Option<f64>,
    usage_season: Option<f64>,
}

impl Form {
    fn of(gs: &[&GameSummaryRow]) -> Form {
        let points: Vec<f64> = gs.iter().map(|g| g.points as f64).collect();
        let l5 = &points[..points.len().min(5)];
        let l10 = &points[..points.len().min(10)];
        let minutes: Vec<f64> = gs.iter().take(10).filter_map(|g| g.minutes).collect();
        // Usage over the games that have one (NULL: no box score with team totals).
        let usage = |n: usize| -> Option<f64> {
            let xs: Vec<f64> = gs.iter().take(n).filter_map(|g| g.usage_pct).collect();
            mean_opt(&xs)
        };
        Form {
            l5: mean(l5),
            l10: mean(l10),
            season: mean(&points),
            std_l10: std_dev(l10),
            minutes_l10: mean_opt(&minutes),
            minutes_std_l10: std_opt(&minutes),
            usage_l5: usage(5),
            usage_l10: usage(10),
            usage_season: usage(usize::MAX),
        }
    }

    /// `self` (this season) with `last` season's weighing `w`; a figure one side lacks is the
    /// other side's.
    fn blend(self, last: &Form, w: f64) -> Form {
        let mix = |a: f64, b: f64| (1.0 - w) * a + w * b;
        let mix_opt = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) => Some(mix(a, b)),
            (a, b) => a.or(b),
        };
        Form {
            l5: mix(self.l5, last.l5),
            l10: mix(self.l10, last.l10),
            season: mix(self.season, last.season),
            std_l10: mix(self.std_l10, last.std_l10),
            minutes_l10: mix_opt(self.minutes_l10, last.minutes_l10),
            minutes_std_l10: mix_opt(self.minutes_std_l10, last.minutes_std_l10),
            usage_l5: mix_opt(self.usage_l5, last.usage_l5),
            usage_l10: mix_opt(self.usage_l10, last.usage_l10),
            usage_season: mix_opt(self.usage_season, last.usage_season),
        }
    }
}

/// One row per player with a game before `date`, this season or the last (the caller passes
/// only those).
pub fn transform<'a>(
    date: &str,
    games: impl IntoIterator<Item = &'a GameSummaryRow>,
) -> Vec<DailyCacheRow> {
    let season = season_start(date).unwrap_or_default();
    let mut by_player: BTreeMap<i64, Vec<&GameSummaryRow>> = BTreeMap::new();
    for g in games.into_iter().filter(|g| g.game_date.as_str() < date) {
        by_player.entry(g.player_id).or_default().push(g);
    }
    by_player
        .into_iter()
        .map(|(player_id, mut gs)| {
            // Newest first; game id breaks ties so the order never depends on load order.
            gs.sort_by(|a, b| (&b.game_date, &b.game_id).cmp(&(&a.game_date, &a.game_id)));
            let (this, last): (Vec<&GameSummaryRow>, Vec<&GameSummaryRow>) =
                gs.iter().copied().partition(|g| g.game_date >= season);
            let n = this.len();
            let form = match (this.is_empty(), last.is_empty()) {
                (false, true) => Form::of(&this),
                (true, _) => Form::of(&last),
                (false, false) => {
                    let w = FULL_SEASON_GAMES.saturating_sub(n) as f64 / FULL_SEASON_GAMES as f64;
                    Form::of(&this).blend(&Form::of(&last), w)
                }
            };
            let played: Vec<PlayedGame> = gs
                .iter()
                .map(|g| PlayedGame {
                    game_date: g.game_date.clone(),
                    minutes: g.minutes.unwrap_or(0.0),
                    points: g.points as f64,
                })
                .collect();
            DailyCacheRow {
                cache_date: date.to_string(),
                player_id,
                games_played: n as i64,
                last_game_date: gs[0].game_date.clone(),
                points_avg_l5: round4(form.l5),
                points_avg_l10: round4(form.l10),
                points_avg_season: round4(form.season),
                points_std_l10: round4(form.std_l10),
                minutes_avg_l10: form.minutes_l10.map(round4),
                minutes_std_l10: form.minutes_std_l10.map(round4),
                usage_avg_l5: form.usage_l5.map(round4),
                usage_avg_l10: form.usage_l10.map(round4),
                usage_avg_season: form.usage_season.map(round4),
                fair_points: project(&played, date).ok().map(round4),
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
    let start = last_season_start(date)?;
    let games = deps
        .warehouse
        .select_window::<GameSummaryRow>(&start, date)
        .await?;
    let input_hash = games.input_hash.clone();
    let mut rows = transform(date, games.iter());
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
        games.len(),
        input_hash,
        stats,
        vec![],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn game(date: &str, player_id: i64, points: i64) -> GameSummaryRow {
        GameSummaryRow::sample(date, player_id, points, 30.0)
    }

    #[test]
    fn averages_by_hand_and_never_the_day_itself() {
        // Twelve games scoring 1..=12 on consecutive days, then a 99 on the cache date.
        let mut games: Vec<GameSummaryRow> = (1..=12)
            .map(|d| game(&format!("2025-01-{d:02}"), 7, d))
            .collect();
        games.push(game("2025-01-13", 7, 99));
        let rows = transform("2025-01-13", &games);
        assert_eq!(rows.len(), 1);
        let r = &rows[0];
        assert_eq!(r.games_played, 12);
        assert_eq!(r.last_game_date, "2025-01-12");
        assert_eq!(r.points_avg_l5, 10.0); // (12+11+10+9+8)/5
        assert_eq!(r.points_avg_l10, 7.5); // (12+...+3)/10
        assert_eq!(r.points_avg_season, 6.5); // (1+...+12)/12
        assert_eq!(r.points_std_l10, 2.8723); // sqrt(8.25)
        assert_eq!(r.minutes_avg_l10, Some(30.0));
        assert_eq!(r.minutes_std_l10, Some(0.0));
        assert_eq!(r.usage_avg_l10, None); // no usage in any game: NULL, not zero
    }

    #[test]
    fn usage_and_minutes_spread_by_hand() {
        // Newest first: usage 0.30, 0.20, none, 0.10; minutes 30, 20, 40, 30.
        let mut games = vec![];
        for (day, usage, minutes) in [
            (4, Some(0.30), 30.0),
            (3, Some(0.20), 20.0),
            (2, None, 40.0),
            (1, Some(0.10), 30.0),
        ] {
            let mut g = GameSummaryRow::sample(&format!("2025-01-{day:02}"), 7, 10, minutes);
            g.usage_pct = usage;
            games.push(g);
        }
        let r = &transform("2025-01-05", &games)[0];
        assert_eq!(r.usage_avg_l10, Some(0.2)); // (0.3 + 0.2 + 0.1) / 3
        assert_eq!(r.usage_avg_season, Some(0.2));
        assert_eq!(r.minutes_avg_l10, Some(30.0));
        assert_eq!(r.minutes_std_l10, Some(7.0711)); // sqrt((0 + 100 + 100 + 0) / 4)
                                                     // L5 is the newest five games; with four, the same three usages.
        assert_eq!(r.usage_avg_l5, Some(0.2));
        // Six games, the newest with usage 0.50: L5 drops the oldest (0.10).
        let mut g = GameSummaryRow::sample("2025-01-05", 7, 10, 30.0);
        g.usage_pct = Some(0.5);
        games.push(g.clone());
        let mut g0 = GameSummaryRow::sample("2024-12-31", 7, 10, 30.0);
        g0.usage_pct = Some(0.9);
        games.push(g0);
        let r = &transform("2025-01-06", &games)[0];
        // Newest five: 0.5, 0.3, 0.2, none, 0.1 -> 1.1 / 4; season adds the 0.9: 2.0 / 5.
        assert_eq!(r.usage_avg_l5, Some(0.275));
        assert_eq!(r.usage_avg_season, Some(0.4));
    }

    #[tokio::test]
    async fn round_trip_is_idempotent() {
        let (_d, deps) = crate::raw::test_support::temp_deps().await;
        let meta = crate::raw::test_support::meta();
        let games: Vec<GameSummaryRow> = vec![game("2025-01-01", 7, 10), game("2025-01-02", 8, 20)];
        for g in &games {
            deps.warehouse
                .write_partition(&g.game_date, None, std::slice::from_ref(g), &meta)
                .await
                .unwrap();
        }
        let req = crate::precompute::test_support::request(NAME, "2025-01-03");
        let first = run(&deps, &req, "2025-01-03", &meta).await.unwrap();
        let again = run(&deps, &req, "2025-01-03", &meta).await.unwrap();
        crate::raw::test_support::assert_idempotent(&first, &again, 2);
    }

    #[test]
    fn last_season_carries_the_first_games_of_a_season() {
        // Last season: 12 games of 20 points. This season, from 2025-08-01: games of 30.
        let mut games: Vec<GameSummaryRow> = (1..=12)
            .map(|d| game(&format!("2025-03-{d:02}"), 7, 20))
            .collect();
        // Opening night: last season alone, and no game this season yet.
        let r = &transform("2025-10-21", &games)[0];
        assert_eq!(
            (r.games_played, r.points_avg_l10, r.points_avg_season),
            (0, 20.0, 20.0)
        );
        assert_eq!(r.last_game_date, "2025-03-12");
        // Four games in: last season weighs (10 - 4) / 10 = 0.6: 0.4·30 + 0.6·20 = 24.
        for d in 22..=25 {
            games.push(game(&format!("2025-10-{d}"), 7, 30));
        }
        let r = &transform("2025-10-26", &games)[0];
        assert_eq!(r.games_played, 4);
        assert_eq!(r.points_avg_l10, 24.0);
        assert_eq!(r.points_avg_season, 24.0);
        // Spread: this season's 0, last season's 0: 0.
        assert_eq!(r.points_std_l10, 0.0);
        // From the tenth game on, this season alone.
        for d in 1..=6 {
            games.push(game(&format!("2025-11-0{d}"), 7, 30));
        }
        let r = &transform("2025-11-07", &games)[0];
        assert_eq!((r.games_played, r.points_avg_l10), (10, 30.0));
        // A rookie: this season alone.
        let rookie = vec![game("2025-10-22", 9, 12)];
        let r = &transform("2025-10-23", &rookie)[0];
        assert_eq!((r.games_played, r.points_avg_l10), (1, 12.0));
    }

    #[test]
    fn seasons_start_in_august() {
        assert_eq!(season_start("2025-03-15").unwrap(), "2024-08-01");
        assert_eq!(season_start("2025-10-22").unwrap(), "2025-08-01");
    }
}
