//! `ml_feature_store`: for each player with a line on a game date, the named feature vector the
//! prediction models read. The vector is stored as a JSON array in the order of
//! [`FEATURE_NAMES`] (`null` = the input was missing; never a silent zero) with
//! [`FEATURE_VERSION`], `missing_count` and `feature_hash` (blake3 over the version and the
//! values), so a model can check it reads the vector it was trained on.
//!
//! Bump [`FEATURE_VERSION`] whenever the list, its order or any definition below changes.
//!
//! Sources: `upcoming_player_game_context` (the line, the other books, rest, schedule, injury),
//! the team's `upcoming_team_game_context` (implied points), `player_daily_cache` (recent
//! form, fair points), `player_shot_zone_analysis` (shot mix), the opponent's
//! `team_defense_zone_analysis` and `player_composite_factors`, all for the same date and all
//! computed from games before it.

use std::collections::BTreeMap;

use nbaprops_proto::{ProcessorRequest, ProcessorResult};

use super::player_composite_factors::{CompositeFactorsRow, Inputs, PlayerInputs};
use super::round4;
use crate::analytics::player_game_summary::entity_scope;
use crate::error::{PipelineError, Result};
use crate::storage::warehouse::WriteMeta;
use crate::storage::Filter;
use crate::storage::Value;
use crate::Deps;

pub const NAME: &str = "ml_feature_store";

/// The version of [`FEATURE_NAMES`] and of the definitions of its features.
pub const FEATURE_VERSION: i64 = 3;

/// The features, in the order they are stored. Definitions:
///
/// | feature | definition |
/// | --- | --- |
/// | `line` | current points line |
/// | `opening_line` | first line of the day |
/// | `line_movement` | current − opening |
/// | `points_avg_l5`, `points_avg_l10`, `points_avg_season` | daily cache (over a season's first 10 games, blended with last season's) |
/// | `points_std_l10` | population std of the last 10 games' points |
/// | `l10_minus_line` | `points_avg_l10 − line` |
/// | `games_played` | games this season before the date |
/// | `minutes_avg_l10`, `minutes_std_l10`, `usage_avg_l10` | daily cache (blended the same way) |
/// | `days_rest` | days since his last game minus one |
/// | `back_to_back` | 1 / 0 |
/// | `games_last_7`, `minutes_last_7` | player context |
/// | `home` | 1 home, 0 away |
/// | `spread` | his team's handicap (negative: favoured) |
/// | `game_total` | the game's total |
/// | `implied_team_points` | `(total − spread) / 2` for his team |
/// | `opp_defensive_rating` | opponent's points allowed per 100 possessions, last 15 games |
/// | `opp_def_rating_vs_league` | the same minus the league's |
/// | `opp_points_allowed_avg` | opponent's points allowed per game, last 15 games |
/// | `zone_mismatch`, `pace_factor`, `fatigue_score`, `usage_spike`, `teammates_out`, `starters_out` | composite factors |
/// | `injury_status_code` | not listed / Available 0, Probable 1, Questionable 2, Doubtful 3, Out 4; unknown status: null |
/// | `paint_share_l10`, `three_share_l10` | his located shots in the paint / from three, last 10 games |
/// | `fair_minus_line` | daily cache's fair points (minutes × points per minute, shrunk toward last season; no line read) − line |
/// | `line_vs_other_books` | line − the mean of the other books' latest lines; 0 when one book alone posted one |
pub const FEATURE_NAMES: [&str; 34] = [
    "line",
    "opening_line",
    "line_movement",
    "points_avg_l5",
    "points_avg_l10",
    "points_avg_season",
    "points_std_l10",
    "l10_minus_line",
    "games_played",
    "minutes_avg_l10",
    "minutes_std_l10",
    "usage_avg_l10",
    "days_rest",
    "back_to_back",
    "games_last_7",
    "minutes_last_7",
    "home",
    "spread",
    "game_total",
    "implied_team_points",
    "opp_defensive_rating",
    "opp_def_rating_vs_league",
    "opp_points_allowed_avg",
    "zone_mismatch",
    "pace_factor",
    "fatigue_score",
    "usage_spike",
    "teammates_out",
    "starters_out",
    "injury_status_code",
    "paint_share_l10",
    "three_share_l10",
    "fair_minus_line",
    "line_vs_other_books",
];

crate::warehouse_table! {
    pub struct FeatureRow in "ml_feature_store" {
        partition: game_date,
        key: [player_id],
        entities: [(player_id, Player), (team, Team)],
        mode: Replace,
    } {
        game_date: String,
        player_id: i64,
        player_name: String,
        team: String,
        opponent: Option<String>,
        feature_version: i64,
        feature_count: i64,
        features: String,
        missing_count: i64,
        feature_hash: String,
    }
}

impl FeatureRow {
    /// The stored vector, checked against the version and length this code reads.
    pub fn vector(&self) -> Result<Vec<Option<f64>>> {
        if self.feature_version != FEATURE_VERSION {
            return Err(PipelineError::Internal(format!(
                "ml_feature_store: row has feature version {}, this code reads {FEATURE_VERSION}",
                self.feature_version
            )));
        }
        let values: Vec<Option<f64>> = serde_json::from_str(&self.features)
            .map_err(|e| PipelineError::Internal(format!("ml_feature_store: features: {e}")))?;
        if values.len() != FEATURE_NAMES.len() {
            return Err(PipelineError::Internal(format!(
                "ml_feature_store: {} features, expected {}",
                values.len(),
                FEATURE_NAMES.len()
            )));
        }
        Ok(values)
    }

    /// The vector by feature name.
    pub fn named(&self) -> Result<BTreeMap<&'static str, Option<f64>>> {
        Ok(FEATURE_NAMES.iter().copied().zip(self.vector()?).collect())
    }
}

/// The injury status as a number: higher is less likely to play. `None` (not on the report)
/// is 0; a status this code does not know is missing.
pub fn injury_code(status: Option<&str>) -> Option<f64> {
    match status.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
        None | Some("") | Some("available") => Some(0.0),
        Some("probable") => Some(1.0),
        Some("questionable") => Some(2.0),
        Some("doubtful") => Some(3.0),
        Some("out") => Some(4.0),
        Some(_) => None,
    }
}

/// The vector of one player, in [`FEATURE_NAMES`] order.
pub fn features(p: &PlayerInputs, f: Option<&CompositeFactorsRow>) -> Vec<Option<f64>> {
    let c = p.context;
    let k = p.cache;
    let opp = p.opp_defense;
    let z = p.zones;
    let v = vec![
        Some(c.current_line),
        Some(c.opening_line),
        Some(c.line_movement),
        k.map(|k| k.points_avg_l5),
        k.map(|k| k.points_avg_l10),
        k.map(|k| k.points_avg_season),
        k.map(|k| k.points_std_l10),
        k.map(|k| k.points_avg_l10 - c.current_line),
        k.map(|k| k.games_played as f64),
        k.and_then(|k| k.minutes_avg_l10),
        k.and_then(|k| k.minutes_std_l10),
        k.and_then(|k| k.usage_avg_l10),
        c.days_rest.map(|d| d as f64),
        Some(c.back_to_back as f64),
        Some(c.games_last_7 as f64),
        Some(c.minutes_last_7),
        c.home.map(|h| h as f64),
        c.spread,
        c.game_total,
        p.team.and_then(|t| t.implied_points),
        opp.map(|o| o.defensive_rating),
        opp.map(|o| o.defensive_rating_vs_league),
        opp.map(|o| o.points_allowed_avg),
        f.and_then(|f| f.zone_mismatch),
        f.and_then(|f| f.pace_factor),
        f.and_then(|f| f.fatigue_score),
        f.and_then(|f| f.usage_spike),
        f.and_then(|f| f.teammates_out).map(|n| n as f64),
        f.and_then(|f| f.starters_out).map(|n| n as f64),
        injury_code(c.injury_status.as_deref()),
        z.and_then(|z| z.paint_share_l10),
        z.and_then(|z| z.three_share_l10),
        k.and_then(|k| k.fair_points).map(|f| f - c.current_line),
        // One book alone: no disagreement seen (not a missing input).
        Some(c.line_vs_other_books.unwrap_or(0.0)),
    ];
    debug_assert_eq!(v.len(), FEATURE_NAMES.len());
    v.into_iter().map(|x| x.map(round4)).collect()
}

/// blake3 over the version and the values.
pub fn feature_hash(values: &[Option<f64>]) -> String {
    let mut all = vec![Value::Int(FEATURE_VERSION)];
    all.extend(values.iter().map(|v| Value::from(*v)));
    crate::hashing::row_hash(&all)
}

pub fn transform(date: &str, inputs: &Inputs, factors: &[CompositeFactorsRow]) -> Vec<FeatureRow> {
    let factors: BTreeMap<i64, &CompositeFactorsRow> = factors
        .iter()
        .filter(|f| f.game_date == date)
        .map(|f| (f.player_id, f))
        .collect();
    inputs
        .players(date)
        .iter()
        .map(|p| {
            let values = features(p, factors.get(&p.context.player_id).copied());
            FeatureRow {
                game_date: date.to_string(),
                player_id: p.context.player_id,
                player_name: p.context.player_name.clone(),
                team: p.context.team.clone(),
                opponent: p.opponent.clone(),
                feature_version: FEATURE_VERSION,
                feature_count: values.len() as i64,
                features: serde_json::to_string(&values).expect("numbers serialize"),
                missing_count: values.iter().filter(|v| v.is_none()).count() as i64,
                feature_hash: feature_hash(&values),
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
    let inputs = Inputs::load(deps, date, true).await?;
    let factors: Vec<CompositeFactorsRow> = deps
        .warehouse
        .rows(&Filter::new().eq("game_date", date))
        .await?;
    let input_hash = crate::hashing::combine([
        inputs.input_hash().as_str(),
        super::input_hash(&factors).as_str(),
    ]);
    let mut rows = transform(date, &inputs, &factors);
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
        inputs.rows_read() + factors.len(),
        input_hash,
        stats,
        vec![],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::precompute::player_composite_factors::tests::{context, full_inputs, store, D};
    use crate::precompute::player_composite_factors::{self as composite};

    #[test]
    fn names_are_many_unique_and_match_the_vector() {
        assert!(FEATURE_NAMES.len() >= 25);
        let unique: std::collections::BTreeSet<_> = FEATURE_NAMES.iter().collect();
        assert_eq!(unique.len(), FEATURE_NAMES.len());
        let inputs = full_inputs();
        let p = &inputs.players(D)[0];
        assert_eq!(features(p, None).len(), FEATURE_NAMES.len());
    }

    #[test]
    fn full_vector_by_hand() {
        let inputs = full_inputs();
        let factors = composite::transform(D, &inputs);
        let rows = transform(D, &inputs, &factors);
        assert_eq!(rows.len(), 1);
        let r = &rows[0];
        assert_eq!(
            (r.feature_version, r.feature_count, r.missing_count),
            (3, 34, 0)
        );
        let f = r.named().unwrap();
        assert_eq!(f["line"], Some(25.5));
        assert_eq!(f["line_movement"], Some(1.0));
        assert_eq!(f["points_avg_season"], Some(24.0));
        assert_eq!(f["l10_minus_line"], Some(0.5)); // 26 - 25.5
        assert_eq!(f["usage_avg_l10"], Some(0.29));
        assert_eq!(f["days_rest"], Some(1.0));
        assert_eq!(f["home"], Some(1.0));
        assert_eq!(f["implied_team_points"], Some(116.5));
        assert_eq!(f["opp_defensive_rating"], Some(114.0));
        assert_eq!(f["zone_mismatch"], Some(0.051));
        assert_eq!(f["pace_factor"], Some(1.0));
        assert_eq!(f["fatigue_score"], Some(0.4));
        assert_eq!(f["usage_spike"], Some(0.05));
        assert_eq!(f["teammates_out"], Some(3.0));
        assert_eq!(f["injury_status_code"], Some(0.0));
        assert_eq!(f["three_share_l10"], Some(0.3));
        assert_eq!(f["fair_minus_line"], Some(1.0)); // 26.5 - 25.5
        assert_eq!(f["line_vs_other_books"], Some(0.0)); // one book
        assert_eq!(r.feature_hash, feature_hash(&r.vector().unwrap()));
    }

    #[test]
    fn missing_inputs_are_explicit_nulls() {
        let inputs = Inputs {
            contexts: vec![context(7, "BOS", "NYK")],
            ..Default::default()
        };
        let r = &transform(D, &inputs, &[])[0];
        let f = r.named().unwrap();
        assert_eq!(f["points_avg_l10"], None);
        assert_eq!(f["zone_mismatch"], None);
        assert_eq!(f["line"], Some(25.5));
        // Everything from the cache (10), the team context (1), the opponent (3), the factors
        // (6) and the zones (2) is missing.
        assert_eq!(r.missing_count, 22);
        assert!(r.features.contains("null"));
    }

    #[test]
    fn injury_codes() {
        assert_eq!(injury_code(None), Some(0.0));
        assert_eq!(injury_code(Some("Questionable")), Some(2.0));
        assert_eq!(injury_code(Some("OUT")), Some(4.0));
        assert_eq!(injury_code(Some("Suspended?")), None);
    }

    #[test]
    fn rows_of_other_dates_change_nothing_and_versions_are_checked() {
        let inputs = full_inputs();
        let factors = composite::transform(D, &inputs);
        let before = transform(D, &inputs, &factors);
        let mut later = factors.clone();
        later[0].game_date = "2025-01-11".into();
        later[0].zone_mismatch = Some(9.0);
        let mut with_later = factors.clone();
        with_later.extend(later);
        assert_eq!(transform(D, &inputs, &with_later), before);
        let mut old = before[0].clone();
        old.feature_version = 0;
        assert!(old.vector().is_err());
    }

    #[tokio::test]
    async fn round_trip_is_idempotent() {
        let (_d, deps) = crate::raw::test_support::temp_deps().await;
        store(&deps).await;
        let meta = crate::raw::test_support::meta();
        let req = crate::precompute::test_support::request(composite::NAME, D);
        composite::run(&deps, &req, D, &meta).await.unwrap();
        let req = crate::precompute::test_support::request(NAME, D);
        let first = run(&deps, &req, D, &meta).await.unwrap();
        let again = run(&deps, &req, D, &meta).await.unwrap();
        crate::raw::test_support::assert_idempotent(&first, &again, 1);
        let stored: Vec<FeatureRow> = deps
            .warehouse
            .rows(&Filter::new().eq("game_date", D))
            .await
            .unwrap();
        assert_eq!(stored[0].missing_count, 0);
        assert_eq!(stored[0].vector().unwrap().len(), FEATURE_NAMES.len());
    }
}
