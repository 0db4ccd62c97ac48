//! `moving_average`: weighted recent form, adjusted for rest, venue and pace.
//!
//! Form is `0.4·last5 + 0.4·last10 + 0.2·season` of this season's games. Early in a season,
//! with fewer than [`FULL_FORM_GAMES`] games, it is blended with his last ten games within 200
//! days (which reach back into last season) in proportion to the games played. Adjustments are
//! fixed priors, not fitted: a back-to-back costs 4%, three or more days off add 1%, home adds
//! 1% and away takes 1%, and half of the game's expected pace above or below the league's
//! (`pace_factor`) carries through. OVER / UNDER when the result clears the line by
//! [`EDGE_THRESHOLD`]; confidence is the edge relative to his recent spread.

use nbaprops_proto::{ProcessorRequest, ProcessorResult};

use super::inputs::Candidate;
use super::system::{run_batch, spread_confidence, Estimate, System};
use crate::error::Result;
use crate::storage::warehouse::WriteMeta;
use crate::Deps;

pub const NAME: &str = "moving_average";
pub const MODEL_VERSION: &str = "moving_average-v2";
pub const EDGE_THRESHOLD: f64 = 1.5;
/// Fewer games than this (this season, or within 200 days) and there is no form to read.
pub const MIN_GAMES: f64 = 3.0;
/// From this many games this season on, last season no longer counts.
pub const FULL_FORM_GAMES: f64 = 5.0;

pub fn system() -> System {
    System {
        name: NAME,
        model_version: MODEL_VERSION.to_string(),
        edge_threshold: EDGE_THRESHOLD,
    }
}

/// His scoring form before the date, or why there is none. Shared with `matchup`.
pub fn form(c: &Candidate) -> std::result::Result<f64, String> {
    let games = c.feature("games_played").unwrap_or(0.0);
    let season = match (
        c.feature("points_avg_l5"),
        c.feature("points_avg_l10"),
        c.feature("points_avg_season"),
    ) {
        (Some(l5), Some(l10), Some(s)) if games > 0.0 => Some(0.4 * l5 + 0.4 * l10 + 0.2 * s),
        _ => None,
    };
    let recent = c.context.as_ref().and_then(|x| x.points_avg_l10);
    match (season, recent) {
        (Some(s), _) if games >= FULL_FORM_GAMES => Ok(s),
        (Some(s), Some(r)) => {
            let w = games / FULL_FORM_GAMES;
            Ok(w * s + (1.0 - w) * r)
        }
        (Some(s), None) if games >= MIN_GAMES => Ok(s),
        (None, Some(r))
            if c.context
                .as_ref()
                .is_some_and(|x| x.points_avg_l5.is_some()) =>
        {
            Ok(r)
        }
        _ if c.features.is_none() => Err("no feature row for the date".to_string()),
        _ => Err(format!(
            "fewer than {MIN_GAMES} games before the date (this season or within 200 days)"
        )),
    }
}

/// Rest, venue and pace, as multipliers on form.
pub fn adjustment(c: &Candidate) -> f64 {
    let mut m = 1.0;
    if c.feature("back_to_back") == Some(1.0) {
        m *= 0.96;
    } else if c.feature("days_rest").is_some_and(|d| d >= 3.0) {
        m *= 1.01;
    }
    match c.feature("home") {
        Some(h) if h >= 1.0 => m *= 1.01,
        Some(_) => m *= 0.99,
        None => {}
    }
    if let Some(p) = c.feature("pace_factor") {
        m *= 1.0 + 0.5 * (p - 1.0);
    }
    m
}

pub fn estimate(c: &Candidate) -> std::result::Result<Estimate, String> {
    let points = form(c)? * adjustment(c);
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
pub(crate) mod tests {
    use super::*;
    use crate::lines::ChosenLine;
    use crate::precompute::ml_feature_store::FEATURE_NAMES;
    use crate::predict::inputs::{feature_index, Features};

    /// A candidate with the named features set and every other feature missing.
    pub(crate) fn candidate(line: f64, features: &[(&str, f64)]) -> Candidate {
        let mut values = vec![None; FEATURE_NAMES.len()];
        for (name, v) in features {
            values[feature_index(name)] = Some(*v);
        }
        values[feature_index("line")] = Some(line);
        Candidate {
            player_id: 1,
            player_name: "A".into(),
            line: ChosenLine {
                player_lookup: "a".into(),
                player_name: "A".into(),
                line,
                bookmaker: "draftkings".into(),
                snapshot_time: "2025-01-13T16:00:00Z".into(),
                over_price: Some(-110),
                under_price: Some(-110),
            },
            features: Some(Features {
                hash: "h".into(),
                values,
                missing: 0,
            }),
            context: None,
        }
    }

    fn form_of(l5: f64, l10: f64, season: f64, games: f64) -> Vec<(&'static str, f64)> {
        vec![
            ("points_avg_l5", l5),
            ("points_avg_l10", l10),
            ("points_avg_season", season),
            ("games_played", games),
        ]
    }

    #[test]
    fn weighted_form_with_adjustments_by_hand() {
        // 0.4·30 + 0.4·25 + 0.2·20 = 26; home 1.01, back-to-back 0.96, pace 1.04 -> +2%.
        let mut f = form_of(30.0, 25.0, 20.0, 12.0);
        f.extend([("home", 1.0), ("back_to_back", 1.0), ("pace_factor", 1.04)]);
        let e = estimate(&candidate(22.5, &f)).unwrap();
        let expected = 26.0 * 1.01 * 0.96 * 1.02;
        assert!((e.points - expected).abs() < 1e-9, "{}", e.points);
        // Away, three days off, no pace: 26 · 0.99 · 1.01.
        let mut f = form_of(30.0, 25.0, 20.0, 12.0);
        f.extend([("home", 0.0), ("days_rest", 3.0)]);
        let e = estimate(&candidate(22.5, &f)).unwrap();
        assert!((e.points - 26.0 * 0.99 * 1.01).abs() < 1e-9);
    }

    #[test]
    fn early_season_blends_with_last_season() {
        use crate::analytics::upcoming_player_game_context::PlayerContextRow;
        let mut c = candidate(20.5, &form_of(10.0, 10.0, 10.0, 2.0));
        assert!(estimate(&c).unwrap_err().contains("fewer than 3 games"));
        c.context = Some(PlayerContextRow {
            points_avg_l5: Some(20.0),
            points_avg_l10: Some(20.0),
            ..PlayerContextRow::sample()
        });
        // Two games this season: 2/5 of 10 + 3/5 of 20 = 16.
        assert!((estimate(&c).unwrap().points - 16.0).abs() < 1e-9);
        c.features = None;
        assert!((estimate(&c).unwrap().points - 20.0).abs() < 1e-9);
    }

    #[test]
    fn over_under_pass_by_hand() {
        use crate::predict::system::{prediction_row, System};
        let s = system();
        let row = |line: f64, form: f64| {
            let c = candidate(line, &form_of(form, form, form, 10.0));
            prediction_row(&s, "2025-01-13", &c, &estimate(&c).unwrap())
        };
        let r = row(22.5, 25.0);
        assert_eq!((r.edge, r.recommendation.as_str()), (2.5, "OVER"));
        let r = row(20.5, 18.2);
        assert_eq!((r.edge, r.recommendation.as_str()), (-2.3, "UNDER"));
        let r = row(19.5, 20.0);
        assert_eq!((r.edge, r.recommendation.as_str()), (0.5, "PASS"));
        assert_eq!(r.over_price, Some(-110));
        // Ruled out: PASS whatever the edge; the estimate stays.
        let mut c = candidate(22.5, &form_of(25.0, 25.0, 25.0, 10.0));
        c.context = Some(
            crate::analytics::upcoming_player_game_context::PlayerContextRow {
                injury_status: Some("Out".into()),
                ..crate::analytics::upcoming_player_game_context::PlayerContextRow::sample()
            },
        );
        let r = prediction_row(&s, "2025-01-13", &c, &estimate(&c).unwrap());
        assert_eq!(r.recommendation, "PASS");
        assert!(r.edge > 0.0);
        let _ = System::clone(&s);
    }
}
