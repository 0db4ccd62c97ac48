//! The part every prediction system shares: turn an estimate of a player's points into a
//! `predictions` row (edge against his line, OVER / UNDER / PASS, the line's source, snapshot
//! and prices), and write the batch so that it supersedes only this system's rows of these
//! players.

use nbaprops_proto::{ProcessorRequest, ProcessorResult};

use super::inputs::{load_batch, skip, Batch, Candidate};
use super::predictions::{recommendation, PredictionRow};
use crate::error::Result;
use crate::storage::warehouse::WriteMeta;
use crate::Deps;

/// The range a prediction is clamped to; the batch gate flags anything outside it.
pub const MIN_POINTS: f64 = 0.0;
pub const MAX_POINTS: f64 = 80.0;

/// One system's estimate for one player.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    pub points: f64,
    /// 0 to 1.
    pub confidence: f64,
}

/// A system: its name, the version of its method or model, and the edge it needs to bet.
#[derive(Debug, Clone, PartialEq)]
pub struct System {
    pub name: &'static str,
    pub model_version: String,
    pub edge_threshold: f64,
}

/// Confidence as the edge against his recent spread (points std of his last 10, at least 3;
/// 6 when unknown), capped at 1: the same miss means more for a steady scorer.
pub fn spread_confidence(points: f64, c: &Candidate) -> f64 {
    let spread = c.feature("points_std_l10").unwrap_or(6.0).max(3.0);
    ((points - c.line.line).abs() / spread).min(1.0)
}

pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Whether the player is ruled out for the game (Out on the latest report or injury update
/// before tip-off): no bet on a player who will not play (the book voids it), so PASS whatever
/// the edge. The points estimate stays, for the record.
pub fn ruled_out(c: &Candidate) -> bool {
    c.context
        .as_ref()
        .and_then(|x| x.injury_status.as_deref())
        .is_some_and(|s| s.eq_ignore_ascii_case("out"))
}

/// The row for one estimate.
pub fn prediction_row(
    system: &System,
    date: &str,
    c: &Candidate,
    estimate: &Estimate,
) -> PredictionRow {
    let predicted = round2(estimate.points.clamp(MIN_POINTS, MAX_POINTS));
    let edge = round2(predicted - c.line.line);
    PredictionRow {
        game_date: date.to_string(),
        player_id: c.player_id,
        system: system.name.to_string(),
        model_version: system.model_version.clone(),
        player_name: c.player_name.clone(),
        predicted_points: predicted,
        line: c.line.line,
        line_source: c.line.bookmaker.clone(),
        line_snapshot_time: c.line.snapshot_time.clone(),
        over_price: c.line.over_price,
        under_price: c.line.under_price,
        recommendation: if ruled_out(c) {
            "PASS"
        } else {
            recommendation(edge, system.edge_threshold)
        }
        .to_string(),
        edge,
        confidence: round2(estimate.confidence.clamp(0.0, 1.0)),
        feature_hash: c
            .features
            .as_ref()
            .map(|f| f.hash.clone())
            .unwrap_or_default(),
    }
}

/// Estimates every candidate; a candidate the system cannot predict is reported with the
/// reason `estimate` gives (`Err(reason)`), never guessed.
pub fn predict_batch(
    system: &System,
    batch: &Batch,
    estimate: impl Fn(&Candidate) -> std::result::Result<Estimate, String>,
) -> (Vec<PredictionRow>, Vec<String>) {
    let mut rows = Vec::new();
    let mut warnings = batch.skipped.clone();
    for c in &batch.candidates {
        match estimate(c) {
            Ok(e) if e.points.is_finite() => rows.push(prediction_row(system, &batch.date, c, &e)),
            Ok(e) => warnings.push(skip(
                &format!("{} estimated a non-finite value {}", system.name, e.points),
                &c.player_name,
                c.player_id,
            )),
            Err(reason) => warnings.push(skip(&reason, &c.player_name, c.player_id)),
        }
    }
    (rows, warnings)
}

/// Predicts a batch and writes it, superseding this system's changed rows of these players.
/// `extra_input_hash` names what the system read beyond the batch (a model, a pool, weights).
pub async fn run_system(
    deps: &Deps,
    batch: &Batch,
    system: &System,
    extra_input_hash: &str,
    meta: &WriteMeta,
    estimate: impl Fn(&Candidate) -> std::result::Result<Estimate, String>,
) -> Result<ProcessorResult> {
    let (rows, warnings) = predict_batch(system, batch, estimate);
    write_batch(deps, batch, system, extra_input_hash, meta, &rows, warnings).await
}

/// Writes a batch's rows, superseding this system's changed rows of these players.
pub async fn write_batch(
    deps: &Deps,
    batch: &Batch,
    system: &System,
    extra_input_hash: &str,
    meta: &WriteMeta,
    rows: &[PredictionRow],
    warnings: Vec<String>,
) -> Result<ProcessorResult> {
    let mut scope = batch.scope.clone();
    scope.equals.push(("system", system.name.into()));
    let stats = deps
        .warehouse
        .write_partition(&batch.date, Some(&scope), rows, meta)
        .await?;
    Ok(crate::result::processor_result(
        system.name,
        &batch.date,
        batch.rows_read,
        crate::hashing::combine([batch.input_hash.as_str(), extra_input_hash]),
        stats,
        warnings,
    ))
}

/// The whole run of a system that reads nothing beyond the batch.
pub async fn run_batch(
    deps: &Deps,
    req: &ProcessorRequest,
    date: &str,
    meta: &WriteMeta,
    system: &System,
    estimate: impl Fn(&Candidate) -> std::result::Result<Estimate, String>,
) -> Result<ProcessorResult> {
    let batch = load_batch(deps, req, date).await?;
    run_system(deps, &batch, system, "", meta, estimate).await
}
