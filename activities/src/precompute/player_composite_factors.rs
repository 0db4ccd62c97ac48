//! `player_composite_factors`: for each player with a line on a game date (a row in
//! `upcoming_player_game_context`), four adjustment factors built from the level-1 analyses,
//! the daily cache and the game contexts, all of which only read data from before the date.
//!
//! `player_daily_cache` is on the same level, so this processor does not read its table: it runs
//! the cache's pure transform over the same games (`player_game_summary` before the date) for
//! the players with a line.
//!
//! Formulas (each NULL when an input it needs is missing, never a silent zero):
//!
//! - **fatigue**: `load_ratio = minutes_last_7 / (3.5 × minutes_avg_l10)` (3.5 = games in a
//!   typical week, so 1.0 is his normal weekly load);
//!   `fatigue_score = 0.4 × back_to_back + 0.2 × [days_rest = 1] + clamp(load_ratio − 1, 0, 0.4)`,
//!   from 0 (fresh) to 1; NULL without a cached minutes average.
//! - **zone mismatch**: `Σ_zone share_L10(zone) × (opp FG% allowed − league FG%)(zone) × value(zone)`
//!   with values 2 / 2 / 3 for paint / mid-range / three: the points per field-goal attempt his
//!   shot mix gains (positive) or loses against this defense compared with an average one.
//! - **pace**: `pace_factor = (team pace + opponent pace) / (2 × league pace)`, each team's pace
//!   over its last 15 games: 1.0 is a league-average number of possessions.
//! - **usage spike**: `teammates_out = players_out − [he is Out or Doubtful]`;
//!   `usage_trend = usage_avg_l5 − usage_avg_season`;
//!   `usage_spike = usage_trend + 0.02 × starters_out + 0.005 × max(0, teammates_out − starters_out)`,
//!   in usage-rate units (a starter out hands roughly two points of usage to each teammate).
//!   `starters_out` is the team context's (it can include the player himself when he is out).

use std::collections::BTreeMap;

use nbaprops_proto::{ProcessorRequest, ProcessorResult};

use super::player_daily_cache::DailyCacheRow;
use super::player_shot_zone_analysis::PlayerShotZoneRow;
use super::round4;
use super::team_defense_zone_analysis::TeamDefenseZoneRow;
use crate::analytics::player_game_summary::{entity_scope, GameSummaryRow};
use crate::analytics::upcoming_player_game_context::PlayerContextRow;
use crate::analytics::upcoming_team_game_context::TeamContextRow;
use crate::error::Result;
use crate::storage::warehouse::WriteMeta;
use crate::storage::Filter;
use crate::storage::Value;
use crate::Deps;

pub const NAME: &str = "player_composite_factors";

/// Games in a typical week, for the weekly minutes norm.
pub const GAMES_PER_WEEK: f64 = 3.5;

crate::warehouse_table! {
    pub struct CompositeFactorsRow in "player_composite_factors" {
        partition: game_date,
        key: [player_id],
        entities: [(player_id, Player), (team, Team)],
        mode: Replace,
    } {
        game_date: String,
        player_id: i64,
        team: String,
        opponent: Option<String>,
        load_ratio: Option<f64>,
        fatigue_score: Option<f64>,
        zone_mismatch: Option<f64>,
        team_pace: Option<f64>,
        opp_pace: Option<f64>,
        pace_factor: Option<f64>,
        teammates_out: Option<i64>,
        starters_out: Option<i64>,
        usage_trend: Option<f64>,
        usage_spike: Option<f64>,
    }
}

/// Everything the composite factors and the feature store read for one date.
#[derive(Debug, Default)]
pub struct Inputs {
    pub contexts: Vec<PlayerContextRow>,
    pub teams: Vec<TeamContextRow>,
    pub caches: Vec<DailyCacheRow>,
    pub zones: Vec<PlayerShotZoneRow>,
    pub defense: Vec<TeamDefenseZoneRow>,
}

/// One player's inputs.
pub struct PlayerInputs<'a> {
    pub context: &'a PlayerContextRow,
    pub opponent: Option<String>,
    pub team: Option<&'a TeamContextRow>,
    pub cache: Option<&'a DailyCacheRow>,
    pub zones: Option<&'a PlayerShotZoneRow>,
    pub team_defense: Option<&'a TeamDefenseZoneRow>,
    pub opp_defense: Option<&'a TeamDefenseZoneRow>,
}

impl Inputs {
    /// The date's rows; `player_daily_cache` only with `with_cache` (the composite factors, on
    /// the cache's own level, compute the cache's values from the games instead).
    pub async fn load(deps: &Deps, date: &str, with_cache: bool) -> Result<Self> {
        let w = &deps.warehouse;
        Ok(Inputs {
            contexts: w.rows(&Filter::new().eq("game_date", date)).await?,
            teams: w.rows(&Filter::new().eq("game_date", date)).await?,
            caches: if with_cache {
                w.rows(&Filter::new().eq("cache_date", date)).await?
            } else {
                vec![]
            },
            zones: w.rows(&Filter::new().eq("analysis_date", date)).await?,
            defense: w.rows(&Filter::new().eq("analysis_date", date)).await?,
        })
    }

    pub fn rows_read(&self) -> usize {
        self.contexts.len()
            + self.teams.len()
            + self.caches.len()
            + self.zones.len()
            + self.defense.len()
    }

    pub fn input_hash(&self) -> String {
        use super::input_hash;
        crate::hashing::combine([
            input_hash(&self.contexts).as_str(),
            input_hash(&self.teams).as_str(),
            input_hash(&self.caches).as_str(),
            input_hash(&self.zones).as_str(),
            input_hash(&self.defense).as_str(),
        ])
    }

    /// Each player with a context row for `date`, with his other inputs for that date (rows of
    /// any other date are never joined).
    pub fn players<'a>(&'a self, date: &str) -> Vec<PlayerInputs<'a>> {
        let teams: BTreeMap<&str, &TeamContextRow> = self
            .teams
            .iter()
            .filter(|t| t.game_date == date)
            .map(|t| (t.team.as_str(), t))
            .collect();
        let caches: BTreeMap<i64, &DailyCacheRow> = self
            .caches
            .iter()
            .filter(|c| c.cache_date == date)
            .map(|c| (c.player_id, c))
            .collect();
        let zones: BTreeMap<i64, &PlayerShotZoneRow> = self
            .zones
            .iter()
            .filter(|z| z.analysis_date == date)
            .map(|z| (z.player_id, z))
            .collect();
        let defense: BTreeMap<&str, &TeamDefenseZoneRow> = self
            .defense
            .iter()
            .filter(|d| d.analysis_date == date)
            .map(|d| (d.team.as_str(), d))
            .collect();
        let mut contexts: Vec<&PlayerContextRow> = self
            .contexts
            .iter()
            .filter(|c| c.game_date == date)
            .collect();
        contexts.sort_by_key(|c| c.player_id);
        contexts
            .into_iter()
            .map(|c| {
                let team = teams.get(c.team.as_str()).copied();
                let opponent = c
                    .opponent
                    .clone()
                    .or_else(|| team.map(|t| t.opponent.clone()));
                PlayerInputs {
                    context: c,
                    team,
                    cache: caches.get(&c.player_id).copied(),
                    zones: zones.get(&c.player_id).copied(),
                    team_defense: defense.get(c.team.as_str()).copied(),
                    opp_defense: opponent.as_deref().and_then(|o| defense.get(o).copied()),
                    opponent,
                }
            })
            .collect()
    }
}

/// `minutes_last_7 / (3.5 × minutes_avg_l10)`.
pub fn load_ratio(minutes_last_7: f64, minutes_avg_l10: Option<f64>) -> Option<f64> {
    let norm = minutes_avg_l10? * GAMES_PER_WEEK;
    (norm > 0.0).then(|| minutes_last_7 / norm)
}

/// `0.4 × b2b + 0.2 × [days_rest = 1] + clamp(load_ratio − 1, 0, 0.4)`.
pub fn fatigue_score(days_rest: Option<i64>, back_to_back: bool, load: Option<f64>) -> Option<f64> {
    let load = load?;
    let b2b = if back_to_back { 0.4 } else { 0.0 };
    let short_rest = if days_rest == Some(1) { 0.2 } else { 0.0 };
    Some(b2b + short_rest + (load - 1.0).clamp(0.0, 0.4))
}

/// `Σ share × (opp FG% − league FG%) × zone value`.
pub fn zone_mismatch(
    zones: Option<&PlayerShotZoneRow>,
    opp: Option<&TeamDefenseZoneRow>,
) -> Option<f64> {
    let (zones, opp) = (zones?, opp?);
    let shares = zones.shares_l10();
    let deltas = [
        opp.opp_paint_fg_pct_vs_league,
        opp.opp_mid_range_fg_pct_vs_league,
        opp.opp_three_fg_pct_vs_league,
    ];
    let values = [2.0, 2.0, 3.0];
    let mut total = 0.0;
    for ((share, delta), value) in shares.iter().zip(deltas).zip(values) {
        total += (*share)? * delta? * value;
    }
    Some(total)
}

/// `(team pace + opponent pace) / (2 × league pace)`.
pub fn pace_factor(
    team: Option<&TeamDefenseZoneRow>,
    opp: Option<&TeamDefenseZoneRow>,
) -> Option<f64> {
    let (team, opp) = (team?, opp?);
    let league = team.league_pace?;
    super::ratio(team.pace? + opp.pace?, 2.0 * league)
}

/// Out or Doubtful: counted in the team's `players_out`.
pub fn is_out(status: Option<&str>) -> bool {
    matches!(
        status.map(str::to_ascii_lowercase).as_deref(),
        Some("out") | Some("doubtful")
    )
}

/// `usage_trend + 0.02 × starters_out + 0.005 × max(0, teammates_out − starters_out)`.
pub fn usage_spike(
    usage_trend: Option<f64>,
    teammates_out: Option<i64>,
    starters_out: Option<i64>,
) -> Option<f64> {
    let (trend, out, starters) = (usage_trend?, teammates_out?, starters_out?);
    Some(trend + 0.02 * starters as f64 + 0.005 * (out - starters).max(0) as f64)
}

pub fn factors(date: &str, p: &PlayerInputs) -> CompositeFactorsRow {
    let c = p.context;
    let load = load_ratio(c.minutes_last_7, p.cache.and_then(|k| k.minutes_avg_l10));
    let teammates_out = p
        .team
        .map(|t| t.players_out - is_out(c.injury_status.as_deref()) as i64);
    let starters_out = p.team.map(|t| t.starters_out);
    let usage_trend = p
        .cache
        .and_then(|k| Some(k.usage_avg_l5? - k.usage_avg_season?));
    CompositeFactorsRow {
        game_date: date.to_string(),
        player_id: c.player_id,
        team: c.team.clone(),
        opponent: p.opponent.clone(),
        load_ratio: load.map(round4),
        fatigue_score: fatigue_score(c.days_rest, c.back_to_back != 0, load).map(round4),
        zone_mismatch: zone_mismatch(p.zones, p.opp_defense).map(round4),
        team_pace: p.team_defense.and_then(|d| d.pace),
        opp_pace: p.opp_defense.and_then(|d| d.pace),
        pace_factor: pace_factor(p.team_defense, p.opp_defense).map(round4),
        teammates_out,
        starters_out,
        usage_trend: usage_trend.map(round4),
        usage_spike: usage_spike(usage_trend, teammates_out, starters_out).map(round4),
    }
}

pub fn transform(date: &str, inputs: &Inputs) -> Vec<CompositeFactorsRow> {
    inputs
        .players(date)
        .iter()
        .map(|p| factors(date, p))
        .collect()
}

pub async fn run(
    deps: &Deps,
    req: &ProcessorRequest,
    date: &str,
    meta: &WriteMeta,
) -> Result<ProcessorResult> {
    // player_daily_cache is on this level too: its values (minutes norm, usage) are computed
    // here from the same games with its transform, never read from its table.
    let mut inputs = Inputs::load(deps, date, false).await?;
    let with_line: std::collections::BTreeSet<i64> =
        inputs.contexts.iter().map(|c| c.player_id).collect();
    let start = super::season_start(date)?;
    let window = deps
        .warehouse
        .select_window::<GameSummaryRow>(&start, date)
        .await?;
    // Only the games of players with a line count, as rows read and in the input hash.
    let (games, hashes): (Vec<&GameSummaryRow>, Vec<&str>) = window
        .iter_hashed()
        .filter(|(g, _)| with_line.contains(&g.player_id))
        .unzip();
    inputs.caches = super::player_daily_cache::transform(date, games.iter().copied());
    let input_hash = crate::hashing::combine([
        inputs.input_hash().as_str(),
        crate::hashing::combine(hashes).as_str(),
    ]);
    let mut rows = transform(date, &inputs);
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
        inputs.rows_read() + games.len(),
        input_hash,
        stats,
        vec![],
    ))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub const D: &str = "2025-01-10";

    pub fn context(player_id: i64, team: &str, opponent: &str) -> PlayerContextRow {
        PlayerContextRow {
            game_date: D.into(),
            player_id,
            player_name: format!("p{player_id}"),
            team: team.into(),
            opponent: Some(opponent.into()),
            home: Some(1),
            current_line: 25.5,
            opening_line: 24.5,
            line_movement: 1.0,
            line_bookmaker: "draftkings".into(),
            line_snapshot_time: "2025-01-10T15:00:00Z".into(),
            line_vs_other_books: None,
            spread: Some(-4.5),
            game_total: Some(228.5),
            days_rest: Some(1),
            back_to_back: 0,
            games_last_7: 4,
            games_last_14: 7,
            minutes_last_7: 147.0,
            minutes_last_14: 250.0,
            points_avg_l5: Some(27.0),
            points_avg_l10: Some(26.0),
            injury_status: None,
            injury_reason: None,
        }
    }

    pub fn team_context(team: &str, opponent: &str, out: i64, starters: i64) -> TeamContextRow {
        TeamContextRow {
            game_date: D.into(),
            team: team.into(),
            game_id: "0022400600".into(),
            opponent: opponent.into(),
            home: 1,
            days_rest: Some(1),
            back_to_back: 0,
            spread: Some(-4.5),
            game_total: Some(228.5),
            implied_points: Some(116.5),
            players_out: out,
            starters_out: starters,
        }
    }

    pub fn cache(player_id: i64) -> DailyCacheRow {
        DailyCacheRow {
            cache_date: D.into(),
            player_id,
            games_played: 30,
            last_game_date: "2025-01-09".into(),
            points_avg_l5: 27.0,
            points_avg_l10: 26.0,
            points_avg_season: 24.0,
            points_std_l10: 5.0,
            minutes_avg_l10: Some(35.0),
            minutes_std_l10: Some(3.0),
            usage_avg_l5: Some(0.30),
            usage_avg_l10: Some(0.29),
            usage_avg_season: Some(0.28),
            fair_points: Some(26.5),
        }
    }

    pub fn zones(player_id: i64) -> PlayerShotZoneRow {
        PlayerShotZoneRow {
            analysis_date: D.into(),
            player_id,
            team: "BOS".into(),
            games_l10: 10,
            zone_games_l10: 10,
            zone_games_season: 30,
            paint_share_l10: Some(0.5),
            mid_range_share_l10: Some(0.2),
            three_share_l10: Some(0.3),
            paint_fg_pct_l10: Some(0.6),
            mid_range_fg_pct_l10: Some(0.4),
            three_fg_pct_l10: Some(0.35),
            paint_pps_l10: Some(1.2),
            mid_range_pps_l10: Some(0.8),
            three_pps_l10: Some(1.05),
            paint_share_season: Some(0.5),
            mid_range_share_season: Some(0.2),
            three_share_season: Some(0.3),
            paint_pps_season: Some(1.2),
            mid_range_pps_season: Some(0.8),
            three_pps_season: Some(1.05),
            primary_zone: Some("paint".into()),
        }
    }

    pub fn defense(team: &str, pace: f64, deltas: [f64; 3]) -> TeamDefenseZoneRow {
        TeamDefenseZoneRow {
            analysis_date: D.into(),
            team: team.into(),
            games: 15,
            zone_games: 15,
            last_game_date: "2025-01-09".into(),
            points_allowed_avg: 112.0,
            defensive_rating: 114.0,
            pace: Some(pace),
            opp_paint_fg_pct: Some(0.55),
            opp_mid_range_fg_pct: Some(0.42),
            opp_three_fg_pct: Some(0.36),
            opp_paint_share: Some(0.45),
            opp_mid_range_share: Some(0.15),
            opp_three_share: Some(0.4),
            league_pace: Some(100.0),
            points_allowed_vs_league: 1.0,
            defensive_rating_vs_league: 2.0,
            pace_vs_league: Some(pace - 100.0),
            opp_paint_fg_pct_vs_league: Some(deltas[0]),
            opp_mid_range_fg_pct_vs_league: Some(deltas[1]),
            opp_three_fg_pct_vs_league: Some(deltas[2]),
            opp_paint_share_vs_league: Some(0.0),
            opp_mid_range_share_vs_league: Some(0.0),
            opp_three_share_vs_league: Some(0.0),
        }
    }

    /// Player 7 of BOS against NYK with every input present.
    pub fn full_inputs() -> Inputs {
        Inputs {
            contexts: vec![context(7, "BOS", "NYK")],
            teams: vec![
                team_context("BOS", "NYK", 3, 1),
                team_context("NYK", "BOS", 0, 0),
            ],
            caches: vec![cache(7)],
            zones: vec![zones(7)],
            defense: vec![
                defense("BOS", 102.0, [0.0, 0.0, 0.0]),
                defense("NYK", 98.0, [0.05, -0.02, 0.01]),
            ],
        }
    }

    #[test]
    fn fatigue_by_hand() {
        // 147 minutes in 7 days against a norm of 3.5 * 35 = 122.5: ratio 1.2.
        assert_eq!(load_ratio(147.0, Some(35.0)).map(round4), Some(1.2));
        // One day of rest (0.2) plus a 20% heavier week (0.2).
        assert_eq!(
            fatigue_score(Some(1), false, Some(1.2)).map(round4),
            Some(0.4)
        );
        // Back to back (0.4), a light week adds nothing.
        assert_eq!(fatigue_score(Some(0), true, Some(0.5)), Some(0.4));
        // The load term is capped at 0.4: the score never exceeds 1.
        assert_eq!(
            fatigue_score(Some(0), true, Some(3.0)).map(round4),
            Some(0.8)
        );
        assert_eq!(fatigue_score(Some(3), false, Some(1.0)), Some(0.0));
        // No minutes norm: unknown, not fresh.
        assert_eq!(load_ratio(147.0, None), None);
        assert_eq!(fatigue_score(Some(3), false, None), None);
    }

    #[test]
    fn zone_mismatch_by_hand() {
        // 0.5 * 0.05 * 2 + 0.2 * -0.02 * 2 + 0.3 * 0.01 * 3 = 0.05 - 0.008 + 0.009 = 0.051
        let z = zones(7);
        let nyk = defense("NYK", 98.0, [0.05, -0.02, 0.01]);
        assert_eq!(zone_mismatch(Some(&z), Some(&nyk)).map(round4), Some(0.051));
        let mut no_pbp = nyk.clone();
        no_pbp.opp_three_fg_pct_vs_league = None;
        assert_eq!(zone_mismatch(Some(&z), Some(&no_pbp)), None);
        assert_eq!(zone_mismatch(None, Some(&nyk)), None);
    }

    #[test]
    fn pace_factor_by_hand() {
        // (102 + 98) / (2 * 100) = 1.0; (110 + 104) / 200 = 1.07
        let (a, b) = (
            defense("BOS", 102.0, [0.0; 3]),
            defense("NYK", 98.0, [0.0; 3]),
        );
        assert_eq!(pace_factor(Some(&a), Some(&b)), Some(1.0));
        let (a, b) = (
            defense("BOS", 110.0, [0.0; 3]),
            defense("NYK", 104.0, [0.0; 3]),
        );
        assert_eq!(pace_factor(Some(&a), Some(&b)).map(round4), Some(1.07));
        assert_eq!(pace_factor(Some(&a), None), None);
    }

    #[test]
    fn usage_spike_by_hand() {
        // Trend 0.30 - 0.28 = 0.02; one starter and two others out: 0.02 + 0.02 + 0.01.
        assert_eq!(
            usage_spike(Some(0.02), Some(3), Some(1)).map(round4),
            Some(0.05)
        );
        assert_eq!(usage_spike(Some(-0.01), Some(0), Some(0)), Some(-0.01));
        assert_eq!(usage_spike(None, Some(3), Some(1)), None);
        assert!(is_out(Some("Out")) && is_out(Some("doubtful")) && !is_out(Some("Questionable")));
    }

    #[test]
    fn factors_join_the_right_rows() {
        let rows = transform(D, &full_inputs());
        assert_eq!(rows.len(), 1);
        let r = &rows[0];
        assert_eq!(r.opponent.as_deref(), Some("NYK"));
        assert_eq!(r.load_ratio, Some(1.2));
        assert_eq!(r.fatigue_score, Some(0.4));
        assert_eq!(r.zone_mismatch, Some(0.051));
        assert_eq!(
            (r.team_pace, r.opp_pace, r.pace_factor),
            (Some(102.0), Some(98.0), Some(1.0))
        );
        assert_eq!((r.teammates_out, r.starters_out), (Some(3), Some(1)));
        assert_eq!(r.usage_trend, Some(0.02));
        assert_eq!(r.usage_spike, Some(0.05));
        // He himself is Out: he is not one of his teammates out.
        let mut inputs = full_inputs();
        inputs.contexts[0].injury_status = Some("Out".into());
        assert_eq!(transform(D, &inputs)[0].teammates_out, Some(2));
    }

    #[test]
    fn rows_of_other_dates_change_nothing() {
        let before = transform(D, &full_inputs());
        let mut inputs = full_inputs();
        let mut later = cache(7);
        later.cache_date = "2025-01-11".into();
        later.minutes_avg_l10 = Some(1.0);
        inputs.caches.push(later);
        let mut other = defense("NYK", 150.0, [0.5; 3]);
        other.analysis_date = "2025-01-11".into();
        inputs.defense.push(other);
        let mut ctx = context(8, "BOS", "NYK");
        ctx.game_date = "2025-01-11".into();
        inputs.contexts.push(ctx);
        assert_eq!(transform(D, &inputs), before);
    }

    #[test]
    fn missing_inputs_are_null() {
        let inputs = Inputs {
            contexts: vec![context(7, "BOS", "NYK")],
            ..Default::default()
        };
        let r = &transform(D, &inputs)[0];
        assert_eq!(r.fatigue_score, None);
        assert_eq!(r.zone_mismatch, None);
        assert_eq!(r.pace_factor, None);
        assert_eq!(r.teammates_out, None);
        assert_eq!(r.usage_spike, None);
    }

    /// Writes `full_inputs` into the warehouse, for the level-2 and level-3 round trips.
    pub async fn store(deps: &Deps) {
        let meta = crate::raw::test_support::meta();
        let i = full_inputs();
        let w = &deps.warehouse;
        w.write_partition(D, None, &i.contexts, &meta)
            .await
            .unwrap();
        w.write_partition(D, None, &i.teams, &meta).await.unwrap();
        w.write_partition(D, None, &i.caches, &meta).await.unwrap();
        w.write_partition(D, None, &i.zones, &meta).await.unwrap();
        w.write_partition(D, None, &i.defense, &meta).await.unwrap();
        // Five games of player 7 before D: 35 minutes, usage 0.30 in each.
        for day in 5..=9 {
            let date = format!("2025-01-{day:02}");
            let mut g = GameSummaryRow::sample(&date, 7, 26, 35.0);
            g.usage_pct = Some(0.3);
            w.write_partition(&date, None, &[g], &meta).await.unwrap();
        }
    }

    #[tokio::test]
    async fn round_trip_is_idempotent() {
        let (_d, deps) = crate::raw::test_support::temp_deps().await;
        store(&deps).await;
        let meta = crate::raw::test_support::meta();
        let req = crate::precompute::test_support::request(NAME, D);
        let first = run(&deps, &req, D, &meta).await.unwrap();
        let again = run(&deps, &req, D, &meta).await.unwrap();
        crate::raw::test_support::assert_idempotent(&first, &again, 1);
        let stored: Vec<CompositeFactorsRow> = deps
            .warehouse
            .rows(&Filter::new().eq("game_date", D))
            .await
            .unwrap();
        // The cache's values come from the games, not from the cache table.
        assert_eq!(stored.len(), 1);
        assert_eq!(stored[0].load_ratio, Some(1.2)); // 147 / (3.5 * 35)
        assert_eq!(stored[0].fatigue_score, Some(0.4));
        assert_eq!(stored[0].usage_trend, Some(0.0));
        assert_eq!(stored[0].pace_factor, Some(1.0));
    }
}
