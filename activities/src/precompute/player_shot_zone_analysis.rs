//! `player_shot_zone_analysis`: each player's shot mix and efficiency by zone (paint,
//! mid-range, three) as of the morning of a game date, over his last 10 games and over the
//! season, from the games of his with a play-by-play (games without one are counted in
//! `games_l10` but add no shots).
//!
//! - share of a zone = zone FGA / located FGA (the three zones' FGA);
//! - FG% of a zone = makes / FGA, makes = zone points / 2 (paint, mid-range) or / 3 (three):
//!   the summary keeps the zone's points, which are field-goal points only;
//! - points per shot of a zone = zone points / zone FGA;
//! - primary zone = the zone with the largest L10 share (the season's when L10 has no located
//!   shot); ties go to paint, then mid-range.
//!
//! Every zone value is NULL when its denominator is zero: no zones never reads as zero.

use std::collections::BTreeMap;

use nbaprops_proto::{ProcessorRequest, ProcessorResult};

use super::{ratio, round4};
use crate::analytics::player_game_summary::{entity_scope, GameSummaryRow};
use crate::error::Result;
use crate::storage::warehouse::WriteMeta;
use crate::storage::Value;
use crate::Deps;

pub const NAME: &str = "player_shot_zone_analysis";

pub const ZONES: [&str; 3] = ["paint", "mid_range", "three"];
const ZONE_VALUE: [f64; 3] = [2.0, 2.0, 3.0];

crate::warehouse_table! {
    pub struct PlayerShotZoneRow in "player_shot_zone_analysis" {
        partition: analysis_date,
        key: [player_id],
        entities: [(player_id, Player)],
        mode: Replace,
    } {
        analysis_date: String,
        player_id: i64,
        team: String,
        games_l10: i64,
        zone_games_l10: i64,
        zone_games_season: i64,
        paint_share_l10: Option<f64>,
        mid_range_share_l10: Option<f64>,
        three_share_l10: Option<f64>,
        paint_fg_pct_l10: Option<f64>,
        mid_range_fg_pct_l10: Option<f64>,
        three_fg_pct_l10: Option<f64>,
        paint_pps_l10: Option<f64>,
        mid_range_pps_l10: Option<f64>,
        three_pps_l10: Option<f64>,
        paint_share_season: Option<f64>,
        mid_range_share_season: Option<f64>,
        three_share_season: Option<f64>,
        paint_pps_season: Option<f64>,
        mid_range_pps_season: Option<f64>,
        three_pps_season: Option<f64>,
        primary_zone: Option<String>,
    }
}

impl PlayerShotZoneRow {
    /// L10 shares (paint, mid-range, three).
    pub fn shares_l10(&self) -> [Option<f64>; 3] {
        [
            self.paint_share_l10,
            self.mid_range_share_l10,
            self.three_share_l10,
        ]
    }
}

/// Zone totals over some games.
#[derive(Default)]
struct Zones {
    games: i64,
    fga: [f64; 3],
    points: [f64; 3],
}

impl Zones {
    fn of<'a>(games: impl Iterator<Item = &'a &'a GameSummaryRow>) -> Self {
        let mut z = Zones::default();
        for g in games {
            let (Some(pf), Some(mf), Some(tf)) = (g.paint_fga, g.mid_range_fga, g.three_fga) else {
                continue;
            };
            z.games += 1;
            z.fga[0] += pf as f64;
            z.fga[1] += mf as f64;
            z.fga[2] += tf as f64;
            z.points[0] += g.paint_points.unwrap_or(0) as f64;
            z.points[1] += g.mid_range_points.unwrap_or(0) as f64;
            z.points[2] += g.three_points.unwrap_or(0) as f64;
        }
        z
    }

    fn located(&self) -> f64 {
        self.fga.iter().sum()
    }

    fn share(&self, zone: usize) -> Option<f64> {
        ratio(self.fga[zone], self.located()).map(round4)
    }

    fn fg_pct(&self, zone: usize) -> Option<f64> {
        ratio(self.points[zone] / ZONE_VALUE[zone], self.fga[zone]).map(round4)
    }

    fn pps(&self, zone: usize) -> Option<f64> {
        ratio(self.points[zone], self.fga[zone]).map(round4)
    }

    fn primary(&self) -> Option<usize> {
        if self.located() == 0.0 {
            return None;
        }
        // The first zone with the most attempts (max_by_key would take the last).
        let most = self.fga.iter().copied().fold(f64::MIN, f64::max);
        self.fga.iter().position(|f| *f == most)
    }
}

/// One row per player with a game before `date` (the caller passes the season's games).
pub fn transform<'a>(
    date: &str,
    games: impl IntoIterator<Item = &'a GameSummaryRow>,
) -> Vec<PlayerShotZoneRow> {
    let mut by_player: BTreeMap<i64, Vec<&GameSummaryRow>> = BTreeMap::new();
    for g in games.into_iter().filter(|g| g.game_date.as_str() < date) {
        by_player.entry(g.player_id).or_default().push(g);
    }
    by_player
        .into_iter()
        .map(|(player_id, mut gs)| {
            gs.sort_by(|a, b| (&b.game_date, &b.game_id).cmp(&(&a.game_date, &a.game_id)));
            let l10 = Zones::of(gs.iter().take(10));
            let season = Zones::of(gs.iter());
            let primary = l10.primary().or_else(|| season.primary());
            PlayerShotZoneRow {
                analysis_date: date.to_string(),
                player_id,
                team: gs[0].team.clone(),
                games_l10: gs.len().min(10) as i64,
                zone_games_l10: l10.games,
                zone_games_season: season.games,
                paint_share_l10: l10.share(0),
                mid_range_share_l10: l10.share(1),
                three_share_l10: l10.share(2),
                paint_fg_pct_l10: l10.fg_pct(0),
                mid_range_fg_pct_l10: l10.fg_pct(1),
                three_fg_pct_l10: l10.fg_pct(2),
                paint_pps_l10: l10.pps(0),
                mid_range_pps_l10: l10.pps(1),
                three_pps_l10: l10.pps(2),
                paint_share_season: season.share(0),
                mid_range_share_season: season.share(1),
                three_share_season: season.share(2),
                paint_pps_season: season.pps(0),
                mid_range_pps_season: season.pps(1),
                three_pps_season: season.pps(2),
                primary_zone: primary.map(|z| ZONES[z].to_string()),
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
    let start = super::season_start(date)?;
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

    /// A game with zones (paint fga, points, mid fga, points, three fga, points).
    pub fn zoned(date: &str, player_id: i64, z: [i64; 6]) -> GameSummaryRow {
        let mut g = GameSummaryRow::sample(date, player_id, 20, 30.0);
        g.paint_fga = Some(z[0]);
        g.paint_points = Some(z[1]);
        g.mid_range_fga = Some(z[2]);
        g.mid_range_points = Some(z[3]);
        g.three_fga = Some(z[4]);
        g.three_points = Some(z[5]);
        g
    }

    #[test]
    fn shares_efficiency_and_primary_zone_by_hand() {
        let games = vec![
            // Paint 10 FGA 12 pts, mid 4 FGA 4 pts, three 6 FGA 9 pts.
            zoned("2025-01-01", 7, [10, 12, 4, 4, 6, 9]),
            // Paint 6 FGA 8 pts, mid 0, three 4 FGA 6 pts.
            zoned("2025-01-02", 7, [6, 8, 0, 0, 4, 6]),
            // No play-by-play: counted as a game, adds no shots.
            GameSummaryRow::sample("2025-01-03", 7, 30, 30.0),
            // The date itself: ignored (point in time).
            zoned("2025-01-04", 7, [0, 0, 0, 0, 50, 60]),
        ];
        let rows = transform("2025-01-04", &games);
        let r = &rows[0];
        assert_eq!(
            (r.games_l10, r.zone_games_l10, r.zone_games_season),
            (3, 2, 2)
        );
        // Located FGA 16 + 4 + 10 = 30.
        assert_eq!(r.paint_share_l10, Some(0.5333));
        assert_eq!(r.mid_range_share_l10, Some(0.1333));
        assert_eq!(r.three_share_l10, Some(0.3333));
        assert_eq!(r.paint_fg_pct_l10, Some(0.625)); // 20 pts / 2 = 10 makes of 16
        assert_eq!(r.three_fg_pct_l10, Some(0.5)); // 15 pts / 3 = 5 makes of 10
        assert_eq!(r.paint_pps_l10, Some(1.25));
        assert_eq!(r.mid_range_pps_l10, Some(1.0));
        assert_eq!(r.three_pps_l10, Some(1.5));
        assert_eq!(r.paint_share_season, Some(0.5333));
        assert_eq!(r.primary_zone.as_deref(), Some("paint"));
    }

    #[test]
    fn no_zones_is_null_never_zero() {
        let games = vec![GameSummaryRow::sample("2025-01-01", 7, 30, 30.0)];
        let r = &transform("2025-01-02", &games)[0];
        assert_eq!(r.zone_games_l10, 0);
        assert_eq!(r.paint_share_l10, None);
        assert_eq!(r.three_pps_season, None);
        assert_eq!(r.primary_zone, None);
        // Zones but no mid-range attempts: the mid-range FG% is NULL, its share is 0.
        let games = vec![zoned("2025-01-01", 7, [2, 2, 0, 0, 2, 3])];
        let r = &transform("2025-01-02", &games)[0];
        assert_eq!(r.mid_range_share_l10, Some(0.0));
        assert_eq!(r.mid_range_fg_pct_l10, None);
        assert_eq!(r.primary_zone.as_deref(), Some("paint")); // tie goes to paint
    }

    #[test]
    fn season_fills_the_primary_zone_when_the_last_ten_have_none() {
        let mut games = vec![zoned("2025-01-01", 7, [1, 2, 0, 0, 5, 6])];
        for d in 2..=11 {
            games.push(GameSummaryRow::sample(
                &format!("2025-01-{d:02}"),
                7,
                10,
                30.0,
            ));
        }
        let r = &transform("2025-01-12", &games)[0];
        assert_eq!(
            (r.games_l10, r.zone_games_l10, r.zone_games_season),
            (10, 0, 1)
        );
        assert_eq!(r.three_share_l10, None);
        assert_eq!(r.three_share_season, Some(0.8333));
        assert_eq!(r.primary_zone.as_deref(), Some("three"));
    }

    #[tokio::test]
    async fn round_trip_is_idempotent() {
        let (_d, deps) = crate::raw::test_support::temp_deps().await;
        let meta = crate::raw::test_support::meta();
        for g in [
            zoned("2025-01-01", 7, [10, 12, 4, 4, 6, 9]),
            zoned("2025-01-02", 8, [6, 8, 0, 0, 4, 6]),
        ] {
            deps.warehouse
                .write_partition(&g.game_date.clone(), None, &[g], &meta)
                .await
                .unwrap();
        }
        let req = crate::precompute::test_support::request(NAME, "2025-01-03");
        let first = run(&deps, &req, "2025-01-03", &meta).await.unwrap();
        let again = run(&deps, &req, "2025-01-03", &meta).await.unwrap();
        crate::raw::test_support::assert_idempotent(&first, &again, 2);
        // An incremental run for one player touches only him.
        let req = crate::precompute::test_support::players_request(NAME, "2025-01-03", &[7]);
        let one = run(&deps, &req, "2025-01-03", &meta).await.unwrap();
        assert_eq!((one.rows_written, one.rows_unchanged), (0, 1));
    }
}
