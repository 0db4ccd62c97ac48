//! The pipeline graph as data: every source and processor, its phase, level and kind, the
//! date it works on relative to the game date, what it reads (at which dates) and writes, and
//! what each quality gate reads.
//!
//! The workflows fan out from this list, the worker registers activities from it, the docs
//! print it (`nbaprops registry --markdown`), and the backfill order and change propagation
//! derive from it. Add a processor here and nowhere else.
//!
//! - [`spec`]: what a processor is (phase, kind, typed reads).
//! - [`specs`]: the list of every source and processor.
//! - [`tables`]: facts about tables no single spec owns.
//! - [`gates`]: the quality gates' reads.
//! - [`plans`]: a phase's levels, the day's plan, rerun plans.
//! - [`steps`]: a backfill's steps and dates.
//! - [`markdown`]: the tables the docs print.

pub mod gates;
pub mod markdown;
pub mod plans;
pub mod spec;
pub mod specs;
pub mod steps;
pub mod tables;

pub use gates::{gate, gates, GateSpec};
pub use markdown::markdown;
pub use plans::{
    by_activity_id, day_plan, get, history_reads, levels, phase, reads_across_dates, rerun_plan,
};
pub use spec::{
    is_batched, phase_prefix, Kind, ProcessorSpec, Read, Window, GRADING_PHASE, PHASES,
    PREDICTION_BATCH_SIZE,
};
pub use specs::specs;
pub use steps::{backfill_steps, dates_of, describe_backfill_step, DateStep, GATE_STEP};
pub use tables::{IMPORTED_SOURCES, SHARED_TABLES, SIGNALLED_SOURCES, UNPARTITIONED};

#[cfg(test)]
mod tests;
