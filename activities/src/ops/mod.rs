//! Operations data, beside the pipeline's own tables: the run history of every processor, the
//! alerts, the change-detection health check and the quality gates between phases.

pub mod alerts;
pub mod change_health;
pub mod dependents;
pub mod injury_watch;
pub mod quality;
pub mod run_history;
