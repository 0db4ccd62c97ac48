//! `matchup`: his form against this opponent's defence.
//!
//! Starts from the same form as `moving_average`, then scales by how many points the opponent
//! allows per 100 possessions relative to the league over its last 15 games
//! (`1 + opp_def_rating_vs_league / 100`), by the fit of his shot zones against what the
//! opponent allows by zone (`1 + zone_mismatch`, capped at ±10%), and by the game's expected
//! pace (`pace_factor`, in full). Without the opponent's defensive rating there is no
//! matchup to read, and the player is skipped with that reason.
//!
//! Positions: no source this pipeline reads gives a reliable position per player and date,
//! so the opponent's defence is read by shot zone, not by position.

use nbaprops_proto::{ProcessorRequest, ProcessorResult};

use super::inputs::Candidate;
use super::moving_average::form;
use super::system::{run_batch, spread_confidence, Estimate, System};
use crate::error::Result;
use crate::storage::warehouse::WriteMeta;
use crate::Deps;

pub const NAME: &str = "matchup";
pub const MODEL_VERSION: &str = "matchup-v1";
pub const EDGE_THRESHOLD: f64 = 1.5;
const ZONE_CAP: f64 = 0.10;

pub fn system() -> System {
    System {
        name: NAME,
        model_version: MODEL_VERSION.to_string(),
        edge_threshold: EDGE_THRESHOLD,
    }
}

pub fn estimate(c: &Candidate) -> std::result::Result<Estimate, String> {
    let base = form(c)?;
    let Some(defence) = c.feature("opp_def_rating_vs_league") else {
        return Err("no defensive rating for the opponent".to_string());
    };
    let zones = c
        .feature("zone_mismatch")
        .map_or(1.0, |z| 1.0 + z.clamp(-ZONE_CAP, ZONE_CAP));
    let pace = c.feature("pace_factor").unwrap_or(1.0);
    let points = base * (1.0 + defence / 100.0) * zones * pace;
    Ok(Estimate {
        points,
        confidence: spread_confidence(points, c),
    })
}

pub async fn run(
    deps: &Deps,
    req: &ProcessorRequest,
    date: &str,
    meta: &WriteMeta,
) -> Result<ProcessorResult> {
    run_batch(deps, req, date, meta, &system(), estimate).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::predict::moving_average::tests::candidate;

    #[test]
    fn opponent_defence_zones_and_pace_by_hand() {
        let base = [
            ("points_avg_l5", 20.0),
            ("points_avg_l10", 20.0),
            ("points_avg_season", 20.0),
            ("games_played", 10.0),
        ];
        // A defence 5 points per 100 worse than the league, a 20% zone fit capped at 10%, pace
        // 2% up: 20 · 1.05 · 1.10 · 1.02.
        let mut f = base.to_vec();
        f.extend([
            ("opp_def_rating_vs_league", 5.0),
            ("zone_mismatch", 0.2),
            ("pace_factor", 1.02),
        ]);
        let e = estimate(&candidate(21.5, &f)).unwrap();
        assert!(
            (e.points - 20.0 * 1.05 * 1.10 * 1.02).abs() < 1e-9,
            "{}",
            e.points
        );
        // No rating for the opponent: skipped, with the reason.
        let err = estimate(&candidate(21.5, &base)).unwrap_err();
        assert!(err.contains("defensive rating"), "{err}");
    }
}
