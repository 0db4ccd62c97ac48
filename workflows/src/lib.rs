//! The deterministic workflows of nbaprops: no I/O, no clocks, no randomness. They fan out
//! from the registry and decide; the activities (declared in `nbaprops_proto::activities`) do
//! the work.
//!
//! - `DayWorkflow` (`day.rs`): one game date through all five phases.
//! - `downstream.rs`: Phases 2-5 of the day's main run and of each injury rerun, as children.
//! - `PhaseWorkflow` (`phase.rs`): a phase's processors, level by level, then its gate.
//! - `PredictionWorkflow` (`prediction.rs`): Phase 5 over batches of players.
//! - `executor.rs`: the Temporal executor of `nbaprops_orchestration`'s loop (each task an
//!   activity), which every phase above runs through.
//! - `BackfillWorkflow` (`backfill/`): a range of dates phase by phase, each step's dates as
//!   `BackfillDateWorkflow` children in a sliding window, continuing as new.
//! - `GradingWorkflow` (`grading.rs`): after the day, a date's predictions against its box
//!   scores.
//! - `ScheduledStartWorkflow` (`scheduled.rs`): what the Temporal Schedules start; it starts
//!   `day-{date}` / `grade-{date}` for the schedule's America/New_York date.
//! - `injury.rs`: the day after its main run, open until the last tip-off, rerunning only what
//!   each batch of `injury_update` signals touches.
//! - `InjuryWatchWorkflow` (`injury_watch.rs`): every 15 minutes, the injury report diffed per
//!   player against what the day knows, and the changes signalled to the day.
//! - `sla.rs`: the day's 09:45 America/New_York SLA (a timer and an alert).
//! - `report.rs`: the date's HTML report after the main run, each rerun and grading.
//! - `details.rs`: the line the Web UI shows for a day as it goes (its current details), and
//!   the phase its `state` query reports.
//! - `search.rs`: the search attributes every workflow carries (`game_date`, `phase`, `mode`,
//!   `trigger`).

pub mod backfill;
pub mod day;
pub mod details;
pub mod downstream;
pub mod executor;
pub mod failures;
pub mod grading;
pub mod ids;
pub mod injury;
pub mod injury_watch;
pub mod lines_as_of;
pub mod options;
pub mod phase;
pub mod prediction;
pub mod report;
pub mod scheduled;
pub mod search;
pub mod signals;
pub mod sla;

pub use backfill::{BackfillDateWorkflow, BackfillWorkflow};
pub use day::DayWorkflow;
pub use grading::GradingWorkflow;
pub use injury_watch::InjuryWatchWorkflow;
pub use phase::PhaseWorkflow;
pub use prediction::PredictionWorkflow;
pub use scheduled::ScheduledStartWorkflow;
