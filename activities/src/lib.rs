//! The work of nbaprops: sources, processors, models and storage, as plain async Rust.
//!
//! Layout follows the pipeline: `sources/` (Phase 1), `raw/` (2), `analytics/` (3),
//! `precompute/` (4), `predict/` (5), and `grade/` after the day (6). Only `sources/` and
//! `storage/` do I/O; each processor is a pure `transform` from typed rows to typed rows plus
//! a short `run` that loads and writes through storage. `runner` maps registry names to code;
//! `temporal` exposes it as activities.

pub mod analytics;
pub mod backfill;
pub mod backtest;
pub mod catalog;
pub mod deps;
pub mod entry;
pub mod error;
pub mod grade;
pub mod hashing;
pub mod inprocess;
pub mod line_checks;
pub mod lines;
pub mod matchups;
pub mod names;
pub mod ops;
pub mod precompute;
pub mod predict;
pub mod raw;
pub mod report;
pub mod result;
pub mod runner;
pub mod sources;
pub mod storage;
pub mod teams;
pub mod temporal;

pub use deps::{Deps, DepsConfig};
pub use error::{PipelineError, Result, RetryClass};
