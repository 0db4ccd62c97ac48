//! How the pipeline's work runs, written once for the Temporal workflows and the in-process
//! runner alike.
//!
//! - `planner`: pure functions from a plan (a phase's levels) to tasks: scrapes, processors,
//!   batches of players, a backfill level as one step.
//! - `executor`: the trait a runner implements: run a window of tasks at once, plan a date's
//!   predictions, check a gate.
//! - `run`: the one loop (levels in order, bounded windows, failures gathered, then the gate)
//!   and the shapes built on it: a phase, a backfill date's step.

pub mod executor;
pub mod planner;
pub mod run;
pub mod task;

pub use executor::Executor;
pub use run::{check_gate, run_date_step, run_levels, run_phase, PhaseOptions, PhaseRun};
pub use task::{Output, Task};
