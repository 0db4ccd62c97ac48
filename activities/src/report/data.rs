//! What a date's report shows, read from the warehouse alone: the slate, the last graded days,
//! the day's run and the data's health. Nothing here needs Temporal or the raw store, so a
//! report renders whatever state they are in.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::America::New_York;

use crate::backtest::report::{self as figures, SystemReport};
use crate::error::{PipelineError, Result};
use crate::ops::alerts::StoredAlert;
use crate::ops::run_history::RunRow;
use crate::predict::ensemble;
use crate::storage::queries::{ops, report as queries};
use crate::storage::Warehouse;

/// Graded dates the accuracy section covers.
pub const GRADED_DAYS: i64 = 30;
/// Graded dates each point of the rolling MAE averages over.
pub const ROLLING_DAYS: usize = 7;
/// The predictions' deadline, Eastern time.
pub const DEADLINE_HOUR_ET: u32 = 10;

/// A player with a line and what each system made of it.
#[derive(Debug, Clone, PartialEq)]
pub struct SlateRow {
    pub player_id: i64,
    pub player_name: String,
    pub team: String,
    pub opponent: String,
    pub line: f64,
    pub book: String,
    /// Live predicted points by system.
    pub predictions: BTreeMap<String, f64>,
    /// The ensemble's call and edge; `None` without a live ensemble prediction.
    pub call: Option<String>,
    pub edge: Option<f64>,
    /// "Out (ankle)", … from the latest injury report before the cut-off.
    pub injury: Option<String>,
    /// The ensemble predictions a rerun replaced, oldest first: (points, call).
    pub replaced: Vec<(f64, String)>,
}

/// One graded date of one system: its MAE and the line's over the same player-games.
#[derive(Debug, Clone, PartialEq)]
pub struct DailyAccuracy {
    pub date: String,
    pub system: String,
    pub graded: usize,
    pub abs_error_sum: f64,
    pub line_abs_error_sum: f64,
}

/// A processor run, gate or scrape placed on the day's clock.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineRun {
    pub kind: String,
    pub processor: String,
    pub phase: i64,
    pub status: String,
    pub trigger: String,
    pub correlation_id: String,
    pub started: DateTime<Utc>,
    pub duration_ms: i64,
    pub attempt: i64,
    pub rows_written: i64,
    pub error: Option<String>,
}

/// A run of the date by one correlation id: the morning's, or a rerun's.
#[derive(Debug, Clone, PartialEq)]
pub struct RunGroup {
    pub correlation_id: String,
    pub trigger: String,
    pub started: DateTime<Utc>,
    pub finished: DateTime<Utc>,
    pub runs: usize,
    pub failed: usize,
    pub rows_written: i64,
    pub phases: BTreeSet<i64>,
}

impl RunGroup {
    /// Grading alone (phase 6): not a run of the day's pipeline.
    pub fn is_grading(&self) -> bool {
        self.phases.iter().all(|p| *p == 6)
    }

    /// From its first start to its last finish.
    pub fn latency_secs(&self) -> f64 {
        (self.finished - self.started).num_milliseconds() as f64 / 1000.0
    }
}

/// A player with a line and no ensemble prediction, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    pub player_name: String,
    pub reason: String,
}

#[derive(Debug, Clone)]
pub struct DayReport {
    pub date: String,
    pub generated_at: DateTime<Utc>,
    /// 10:00 ET on the date.
    pub deadline: DateTime<Utc>,
    pub slate: Vec<SlateRow>,
    /// The systems with a live prediction on the date, registry order.
    pub systems: Vec<String>,
    /// The graded dates covered, oldest first, and each system's figures over them.
    pub graded_dates: Vec<String>,
    pub graded: Vec<SystemReport>,
    pub daily: Vec<DailyAccuracy>,
    pub runs: Vec<TimelineRun>,
    pub groups: Vec<RunGroup>,
    pub alerts: Vec<StoredAlert>,
    pub skipped: Vec<Skipped>,
    pub unmatched_names: Vec<String>,
}

impl DayReport {
    /// Nothing at all about the date: no line, prediction, run, alert or grade.
    pub fn is_empty(&self) -> bool {
        self.slate.is_empty()
            && self.runs.is_empty()
            && self.alerts.is_empty()
            && self.graded_dates.is_empty()
    }

    /// The quality gates' attempts.
    pub fn gates(&self) -> impl Iterator<Item = &TimelineRun> {
        self.runs.iter().filter(|r| r.kind == "gate")
    }
}

/// 10:00 ET on `date`, in UTC.
pub fn deadline_of(date: NaiveDate) -> DateTime<Utc> {
    let local = date
        .and_hms_opt(DEADLINE_HOUR_ET, 0, 0)
        .expect("10:00 is a valid time");
    New_York
        .from_local_datetime(&local)
        .single()
        .expect("10:00 ET is never ambiguous")
        .with_timezone(&Utc)
}

fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Reads everything a date's report shows.
pub async fn load_day(warehouse: &Warehouse, date: &str, now: DateTime<Utc>) -> Result<DayReport> {
    let day = NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .map_err(|e| PipelineError::InvalidRequest(format!("report: {date} is not a date: {e}")))?;
    let lined = queries::lined_players(warehouse, date).await?;
    let predictions = queries::predictions_of_date(warehouse, date).await?;
    let with_features = queries::players_with_features(warehouse, date).await?;

    // The slate: every player with a line (Phase 3), and anyone predicted without one there.
    let mut slate: BTreeMap<i64, SlateRow> = BTreeMap::new();
    for p in &lined {
        slate.insert(
            p.player_id,
            SlateRow {
                player_id: p.player_id,
                player_name: p.player_name.clone(),
                team: p.team.clone(),
                opponent: p.opponent.clone().unwrap_or_default(),
                line: p.current_line,
                book: p.line_bookmaker.clone(),
                predictions: BTreeMap::new(),
                call: None,
                edge: None,
                injury: p.injury_status.as_ref().map(|s| match &p.injury_reason {
                    Some(r) if !r.is_empty() => format!("{s} ({r})"),
                    _ => s.clone(),
                }),
                replaced: Vec::new(),
            },
        );
    }
    let mut systems: BTreeSet<String> = BTreeSet::new();
    for p in &predictions {
        let row = slate.entry(p.player_id).or_insert_with(|| SlateRow {
            player_id: p.player_id,
            player_name: p.player_name.clone(),
            team: String::new(),
            opponent: String::new(),
            line: p.line,
            book: p.line_source.clone(),
            predictions: BTreeMap::new(),
            call: None,
            edge: None,
            injury: None,
            replaced: Vec::new(),
        });
        let live = p.superseded_at.is_none();
        if p.system == ensemble::NAME {
            if live {
                row.call = Some(p.recommendation.clone());
                row.edge = Some(p.edge);
                row.line = p.line;
                row.book = p.line_source.clone();
            } else {
                row.replaced
                    .push((p.predicted_points, p.recommendation.clone()));
            }
        }
        if live {
            row.predictions.insert(p.system.clone(), p.predicted_points);
            systems.insert(p.system.clone());
        }
    }
    // Registry order, only the systems that predicted the date.
    let order: Vec<String> = figures::registry_order(systems.iter())
        .into_iter()
        .filter(|s| systems.contains(s))
        .collect();
    let skipped = slate
        .values()
        .filter(|r| r.call.is_none())
        .map(|r| Skipped {
            player_name: r.player_name.clone(),
            reason: skip_reason(r, &with_features),
        })
        .collect();
    let mut slate: Vec<SlateRow> = slate.into_values().collect();
    slate.sort_by(|a, b| {
        let edge = |r: &SlateRow| r.edge.map_or(-1.0, f64::abs);
        edge(b)
            .total_cmp(&edge(a))
            .then_with(|| a.player_name.cmp(&b.player_name))
    });

    // The last graded days up to the date.
    let graded_dates = queries::graded_dates_through(warehouse, date, GRADED_DAYS).await?;
    let (graded, daily) = match (graded_dates.first(), graded_dates.last()) {
        (Some(from), Some(to)) => {
            let by_system = figures::graded(warehouse, from, to).await?;
            let graded = figures::system_order(&by_system)
                .iter()
                .filter(|s| by_system.contains_key(s.as_str()))
                .map(|s| figures::system_report(s, by_system.get(s.as_str()), BTreeMap::new()))
                .collect();
            let mut daily: BTreeMap<(String, String), DailyAccuracy> = BTreeMap::new();
            for (system, g) in &by_system {
                for game in &g.games {
                    let d = daily
                        .entry((system.clone(), game.date.clone()))
                        .or_insert_with(|| DailyAccuracy {
                            date: game.date.clone(),
                            system: system.clone(),
                            graded: 0,
                            abs_error_sum: 0.0,
                            line_abs_error_sum: 0.0,
                        });
                    d.graded += 1;
                    d.abs_error_sum += (game.predicted - game.actual).abs();
                    d.line_abs_error_sum += (game.line - game.actual).abs();
                }
            }
            (graded, daily.into_values().collect())
        }
        _ => (Vec::new(), Vec::new()),
    };

    // The day's run history, on its clock.
    let rows = ops::runs_of_game_date(warehouse, date).await?;
    let runs: Vec<TimelineRun> = rows.iter().filter_map(timeline_run).collect();
    let groups = run_groups(&runs);
    let alerts = ops::alerts_of_date(warehouse, date).await?;
    let unmatched_names = queries::unmatched_line_names(warehouse, date).await?;

    Ok(DayReport {
        date: date.to_string(),
        generated_at: now,
        deadline: deadline_of(day),
        slate,
        systems: order,
        graded_dates,
        graded,
        daily,
        runs,
        groups,
        alerts,
        skipped,
        unmatched_names,
    })
}

/// Why a player with a line has no ensemble prediction, from what the warehouse holds.
fn skip_reason(row: &SlateRow, with_features: &BTreeSet<i64>) -> String {
    let out = row
        .injury
        .as_deref()
        .is_some_and(|s| s.starts_with("Out") || s.starts_with("Doubtful"));
    if out {
        format!("ruled out: {}", row.injury.as_deref().unwrap_or_default())
    } else if !with_features.contains(&row.player_id) {
        "no feature row (Phase 4 built none for him)".into()
    } else if row.predictions.is_empty() {
        "no system predicted him".into()
    } else {
        "members predicted him, the ensemble did not".into()
    }
}

fn timeline_run(r: &RunRow) -> Option<TimelineRun> {
    Some(TimelineRun {
        kind: r.kind.clone(),
        processor: r.processor.clone(),
        phase: r.phase,
        status: r.status.clone(),
        trigger: r.trigger_kind.clone(),
        correlation_id: r.correlation_id.clone(),
        started: parse_time(&r.started_at)?,
        duration_ms: r.duration_ms.max(0),
        attempt: r.attempt,
        rows_written: r.rows_written,
        error: r.error.clone(),
    })
}

/// The runs grouped by correlation id, in the order they started.
fn run_groups(runs: &[TimelineRun]) -> Vec<RunGroup> {
    let mut groups: Vec<RunGroup> = Vec::new();
    for r in runs {
        let end = r.started + chrono::Duration::milliseconds(r.duration_ms);
        match groups
            .iter_mut()
            .find(|g| g.correlation_id == r.correlation_id)
        {
            Some(g) => {
                g.started = g.started.min(r.started);
                g.finished = g.finished.max(end);
                g.runs += 1;
                g.failed += usize::from(r.status != "ok");
                g.rows_written += r.rows_written;
                g.phases.insert(r.phase);
            }
            None => groups.push(RunGroup {
                correlation_id: r.correlation_id.clone(),
                trigger: r.trigger.clone(),
                started: r.started,
                finished: end,
                runs: 1,
                failed: usize::from(r.status != "ok"),
                rows_written: r.rows_written,
                phases: BTreeSet::from([r.phase]),
            }),
        }
    }
    groups.sort_by_key(|g| g.started);
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deadline_is_ten_eastern_in_winter_and_summer() {
        let winter = deadline_of(NaiveDate::from_ymd_opt(2025, 1, 7).unwrap());
        assert_eq!(winter.to_rfc3339(), "2025-01-07T15:00:00+00:00");
        let summer = deadline_of(NaiveDate::from_ymd_opt(2025, 6, 7).unwrap());
        assert_eq!(summer.to_rfc3339(), "2025-06-07T14:00:00+00:00");
    }

    fn run(correlation: &str, start: &str, ms: i64, status: &str) -> TimelineRun {
        TimelineRun {
            kind: "process".into(),
            processor: "p".into(),
            phase: 2,
            status: status.into(),
            trigger: "manual".into(),
            correlation_id: correlation.into(),
            started: parse_time(start).unwrap(),
            duration_ms: ms,
            attempt: 1,
            rows_written: 3,
            error: None,
        }
    }

    #[test]
    fn runs_group_by_correlation_from_first_start_to_last_finish() {
        let runs = [
            run("b", "2025-01-07T12:00:05Z", 1000, "ok"),
            run("a", "2025-01-07T12:00:00Z", 2000, "ok"),
            run("a", "2025-01-07T12:00:01Z", 4000, "failed"),
        ];
        let groups = run_groups(&runs);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].correlation_id, "a");
        assert_eq!(groups[0].latency_secs(), 5.0);
        assert_eq!(groups[0].failed, 1);
        assert_eq!(groups[0].rows_written, 6);
        assert_eq!(groups[1].latency_secs(), 1.0);
    }
}
