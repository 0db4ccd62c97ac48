//! Phase 4: per-player and per-team state as of a game date, computed from games strictly
//! before it. Level 1: the zone analyses; level 2: the daily cache and the composite factors;
//! level 3: the feature store the models read.

pub mod fair_projection;
pub mod ml_feature_store;
pub mod player_composite_factors;
pub mod player_daily_cache;
pub mod player_shot_zone_analysis;
pub mod team_defense_zone_analysis;

/// The Phase 4 processors, by registry name.
pub const PROCESSORS: &[crate::entry::Processor] = &[
    crate::processor_entry!(
        team_defense_zone_analysis,
        team_defense_zone_analysis::TeamDefenseZoneRow
    ),
    crate::processor_entry!(
        player_shot_zone_analysis,
        player_shot_zone_analysis::PlayerShotZoneRow
    ),
    crate::processor_entry!(player_daily_cache, player_daily_cache::DailyCacheRow),
    crate::processor_entry!(
        player_composite_factors,
        player_composite_factors::CompositeFactorsRow
    ),
    crate::processor_entry!(ml_feature_store, ml_feature_store::FeatureRow),
];

use nbaprops_proto::ProcessorRequest;

use crate::hashing;
use crate::storage::warehouse::Scope;
use crate::storage::{TableRow, Value};

pub(crate) fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// Mean, `None` for no values.
pub(crate) fn mean_opt(xs: &[f64]) -> Option<f64> {
    (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
}

/// Population standard deviation, `None` for no values.
pub(crate) fn std_opt(xs: &[f64]) -> Option<f64> {
    let m = mean_opt(xs)?;
    Some((xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / xs.len() as f64).sqrt())
}

/// `num / den`, `None` when the denominator is zero.
pub(crate) fn ratio(num: f64, den: f64) -> Option<f64> {
    (den != 0.0).then(|| num / den)
}

/// Order-independent hash over the input rows' hashes.
pub(crate) fn input_hash<R: TableRow>(rows: &[R]) -> String {
    let hashes: Vec<String> = rows
        .iter()
        .map(|r| hashing::row_hash(&r.values()))
        .collect();
    hashing::combine(hashes.iter().map(String::as_str))
}

/// Incremental runs that name teams narrow a team table's write to them.
pub(crate) fn team_scope(req: &ProcessorRequest) -> Option<Scope> {
    let filter = req.entity_filter.as_ref()?;
    if filter.teams.is_empty() {
        return None;
    }
    Some(Scope {
        column: "team",
        values: filter
            .teams
            .iter()
            .map(|t| Value::Text(t.clone()))
            .collect(),

        equals: vec![],
    })
}

/// The first day of the NBA season a date belongs to (seasons turn over on August 1).
pub fn season_start(date: &str) -> crate::error::Result<String> {
    use chrono::Datelike;
    let d = crate::sources::parse_date(date)?;
    let year = if d.month() >= 8 {
        d.year()
    } else {
        d.year() - 1
    };
    Ok(format!("{year}-08-01"))
}

/// The first day of the season before the one a date belongs to.
pub fn last_season_start(date: &str) -> crate::error::Result<String> {
    let start = season_start(date)?;
    let year: i32 = start[..4].parse().unwrap_or_default();
    Ok(format!("{}-08-01", year - 1))
}

#[cfg(test)]
pub(crate) mod test_support {
    use nbaprops_proto::{EntitySet, ProcessorRequest};

    pub fn request(processor: &str, date: &str) -> ProcessorRequest {
        crate::raw::test_support::request(processor, date, vec![])
    }

    pub fn players_request(processor: &str, date: &str, players: &[i64]) -> ProcessorRequest {
        let mut req = request(processor, date);
        req.entity_filter = Some(EntitySet {
            players: players.iter().map(|p| p.to_string()).collect(),
            ..Default::default()
        });
        req
    }
}
