//! `raw_nbac_play_by_play`: one row per player and game of a date, the player's shots by zone
//! (paint, mid-range, three) made, attempted and points, and free throws, from the cdn.nba.com
//! play-by-play.
//!
//! Per-player rows rather than per-shot rows: Phase 3 needs per-player zone totals and
//! per-team-allowed zone totals (the sum over the rows whose `opponent_team_id` is the team),
//! and a game's few dozen player rows are what both read. Zones come from
//! [`nbac_play_by_play::shot_zone`]; 2-pointers the feed does not locate are counted as
//! `unzoned` so that a player's zones always add up to his field goals.

use std::collections::BTreeMap;

use nbaprops_proto::{ProcessorRequest, ProcessorResult};

use super::Keep;
use crate::error::Result;
use crate::sources::nbac_play_by_play::{self, PbpAction, ShotZone};
use crate::storage::warehouse::WriteMeta;
use crate::Deps;

pub const NAME: &str = "raw_nbac_play_by_play";

crate::warehouse_table! {
    pub struct PbpPlayerRow in "raw_nbac_play_by_play" {
        partition: game_date,
        key: [game_id, player_id],
        entities: [(player_id, Player), (team, Team), (game_id, Game)],
        mode: Replace,
    } {
        game_date: String,
        game_id: String,
        player_id: i64,
        player_name: String,
        team_id: i64,
        team: String,
        opponent_team_id: i64,
        home: i64,
        paint_fgm: i64,
        paint_fga: i64,
        paint_points: i64,
        mid_range_fgm: i64,
        mid_range_fga: i64,
        mid_range_points: i64,
        three_fgm: i64,
        three_fga: i64,
        three_points: i64,
        unzoned_fgm: i64,
        unzoned_fga: i64,
        ftm: i64,
        fta: i64,
        points: i64,
    }
}

/// The rows of one game's actions. A game whose home and away teams cannot be told apart (no
/// scoring yet, or an inconsistent feed) gives no rows and a warning.
fn game_rows(
    game_id: &str,
    actions: &[PbpAction],
    date: &str,
) -> std::result::Result<Vec<PbpPlayerRow>, String> {
    let (home, away) = nbac_play_by_play::home_away_team_ids(actions)
        .map_err(|e| format!("game {game_id}: cannot tell home from away: {e}: skipped"))?;
    let mut rows: BTreeMap<i64, PbpPlayerRow> = BTreeMap::new();
    for a in actions {
        let is_ft = a.action_type == "freethrow";
        if !(a.is_shot() || is_ft) {
            continue;
        }
        let (Some(player_id), Some(team_id)) = (a.person_id, a.team_id) else {
            continue;
        };
        if team_id != home && team_id != away {
            return Err(format!(
                "game {game_id}: action {} by team {team_id}, neither {home} nor {away}: skipped",
                a.action_number
            ));
        }
        let row = rows.entry(player_id).or_insert_with(|| PbpPlayerRow {
            game_date: date.to_string(),
            game_id: game_id.to_string(),
            player_id,
            player_name: String::new(),
            team_id,
            team: String::new(),
            opponent_team_id: if team_id == home { away } else { home },
            home: (team_id == home) as i64,
            paint_fgm: 0,
            paint_fga: 0,
            paint_points: 0,
            mid_range_fgm: 0,
            mid_range_fga: 0,
            mid_range_points: 0,
            three_fgm: 0,
            three_fga: 0,
            three_points: 0,
            unzoned_fgm: 0,
            unzoned_fga: 0,
            ftm: 0,
            fta: 0,
            points: 0,
        });
        if row.player_name.is_empty() {
            row.player_name = a.player_name_i.clone().unwrap_or_default();
        }
        if row.team.is_empty() {
            row.team = a.team.clone().unwrap_or_default();
        }
        let made = a.made() as i64;
        let pts = a.points_scored();
        row.points += pts;
        if is_ft {
            row.fta += 1;
            row.ftm += made;
            continue;
        }
        let (fgm, fga, zone_points) = match nbac_play_by_play::shot_zone(a) {
            Some(ShotZone::Paint) => (
                &mut row.paint_fgm,
                &mut row.paint_fga,
                Some(&mut row.paint_points),
            ),
            Some(ShotZone::MidRange) => (
                &mut row.mid_range_fgm,
                &mut row.mid_range_fga,
                Some(&mut row.mid_range_points),
            ),
            Some(ShotZone::Three) => (
                &mut row.three_fgm,
                &mut row.three_fga,
                Some(&mut row.three_points),
            ),
            None => (&mut row.unzoned_fgm, &mut row.unzoned_fga, None),
        };
        *fga += 1;
        *fgm += made;
        if let Some(p) = zone_points {
            *p += pts;
        }
    }
    Ok(rows.into_values().collect())
}

/// Player rows of every game in `actions` (one or more games' play-by-play, in feed order).
pub fn transform(actions: Vec<PbpAction>, date: &str) -> (Vec<PbpPlayerRow>, Vec<String>) {
    let mut games: BTreeMap<String, Vec<PbpAction>> = BTreeMap::new();
    for a in actions {
        games.entry(a.game_id.clone()).or_default().push(a);
    }
    let mut rows = Vec::new();
    let mut warnings = Vec::new();
    for (game_id, actions) in games {
        match game_rows(&game_id, &actions, date) {
            Ok(r) => rows.extend(r),
            Err(w) => warnings.push(w),
        }
    }
    (rows, warnings)
}

pub async fn run(
    deps: &Deps,
    req: &ProcessorRequest,
    date: &str,
    meta: &WriteMeta,
) -> Result<ProcessorResult> {
    let src = super::RawSource {
        processor: NAME,
        source: nbac_play_by_play::SOURCE,
        keep: Keep::NewestPerRequestKey,
        newest_only: false,
        skip: super::skip_none,
        parse: nbac_play_by_play::parse,
    };
    super::run_source(deps, req, date, meta, src, transform).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raw::test_support as t;

    const PHI_NYK: &str = "samples/nbac_play_by_play/raw_416e8d5c.json.gz";

    fn check_sums(rows: &[PbpPlayerRow]) {
        for r in rows {
            assert_eq!(
                r.points,
                r.paint_points + r.mid_range_points + r.three_points + 2 * r.unzoned_fgm + r.ftm,
                "{r:?}"
            );
            assert_eq!(r.paint_points, 2 * r.paint_fgm);
            assert_eq!(r.mid_range_points, 2 * r.mid_range_fgm);
            assert_eq!(r.three_points, 3 * r.three_fgm);
            assert!(r.paint_fgm <= r.paint_fga && r.ftm <= r.fta);
            assert!(!r.player_name.is_empty() && !r.team.is_empty());
        }
    }

    #[test]
    fn every_recorded_game_adds_up_to_its_final_score() {
        for (path, body) in t::sample_files("nbac_play_by_play") {
            let actions = nbac_play_by_play::parse(&body).unwrap();
            let (home_pts, away_pts) = nbac_play_by_play::final_score(&actions).unwrap();
            let (rows, warnings) = transform(actions, "2025-01-15");
            assert!(warnings.is_empty(), "{path}: {warnings:?}");
            check_sums(&rows);
            let side = |home: i64| -> i64 {
                rows.iter()
                    .filter(|r| r.home == home)
                    .map(|r| r.points)
                    .sum()
            };
            assert_eq!((side(1), side(0)), (home_pts, away_pts), "{path}");
        }
    }

    #[test]
    fn brunson_and_maxey_by_zone() {
        let actions = nbac_play_by_play::parse(&t::sample(PHI_NYK)).unwrap();
        let (rows, _) = transform(actions, "2025-01-15");
        assert_eq!(rows.len(), 17);
        // Jalen Brunson: 38 points on 14-22, 3-6 from three, 7-9 at the line (the box score).
        let b = rows.iter().find(|r| r.player_id == 1628973).unwrap();
        assert_eq!(
            (b.team.as_str(), b.home, b.opponent_team_id),
            ("NYK", 0, 1610612755)
        );
        assert_eq!(b.points, 38);
        assert_eq!((b.three_fgm, b.three_fga), (3, 6));
        assert_eq!((b.ftm, b.fta), (7, 9));
        assert_eq!(
            b.paint_fga + b.mid_range_fga + b.three_fga + b.unzoned_fga,
            22
        );
        assert_eq!(
            b.paint_fgm + b.mid_range_fgm + b.three_fgm + b.unzoned_fgm,
            14
        );
        let m = rows.iter().find(|r| r.player_id == 1630178).unwrap();
        assert_eq!((m.team.as_str(), m.home, m.points), ("PHI", 1, 33));
        assert_eq!((m.three_fgm, m.three_fga, m.ftm, m.fta), (2, 9, 5, 5));
    }

    #[tokio::test]
    async fn writing_the_same_games_twice_changes_nothing() {
        let (_d, deps) = t::temp_deps().await;
        let date = "2025-01-15";
        let mut refs = Vec::new();
        let mut players = 0;
        for (i, (_, body)) in t::sample_files("nbac_play_by_play").into_iter().enumerate() {
            let actions = nbac_play_by_play::parse(&body).unwrap();
            let game_id = actions[0].game_id.clone();
            players += transform(actions, date).0.len() as u32;
            refs.push(
                t::keep(
                    &deps,
                    nbac_play_by_play::SOURCE,
                    date,
                    &game_id,
                    body,
                    &format!("2025-01-16T10:00:0{i}Z"),
                )
                .await,
            );
        }
        let req = t::request(NAME, "2025-01-16", refs);
        let first = run(&deps, &req, date, &t::meta()).await.unwrap();
        let again = run(&deps, &req, date, &t::meta()).await.unwrap();
        t::assert_idempotent(&first, &again, players);
    }
}
