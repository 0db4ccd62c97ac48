//! Grading: predictions against what happened, after the day. `metrics` holds the pure
//! arithmetic (odds, Wilson intervals, the `Summary` the backtest report reuses);
//! `prediction_grades` is the processor that writes one grade per live prediction once the
//! date's box scores are in (registry phase 6, run by `GradingWorkflow`, never by a day).

pub mod metrics;
pub mod prediction_grades;

/// The grading processor, by registry name.
pub const PROCESSORS: &[crate::entry::Processor] = &[crate::processor_entry!(
    prediction_grades,
    prediction_grades::PredictionGradeRow
)];
