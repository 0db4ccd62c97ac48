//! Operations data, beside the pipeline's own tables: the run history of every processor, the
//! alerts, the change-detection health check, the quality gates between phases and the
//! metrics the worker exports.

pub mod alerts;
pub mod change_health;
pub mod dependents;
pub mod injury_watch;
pub mod metrics;
pub mod prediction_timing;
pub mod quality;
pub mod run_history;
