//! `team_defense_zone_analysis`: each team's defense as of the morning of a game date, over its
//! last 15 games before the date: points allowed per game, defensive rating
//! (100 × points allowed / opponent possessions, summed over the window), the pace of its
//! games, the opponents' FG% in the paint, from mid-range and from three and each zone's share
//! of the located opponent shots, and every value minus the league's.
//!
//! While the season has fewer than 15 games, last season's final games fill the window at
//! [`LAST_SEASON_WEIGHT`] each: a defence carries over from one season to the next (the same
//! coach, most of the roster), but less surely than this season's own games say. So the first
//! nights of a season have a rating instead of none, and it moves to this season's as its
//! games come in.
//!
//! The league value is the mean over the teams with a value of their own window's values (the
//! same window: each team's last 15 games before the date), so a team's `*_vs_league` says how
//! it compares with a typical team right now. Zone fields use only the games with a play-by-play
//! and are NULL when the window has none.

use std::collections::BTreeMap;

use nbaprops_proto::{ProcessorRequest, ProcessorResult};

use super::{mean_opt, ratio, round4};
use crate::analytics::team_defense_game_summary::TeamDefenseRow;
use crate::analytics::team_offense_game_summary::TeamOffenseRow;
use crate::error::Result;
use crate::storage::warehouse::WriteMeta;
use crate::Deps;

pub const NAME: &str = "team_defense_zone_analysis";

/// Games in a team's window.
pub const WINDOW: usize = 15;
/// What one of last season's games counts for in a window, against one of this season's.
pub const LAST_SEASON_WEIGHT: f64 = 0.5;

crate::warehouse_table! {
    pub struct TeamDefenseZoneRow in "team_defense_zone_analysis" {
        partition: analysis_date,
        key: [team],
        entities: [(team, Team)],
        mode: Replace,
    } {
        analysis_date: String,
        team: String,
        games: i64,
        zone_games: i64,
        last_game_date: String,
        points_allowed_avg: f64,
        defensive_rating: f64,
        pace: Option<f64>,
        opp_paint_fg_pct: Option<f64>,
        opp_mid_range_fg_pct: Option<f64>,
        opp_three_fg_pct: Option<f64>,
        opp_paint_share: Option<f64>,
        opp_mid_range_share: Option<f64>,
        opp_three_share: Option<f64>,
        league_pace: Option<f64>,
        points_allowed_vs_league: f64,
        defensive_rating_vs_league: f64,
        pace_vs_league: Option<f64>,
        opp_paint_fg_pct_vs_league: Option<f64>,
        opp_mid_range_fg_pct_vs_league: Option<f64>,
        opp_three_fg_pct_vs_league: Option<f64>,
        opp_paint_share_vs_league: Option<f64>,
        opp_mid_range_share_vs_league: Option<f64>,
        opp_three_share_vs_league: Option<f64>,
    }
}

/// Unrounded per-team values before the league comparison.
struct TeamWindow {
    team: String,
    games: i64,
    zone_games: i64,
    last_game_date: String,
    points_allowed_avg: f64,
    defensive_rating: f64,
    pace: Option<f64>,
    /// paint, mid-range, three.
    fg_pct: [Option<f64>; 3],
    share: [Option<f64>; 3],
}

fn league_mean(values: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    let xs: Vec<f64> = values.flatten().collect();
    mean_opt(&xs)
}

fn diff(value: Option<f64>, league: Option<f64>) -> Option<f64> {
    Some(round4(value? - league?))
}

/// One row per team with a game before `date` (the caller passes this season's and last
/// season's games; rows on or after `date` are ignored). `offense` supplies the pace of each
/// team-game.
pub fn transform<'a>(
    date: &str,
    defense: impl IntoIterator<Item = &'a TeamDefenseRow>,
    offense: impl IntoIterator<Item = &'a TeamOffenseRow>,
) -> Vec<TeamDefenseZoneRow> {
    let pace: BTreeMap<(&str, &str), f64> = offense
        .into_iter()
        .map(|o| ((o.game_id.as_str(), o.team.as_str()), o.pace))
        .collect();
    let mut by_team: BTreeMap<&str, Vec<&TeamDefenseRow>> = BTreeMap::new();
    for d in defense.into_iter().filter(|d| d.game_date.as_str() < date) {
        by_team.entry(d.team.as_str()).or_default().push(d);
    }
    let season = super::season_start(date).unwrap_or_default();
    let windows: Vec<TeamWindow> = by_team
        .into_iter()
        .map(|(team, mut gs)| {
            // Newest first: this season's games, then last season's fill what is left.
            gs.sort_by(|a, b| (&b.game_date, &b.game_id).cmp(&(&a.game_date, &a.game_id)));
            gs.truncate(WINDOW);
            let weight = |g: &TeamDefenseRow| {
                if g.game_date >= season {
                    1.0
                } else {
                    LAST_SEASON_WEIGHT
                }
            };
            let total: f64 = gs.iter().map(|g| weight(g)).sum();
            let allowed: f64 = gs.iter().map(|g| weight(g) * g.points_allowed as f64).sum();
            let possessions: f64 = gs.iter().map(|g| weight(g) * g.possessions).sum();
            let (pace_sum, pace_weight) = gs
                .iter()
                .filter_map(|g| {
                    pace.get(&(g.game_id.as_str(), team))
                        .map(|p| (weight(g) * p, weight(g)))
                })
                .fold((0.0, 0.0), |(s, w), (p, wt)| (s + p, w + wt));
            // Zone totals over the games with a play-by-play.
            let zoned: Vec<&TeamDefenseRow> = gs
                .iter()
                .copied()
                .filter(|g| g.opp_paint_fga.is_some())
                .collect();
            let sum = |f: fn(&TeamDefenseRow) -> Option<i64>| -> f64 {
                zoned
                    .iter()
                    .filter_map(|g| f(g).map(|v| weight(g) * v as f64))
                    .sum()
            };
            let fgm = [
                sum(|g| g.opp_paint_fgm),
                sum(|g| g.opp_mid_range_fgm),
                sum(|g| g.opp_three_fgm),
            ];
            let fga = [
                sum(|g| g.opp_paint_fga),
                sum(|g| g.opp_mid_range_fga),
                sum(|g| g.opp_three_fga),
            ];
            let located: f64 = fga.iter().sum();
            TeamWindow {
                team: team.to_string(),
                games: gs.len() as i64,
                zone_games: zoned.len() as i64,
                last_game_date: gs[0].game_date.clone(),
                points_allowed_avg: allowed / total,
                defensive_rating: ratio(100.0 * allowed, possessions).unwrap_or(0.0),
                pace: (pace_weight > 0.0).then(|| pace_sum / pace_weight),
                fg_pct: [0, 1, 2].map(|z| ratio(fgm[z], fga[z])),
                share: [0, 1, 2].map(|z| ratio(fga[z], located)),
            }
        })
        .collect();

    let league_allowed = league_mean(windows.iter().map(|w| Some(w.points_allowed_avg)));
    let league_rating = league_mean(windows.iter().map(|w| Some(w.defensive_rating)));
    let league_pace = league_mean(windows.iter().map(|w| w.pace));
    let league_fg: [Option<f64>; 3] =
        [0, 1, 2].map(|z| league_mean(windows.iter().map(|w| w.fg_pct[z])));
    let league_share: [Option<f64>; 3] =
        [0, 1, 2].map(|z| league_mean(windows.iter().map(|w| w.share[z])));

    windows
        .into_iter()
        .map(|w| TeamDefenseZoneRow {
            analysis_date: date.to_string(),
            team: w.team,
            games: w.games,
            zone_games: w.zone_games,
            last_game_date: w.last_game_date,
            points_allowed_avg: round4(w.points_allowed_avg),
            defensive_rating: round4(w.defensive_rating),
            pace: w.pace.map(round4),
            opp_paint_fg_pct: w.fg_pct[0].map(round4),
            opp_mid_range_fg_pct: w.fg_pct[1].map(round4),
            opp_three_fg_pct: w.fg_pct[2].map(round4),
            opp_paint_share: w.share[0].map(round4),
            opp_mid_range_share: w.share[1].map(round4),
            opp_three_share: w.share[2].map(round4),
            league_pace: league_pace.map(round4),
            points_allowed_vs_league: diff(Some(w.points_allowed_avg), league_allowed)
                .unwrap_or(0.0),
            defensive_rating_vs_league: diff(Some(w.defensive_rating), league_rating)
                .unwrap_or(0.0),
            pace_vs_league: diff(w.pace, league_pace),
            opp_paint_fg_pct_vs_league: diff(w.fg_pct[0], league_fg[0]),
            opp_mid_range_fg_pct_vs_league: diff(w.fg_pct[1], league_fg[1]),
            opp_three_fg_pct_vs_league: diff(w.fg_pct[2], league_fg[2]),
            opp_paint_share_vs_league: diff(w.share[0], league_share[0]),
            opp_mid_range_share_vs_league: diff(w.share[1], league_share[1]),
            opp_three_share_vs_league: diff(w.share[2], league_share[2]),
        })
        .collect()
}

pub async fn run(
    deps: &Deps,
    req: &ProcessorRequest,
    date: &str,
    meta: &WriteMeta,
) -> Result<ProcessorResult> {
    let start = super::last_season_start(date)?;
    let defense = deps
        .warehouse
        .select_window::<TeamDefenseRow>(&start, date)
        .await?;
    let offense = deps
        .warehouse
        .select_window::<TeamOffenseRow>(&start, date)
        .await?;
    let input_hash =
        crate::hashing::combine([defense.input_hash.as_str(), offense.input_hash.as_str()]);
    let mut rows = transform(date, defense.iter(), offense.iter());
    let scope = super::team_scope(req);
    if let Some(scope) = &scope {
        rows.retain(|r| scope.values.contains(&r.team.clone().into()));
    }
    let stats = deps
        .warehouse
        .write_partition(date, scope.as_ref(), &rows, meta)
        .await?;
    Ok(crate::result::processor_result(
        NAME,
        date,
        defense.len() + offense.len(),
        input_hash,
        stats,
        vec![],
    ))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A defensive game: `allowed` points on 100 opponent possessions; zones when given as
    /// (paint fgm, fga, mid fgm, fga, three fgm, fga).
    pub fn defense(
        date: &str,
        team: &str,
        allowed: i64,
        zones: Option<[i64; 6]>,
    ) -> TeamDefenseRow {
        TeamDefenseRow {
            game_date: date.into(),
            game_id: format!("g{date}{team}"),
            team: team.into(),
            opponent: "XXX".into(),
            home: 1,
            points_allowed: allowed,
            opp_fgm: 40,
            opp_fga: 90,
            opp_fg3m: 12,
            opp_fg3a: 35,
            opp_paint_fgm: zones.map(|z| z[0]),
            opp_paint_fga: zones.map(|z| z[1]),
            opp_mid_range_fgm: zones.map(|z| z[2]),
            opp_mid_range_fga: zones.map(|z| z[3]),
            opp_three_fgm: zones.map(|z| z[4]),
            opp_three_fga: zones.map(|z| z[5]),
            possessions: 100.0,
            defensive_rating: allowed as f64,
        }
    }

    pub fn offense(date: &str, team: &str, pace: f64) -> TeamOffenseRow {
        TeamOffenseRow {
            game_date: date.into(),
            game_id: format!("g{date}{team}"),
            team: team.into(),
            opponent: "XXX".into(),
            home: 1,
            source: "nbac_team_box".into(),
            minutes: 240.0,
            points: 110,
            fgm: 40,
            fga: 90,
            fg3m: 12,
            fg3a: 35,
            ftm: 18,
            fta: 22,
            tov: 12,
            oreb: Some(10),
            possessions: 100.0,
            pace,
            offensive_rating: 110.0,
            efg_pct: None,
            ts_pct: None,
        }
    }

    #[test]
    fn window_league_and_zones_by_hand() {
        let defense_rows = vec![
            // BOS: two games, one with zones (paint 20/40, mid 5/10, three 10/30 -> 80 located).
            defense("2025-01-01", "BOS", 100, None),
            defense("2025-01-03", "BOS", 110, Some([20, 40, 5, 10, 10, 30])),
            // NYK: one game with zones (paint 30/50, mid 4/10, three 8/20 -> 80 located).
            defense("2025-01-02", "NYK", 120, Some([30, 50, 4, 10, 8, 20])),
            // On the date itself: ignored.
            defense("2025-01-04", "BOS", 200, Some([50, 50, 0, 0, 0, 0])),
        ];
        let offense_rows = vec![
            offense("2025-01-01", "BOS", 98.0),
            offense("2025-01-03", "BOS", 102.0),
            offense("2025-01-02", "NYK", 104.0),
        ];
        let rows = transform("2025-01-04", &defense_rows, &offense_rows);
        assert_eq!(rows.len(), 2);
        let bos = &rows[0];
        assert_eq!(
            (bos.team.as_str(), bos.games, bos.zone_games),
            ("BOS", 2, 1)
        );
        assert_eq!(bos.last_game_date, "2025-01-03");
        assert_eq!(bos.points_allowed_avg, 105.0);
        assert_eq!(bos.defensive_rating, 105.0); // 100 * 210 / 200
        assert_eq!(bos.pace, Some(100.0));
        assert_eq!(bos.opp_paint_fg_pct, Some(0.5));
        assert_eq!(bos.opp_three_fg_pct, Some(0.3333));
        assert_eq!(bos.opp_paint_share, Some(0.5)); // 40 / 80
        assert_eq!(bos.opp_three_share, Some(0.375)); // 30 / 80
                                                      // League: allowed (105 + 120) / 2 = 112.5; pace (100 + 104) / 2 = 102;
                                                      // paint FG% (0.5 + 0.6) / 2 = 0.55.
        assert_eq!(bos.league_pace, Some(102.0));
        assert_eq!(bos.points_allowed_vs_league, -7.5);
        assert_eq!(bos.pace_vs_league, Some(-2.0));
        assert_eq!(bos.opp_paint_fg_pct_vs_league, Some(-0.05));
        let nyk = &rows[1];
        assert_eq!(nyk.opp_paint_fg_pct_vs_league, Some(0.05));
        assert_eq!(nyk.opp_paint_share_vs_league, Some(0.0625)); // 0.625 - 0.5625
    }

    #[test]
    fn only_the_last_fifteen_games_and_null_zones_without_play_by_play() {
        // 20 games allowing 1..=20 points: the window is the last 15 (6..=20), mean 13.
        let rows: Vec<TeamDefenseRow> = (1..=20)
            .map(|d| defense(&format!("2025-01-{d:02}"), "BOS", d, None))
            .collect();
        let out = transform("2025-01-21", &rows, &[]);
        assert_eq!(out[0].games, 15);
        assert_eq!(out[0].points_allowed_avg, 13.0);
        assert_eq!(out[0].zone_games, 0);
        assert_eq!(out[0].opp_paint_fg_pct, None);
        assert_eq!(out[0].opp_paint_share_vs_league, None);
        assert_eq!(out[0].pace, None);
        assert_eq!(out[0].points_allowed_vs_league, 0.0); // the only team is the league
    }

    #[test]
    fn last_season_fills_the_window_at_half_weight() {
        // 2024-25: 20 games allowing 100. 2025-26 (from 1 August): 3 games allowing 130.
        let mut rows: Vec<TeamDefenseRow> = (1..=20)
            .map(|d| defense(&format!("2025-03-{d:02}"), "BOS", 100, None))
            .collect();
        let offense_rows: Vec<TeamOffenseRow> = (1..=20)
            .map(|d| offense(&format!("2025-03-{d:02}"), "BOS", 96.0))
            .chain(["2025-10-22", "2025-10-24", "2025-10-26"].map(|d| offense(d, "BOS", 104.0)))
            .collect();
        // Opening night: last season's 15 alone (every weight equal).
        let out = transform("2025-10-21", &rows, &offense_rows);
        assert_eq!((out[0].games, out[0].points_allowed_avg), (15, 100.0));
        assert_eq!(out[0].pace, Some(96.0));
        for d in ["2025-10-22", "2025-10-24", "2025-10-26"] {
            rows.push(defense(d, "BOS", 130, None));
        }
        // Three games in: 3 at weight 1 and 12 of last season's at 0.5:
        // (3·130 + 6·100) / 9 = 110; pace (3·104 + 6·96) / 9 = 98.6667.
        let out = transform("2025-10-27", &rows, &offense_rows);
        assert_eq!(out[0].games, 15);
        assert_eq!(out[0].points_allowed_avg, 110.0);
        assert_eq!(out[0].defensive_rating, 110.0);
        assert_eq!(out[0].pace, Some(98.6667));
        assert_eq!(out[0].last_game_date, "2025-10-26");
    }

    #[tokio::test]
    async fn round_trip_is_idempotent() {
        let (_d, deps) = crate::raw::test_support::temp_deps().await;
        let meta = crate::raw::test_support::meta();
        for (date, team) in [("2025-01-01", "BOS"), ("2025-01-02", "NYK")] {
            deps.warehouse
                .write_partition(date, None, &[defense(date, team, 100, None)], &meta)
                .await
                .unwrap();
            deps.warehouse
                .write_partition(date, None, &[offense(date, team, 100.0)], &meta)
                .await
                .unwrap();
        }
        let req = crate::precompute::test_support::request(NAME, "2025-01-03");
        let first = run(&deps, &req, "2025-01-03", &meta).await.unwrap();
        let again = run(&deps, &req, "2025-01-03", &meta).await.unwrap();
        crate::raw::test_support::assert_idempotent(&first, &again, 2);
    }
}
