//! `prediction_grades`: every live prediction of a date against what happened, once the date's
//! box scores are in.
//!
//! Before grading, every game of the date (`inputs::games_on`) must have box-score rows in
//! `player_game_summary`; otherwise the run fails with the retryable `NotReady`, naming the
//! missing games, and Temporal's retry policy tries again later. Then one row per live
//! prediction: the points scored, the error, and the result of the system's call at the side's
//! price (`grade::metrics`). A player without a box-score row, or with 0 minutes, is VOID.
//! The partition is replaced (hash-diffed), so grading a date twice writes nothing.

use std::collections::BTreeMap;

use nbaprops_proto::{ProcessorRequest, ProcessorResult, RunContext, SystemGrade};

use super::metrics::{Outcome, Pick, Side, Summary};
use crate::analytics::inputs::{self, Game};
use crate::analytics::player_game_summary::{entity_scope, GameSummaryRow};
use crate::error::{PipelineError, Result};
use crate::hashing;
use crate::predict::predictions::PredictionRow;
use crate::storage::warehouse::WriteMeta;
use crate::storage::Filter;
use crate::storage::{TableRow, Value};
use crate::Deps;

pub const NAME: &str = "prediction_grades";

crate::warehouse_table! {
    pub struct PredictionGradeRow in "prediction_grades" {
        partition: game_date,
        key: [player_id, system],
        entities: [(player_id, Player)],
        mode: Replace,
    } {
        game_date: String,
        player_id: i64,
        system: String,
        model_version: String,
        player_name: String,
        predicted_points: f64,
        line: f64,
        line_source: String,
        over_price: Option<i64>,
        under_price: Option<i64>,
        recommendation: String,
        edge: f64,
        actual_points: Option<i64>,
        minutes: Option<f64>,
        error: Option<f64>,
        abs_error: Option<f64>,
        line_abs_error: Option<f64>,
        within_3: Option<bool>,
        within_5: Option<bool>,
        result: String,
        profit: Option<f64>,
    }
}

impl PredictionGradeRow {
    /// The row as a pick for `grade::metrics::Summary`.
    pub fn pick(&self) -> Pick {
        Pick {
            predicted_points: self.predicted_points,
            line: self.line,
            edge: self.edge,
            side: Side::of_recommendation(&self.recommendation),
            over_price: self.over_price,
            under_price: self.under_price,
            actual_points: (self.result != Outcome::Void.as_str())
                .then_some(self.actual_points)
                .flatten()
                .map(|p| p as f64),
        }
    }
}

/// Rounded to 4 places so stored values and their hashes do not depend on float noise.
fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// Whether a box-score row says he played: minutes above 0 (without minutes, any points).
pub fn played(row: &GameSummaryRow) -> bool {
    row.minutes.map_or(row.points > 0, |m| m > 0.0)
}

/// The games of the date without a box-score row: a game counts as in when a row carries its
/// id, or rows of its two teams facing each other (sources whose game ids differ).
pub fn missing_games<'a>(games: &'a [Game], boxes: &[GameSummaryRow]) -> Vec<&'a Game> {
    games
        .iter()
        .filter(|g| {
            !boxes.iter().any(|b| {
                b.game_id == g.game_id
                    || (b.team == g.home && b.opponent == g.away)
                    || (b.team == g.away && b.opponent == g.home)
            })
        })
        .collect()
}

/// The retryable error of a date whose box scores are not all in.
pub fn not_ready(date: &str, games: &[Game], missing: &[&Game]) -> PipelineError {
    let listed: Vec<String> = missing
        .iter()
        .map(|g| format!("{} ({}@{})", g.game_id, g.away, g.home))
        .collect();
    PipelineError::NotReady {
        processor: NAME.to_string(),
        date: date.to_string(),
        reason: format!(
            "box scores for {date} not final: {} of {} games missing: {}",
            missing.len(),
            games.len(),
            listed.join(", ")
        ),
    }
}

/// One grade row per prediction, from the date's box-score rows. Pure.
pub fn transform(
    predictions: &[PredictionRow],
    boxes: &[GameSummaryRow],
) -> Vec<PredictionGradeRow> {
    // A player's row of the date: the one with the most minutes should a source list him twice.
    let mut by_player: BTreeMap<i64, &GameSummaryRow> = BTreeMap::new();
    for b in boxes {
        let keep = by_player
            .get(&b.player_id)
            .is_none_or(|old| b.minutes.unwrap_or(0.0) > old.minutes.unwrap_or(0.0));
        if keep {
            by_player.insert(b.player_id, b);
        }
    }
    predictions
        .iter()
        .map(|p| {
            let row = by_player.get(&p.player_id);
            let actual = row.filter(|r| played(r)).map(|r| r.points);
            let pick = Pick {
                predicted_points: p.predicted_points,
                line: p.line,
                edge: p.edge,
                side: Side::of_recommendation(&p.recommendation),
                over_price: p.over_price,
                under_price: p.under_price,
                actual_points: actual.map(|a| a as f64),
            };
            let bet = pick.grade();
            let error = pick.error().map(round4);
            PredictionGradeRow {
                game_date: p.game_date.clone(),
                player_id: p.player_id,
                system: p.system.clone(),
                model_version: p.model_version.clone(),
                player_name: p.player_name.clone(),
                predicted_points: p.predicted_points,
                line: p.line,
                line_source: p.line_source.clone(),
                over_price: p.over_price,
                under_price: p.under_price,
                recommendation: p.recommendation.clone(),
                edge: p.edge,
                actual_points: actual,
                minutes: row.and_then(|r| r.minutes),
                error,
                abs_error: error.map(f64::abs),
                line_abs_error: actual.map(|a| round4((p.line - a as f64).abs())),
                within_3: error.map(|e| e.abs() <= 3.0),
                within_5: error.map(|e| e.abs() <= 5.0),
                result: bet.outcome.as_str().to_string(),
                profit: bet.profit.map(round4),
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
    let mut predictions: Vec<PredictionRow> = deps
        .warehouse
        .rows(&Filter::new().eq("game_date", date))
        .await?;
    let scope = entity_scope(req);
    if let Some(scope) = &scope {
        predictions.retain(|p| scope.values.contains(&Value::Int(p.player_id)));
    }
    let boxes: Vec<GameSummaryRow> = deps
        .warehouse
        .rows(&Filter::new().eq("game_date", date))
        .await?;
    let games = inputs::games_on(deps, date).await?;
    let mut warnings = Vec::new();
    if games.is_empty() {
        if !predictions.is_empty() {
            // Predictions come from lines, whose events are games: the schedule is gone.
            return Err(PipelineError::QualityCheck {
                processor: NAME.to_string(),
                date: date.to_string(),
                reason: format!(
                    "{} predictions but no games on {date} (schedule, historical games or \
                     lines' events): cannot tell whether its box scores are final",
                    predictions.len()
                ),
            });
        }
        warnings.push(format!("no games on {date}: nothing to grade"));
    }
    let missing = missing_games(&games, &boxes);
    if !missing.is_empty() {
        return Err(not_ready(date, &games, &missing));
    }
    if predictions.is_empty() && !games.is_empty() {
        warnings.push(format!(
            "{} games on {date} but no live predictions to grade",
            games.len()
        ));
    }
    let input_hash = hashing::combine(
        predictions
            .iter()
            .map(|r| hashing::row_hash(&r.values()))
            .chain(boxes.iter().map(|r| hashing::row_hash(&r.values())))
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str),
    );
    let rows = transform(&predictions, &boxes);
    let voids: Vec<String> = rows
        .iter()
        .filter(|r| r.result == Outcome::Void.as_str())
        .map(|r| format!("{} ({}, {})", r.player_name, r.player_id, r.system))
        .collect();
    if !voids.is_empty() {
        warnings.push(format!(
            "{} predictions void (no box-score row or 0 minutes): {}",
            voids.len(),
            voids.join(", ")
        ));
    }
    let stats = deps
        .warehouse
        .write_partition(date, scope.as_ref(), &rows, meta)
        .await?;
    Ok(crate::result::processor_result(
        NAME,
        date,
        predictions.len() + boxes.len(),
        input_hash,
        stats,
        warnings,
    ))
}

/// The grades of a date, per system (ordered by name).
pub async fn grades_by_system(
    deps: &Deps,
    date: &str,
) -> Result<BTreeMap<String, Vec<PredictionGradeRow>>> {
    let rows: Vec<PredictionGradeRow> = deps
        .warehouse
        .rows(&Filter::new().eq("game_date", date))
        .await?;
    let mut out: BTreeMap<String, Vec<PredictionGradeRow>> = BTreeMap::new();
    for r in rows {
        out.entry(r.system.clone()).or_default().push(r);
    }
    Ok(out)
}

fn r4(x: Option<f64>) -> Option<f64> {
    x.map(round4)
}

/// A system's summary as the workflow result carries it.
pub fn system_grade(system: &str, s: &Summary) -> SystemGrade {
    SystemGrade {
        system: system.to_string(),
        predictions: s.count,
        graded: s.graded,
        voids: s.voids,
        mae: r4(s.mae),
        bias: r4(s.bias),
        line_mae: r4(s.line_mae),
        within_3: r4(s.within_3),
        within_5: r4(s.within_5),
        bets: s.record.bets,
        wins: s.record.wins,
        losses: s.record.losses,
        pushes: s.record.pushes,
        default_priced: s.record.default_priced,
        profit: round4(s.record.profit),
        hit_rate: r4(s.record.hit_rate),
        hit_rate_lo: r4(s.record.hit_rate_lo),
        hit_rate_hi: r4(s.record.hit_rate_hi),
        roi: r4(s.record.roi),
    }
}

/// The stored grades of the context's date, summarised per system (the grading workflow's
/// result; its `grading` field is the workflow's to fill).
pub async fn summarize(deps: &Deps, ctx: &RunContext) -> Result<nbaprops_proto::GradeResult> {
    let by_system = grades_by_system(deps, &ctx.game_date).await?;
    let mut result = nbaprops_proto::GradeResult {
        game_date: ctx.game_date.clone(),
        correlation_id: ctx.correlation_id.clone(),
        ..Default::default()
    };
    for (system, rows) in &by_system {
        let picks: Vec<Pick> = rows.iter().map(PredictionGradeRow::pick).collect();
        let s = Summary::of(&picks, &[]);
        result.predictions += s.count;
        result.graded += s.graded;
        result.voids += s.voids;
        result.systems.push(system_grade(system, &s));
    }
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::warehouse::WriteMeta;
    use crate::storage::Warehouse;

    const D: &str = "2025-01-13";

    fn prediction(player_id: i64, predicted: f64, line: f64, call: &str) -> PredictionRow {
        PredictionRow {
            game_date: D.into(),
            player_id,
            system: "moving_average".into(),
            model_version: "moving_average-v1".into(),
            player_name: format!("P{player_id}"),
            predicted_points: predicted,
            line,
            line_source: "draftkings".into(),
            line_snapshot_time: "2025-01-13T15:00:00Z".into(),
            over_price: Some(-110),
            under_price: Some(-110),
            recommendation: call.into(),
            edge: ((predicted - line) * 100.0).round() / 100.0,
            confidence: 0.5,
            feature_hash: "f".into(),
        }
    }

    fn summary(player_id: i64, points: i64, minutes: f64) -> GameSummaryRow {
        GameSummaryRow {
            game_id: "0022400561".into(),
            ..GameSummaryRow::sample(D, player_id, points, minutes)
        }
    }

    fn schedule(game_id: &str, away: &str, home: &str) -> crate::raw::nbac_schedule::ScheduleRow {
        crate::raw::nbac_schedule::ScheduleRow {
            game_date: D.into(),
            game_id: game_id.into(),
            home_team_id: 1,
            home_team: home.into(),
            away_team_id: 2,
            away_team: away.into(),
            start_time_utc: "2025-01-14T00:30:00Z".into(),
            game_status: 3,
        }
    }

    fn meta(now: &str) -> WriteMeta {
        WriteMeta {
            correlation_id: "grade-2025-01-13".into(),
            now: now.into(),
        }
    }

    fn request() -> ProcessorRequest {
        ProcessorRequest {
            context: Some(RunContext {
                correlation_id: "grade-2025-01-13".into(),
                game_date: D.into(),
                ..Default::default()
            }),
            processor: NAME.into(),
            ..Default::default()
        }
    }

    async fn deps() -> (tempfile::TempDir, Deps) {
        let dir = tempfile::tempdir().unwrap();
        let deps = Deps::open(&crate::DepsConfig::under(
            dir.path(),
            crate::sources::SourceConfig::replay("http://127.0.0.1:9"),
        ))
        .await
        .unwrap();
        (dir, deps)
    }

    /// Two games (BOS-NYK with box scores, LAL-GSW by default without), five predictions.
    async fn seed(w: &Warehouse) {
        w.write_partition(
            D,
            None,
            &[
                schedule("0022400561", "NYK", "BOS"),
                schedule("0022400562", "GSW", "LAL"),
            ],
            &meta("2025-01-13T11:00:00Z"),
        )
        .await
        .unwrap();
        let predictions = vec![
            // OVER 22.5 at +150, scored 26: WIN 1.5.
            PredictionRow {
                over_price: Some(150),
                ..prediction(1, 25.0, 22.5, "OVER")
            },
            // UNDER 20.5 with no under price, scored 24: LOSS -1.
            PredictionRow {
                under_price: None,
                ..prediction(2, 18.0, 20.5, "UNDER")
            },
            // PASS, scored 19: NO_BET, error +1.
            prediction(3, 20.0, 19.5, "PASS"),
            // OVER 20 (a whole line), scored 20: PUSH.
            prediction(4, 23.0, 20.0, "OVER"),
            // OVER, no box-score row: VOID.
            prediction(5, 30.0, 25.5, "OVER"),
            // UNDER, 0 minutes: VOID.
            prediction(6, 10.0, 12.5, "UNDER"),
        ];
        w.write_partition(D, None, &predictions, &meta("2025-01-13T15:00:00Z"))
            .await
            .unwrap();
        let boxes = vec![
            summary(1, 26, 34.0),
            summary(2, 24, 30.5),
            summary(3, 19, 28.0),
            summary(4, 20, 31.0),
            summary(6, 0, 0.0),
        ];
        w.write_partition(D, None, &boxes, &meta("2025-01-14T08:00:00Z"))
            .await
            .unwrap();
    }

    async fn add_second_game(w: &Warehouse) {
        let mut boxes: Vec<GameSummaryRow> =
            w.rows(&Filter::new().eq("game_date", D)).await.unwrap();
        boxes.push(GameSummaryRow {
            game_id: "0022400562".into(),
            team: "LAL".into(),
            opponent: "GSW".into(),
            ..GameSummaryRow::sample(D, 7, 30, 36.0)
        });
        w.write_partition(D, None, &boxes, &meta("2025-01-14T09:00:00Z"))
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn a_missing_game_is_not_ready_and_names_it() {
        let (_d, deps) = deps().await;
        seed(&deps.warehouse).await;
        let err = run(&deps, &request(), D, &meta("2025-01-14T10:00:00Z"))
            .await
            .unwrap_err();
        assert!(matches!(err, PipelineError::NotReady { .. }), "{err}");
        assert_eq!(err.retry_class(), crate::RetryClass::Retryable);
        let msg = err.to_string();
        for part in [
            "box scores for 2025-01-13 not final",
            "1 of 2 games missing",
            "0022400562 (GSW@LAL)",
        ] {
            assert!(msg.contains(part), "{msg} lacks {part}");
        }
        assert!(!msg.contains("0022400561"), "{msg}");
        let n: i64 = crate::storage::queries::testing::scalar(
            &deps.warehouse,
            crate::storage::sql::Sql::new("SELECT COUNT(*) FROM prediction_grades"),
        )
        .await
        .unwrap();
        assert_eq!(n, 0, "nothing is written before the box scores are in");
    }

    #[tokio::test]
    async fn grades_every_prediction_by_hand_and_a_rerun_writes_nothing() {
        let (_d, deps) = deps().await;
        seed(&deps.warehouse).await;
        add_second_game(&deps.warehouse).await;
        let first = run(&deps, &request(), D, &meta("2025-01-14T10:00:00Z"))
            .await
            .unwrap();
        assert_eq!((first.rows_written, first.rows_unchanged), (6, 0));
        assert_eq!(first.rows_read, 6 + 6);
        assert!(
            first
                .warnings
                .iter()
                .any(|w| w.contains("2 predictions void")
                    && w.contains("P5 (5")
                    && w.contains("P6 (6")),
            "{:?}",
            first.warnings
        );
        let mut rows: Vec<PredictionGradeRow> = deps
            .warehouse
            .rows(&Filter::new().eq("game_date", D))
            .await
            .unwrap();
        rows.sort_by_key(|r| r.player_id);
        let r = &rows[0];
        assert_eq!(
            (r.actual_points, r.minutes, r.error, r.abs_error),
            (Some(26), Some(34.0), Some(-1.0), Some(1.0))
        );
        assert_eq!(
            (r.line_abs_error, r.within_3, r.within_5),
            (Some(3.5), Some(true), Some(true))
        );
        assert_eq!((r.result.as_str(), r.profit), ("WIN", Some(1.5)));
        assert_eq!(
            (r.recommendation.as_str(), r.edge, r.line),
            ("OVER", 2.5, 22.5)
        );
        assert_eq!(
            (r.over_price, r.model_version.as_str()),
            (Some(150), "moving_average-v1")
        );
        let r = &rows[1];
        assert_eq!(
            (r.error, r.within_3, r.within_5),
            (Some(-6.0), Some(false), Some(false))
        );
        assert_eq!((r.result.as_str(), r.profit), ("LOSS", Some(-1.0)));
        let r = &rows[2];
        assert_eq!((r.error, r.within_3), (Some(1.0), Some(true)));
        assert_eq!((r.result.as_str(), r.profit), ("NO_BET", None));
        let r = &rows[3];
        assert_eq!(
            (r.actual_points, r.error, r.line_abs_error),
            (Some(20), Some(3.0), Some(0.0))
        );
        assert_eq!((r.result.as_str(), r.profit), ("PUSH", None));
        let r = &rows[4];
        assert_eq!(
            (r.actual_points, r.minutes, r.error, r.within_3),
            (None, None, None, None)
        );
        assert_eq!((r.result.as_str(), r.profit), ("VOID", None));
        let r = &rows[5];
        assert_eq!(
            (r.actual_points, r.minutes, r.error),
            (None, Some(0.0), None)
        );
        assert_eq!((r.result.as_str(), r.profit), ("VOID", None));

        // graded_at is the writer's stamp.
        let graded_at: String = crate::storage::queries::testing::scalar(
            &deps.warehouse,
            crate::storage::sql::Sql::new(
                "SELECT graded_at FROM prediction_grades WHERE player_id = 1",
            ),
        )
        .await
        .unwrap();
        assert_eq!(graded_at, "2025-01-14T10:00:00Z");

        // Grading again changes nothing, not even the stamp.
        let again = run(&deps, &request(), D, &meta("2025-01-14T11:00:00Z"))
            .await
            .unwrap();
        assert_eq!(
            (again.rows_written, again.rows_unchanged, again.rows_removed),
            (0, 6, 0)
        );
        assert_eq!(again.output_hash, first.output_hash);
        assert!(again.entities_changed.unwrap().players.is_empty());

        // The summary of the stored grades.
        let ctx = request().context.unwrap();
        let s = summarize(&deps, &ctx).await.unwrap();
        assert_eq!((s.predictions, s.graded, s.voids), (6, 4, 2));
        let m = &s.systems[0];
        assert_eq!(m.system, "moving_average");
        // |-1| + |-6| + |1| + |3| = 11 over 4.
        assert_eq!(m.mae, Some(2.75));
        assert_eq!((m.bets, m.wins, m.losses, m.pushes), (3, 1, 1, 1));
        assert_eq!(m.hit_rate, Some(0.5));
        // The loss's side had no price: counted (a loss costs 1 at any price).
        assert_eq!(m.default_priced, 1);
        assert_eq!(m.profit, 0.5);
        assert_eq!(m.roi, Some(round4(0.5 / 3.0)));
    }

    #[tokio::test]
    async fn a_changed_box_score_regrades_only_its_player() {
        let (_d, deps) = deps().await;
        seed(&deps.warehouse).await;
        add_second_game(&deps.warehouse).await;
        run(&deps, &request(), D, &meta("2025-01-14T10:00:00Z"))
            .await
            .unwrap();
        // A stat correction: player 1 scored 22, under his 22.5 line.
        let mut boxes: Vec<GameSummaryRow> = deps
            .warehouse
            .rows(&Filter::new().eq("game_date", D))
            .await
            .unwrap();
        boxes.iter_mut().find(|b| b.player_id == 1).unwrap().points = 22;
        deps.warehouse
            .write_partition(D, None, &boxes, &meta("2025-01-14T12:00:00Z"))
            .await
            .unwrap();
        let r = run(&deps, &request(), D, &meta("2025-01-14T13:00:00Z"))
            .await
            .unwrap();
        assert_eq!((r.rows_written, r.rows_unchanged), (1, 5));
        assert_eq!(r.entities_changed.unwrap().players, vec!["1".to_string()]);
        let row: Vec<PredictionGradeRow> = deps
            .warehouse
            .rows(&Filter::new().eq("game_date", D).eq("player_id", 1i64))
            .await
            .unwrap();
        assert_eq!(
            (row[0].result.as_str(), row[0].profit),
            ("LOSS", Some(-1.0))
        );
    }

    #[tokio::test]
    async fn a_date_without_games_or_predictions_grades_nothing() {
        let (_d, deps) = deps().await;
        let r = run(&deps, &request(), D, &meta("2025-01-14T10:00:00Z"))
            .await
            .unwrap();
        assert_eq!(r.rows_written, 0);
        assert!(r.warnings[0].contains("no games"), "{:?}", r.warnings);
    }

    #[test]
    fn a_game_counts_by_id_or_by_its_two_teams() {
        let games = vec![
            Game {
                game_id: "0022400561".into(),
                home: "BOS".into(),
                away: "NYK".into(),
                start_time_utc: String::new(),
            },
            Game {
                game_id: "2025-01-13:GSW@LAL".into(),
                home: "LAL".into(),
                away: "GSW".into(),
                start_time_utc: String::new(),
            },
        ];
        let by_id = summary(1, 10, 20.0);
        let by_teams = GameSummaryRow {
            game_id: "0022400562".into(),
            team: "GSW".into(),
            opponent: "LAL".into(),
            ..GameSummaryRow::sample(D, 2, 10, 20.0)
        };
        assert_eq!(missing_games(&games, &[by_id.clone(), by_teams]).len(), 0);
        let missing = missing_games(&games, &[by_id]);
        assert_eq!(missing.len(), 1);
        assert_eq!(missing[0].home, "LAL");
    }

    #[test]
    fn minutes_decide_whether_he_played() {
        assert!(played(&summary(1, 0, 3.0)));
        assert!(!played(&summary(1, 0, 0.0)));
        let no_minutes = GameSummaryRow {
            minutes: None,
            ..summary(1, 4, 0.0)
        };
        assert!(played(&no_minutes));
        assert!(!played(&GameSummaryRow {
            points: 0,
            ..no_minutes
        }));
    }
}
