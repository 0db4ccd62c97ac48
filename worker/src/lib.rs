//! The `nbaprops` binary's parts: worker, CLI commands, the demo, the dev-server launcher and
//! the benchmarks (the simulator and the replay server are the `nbaprops-simulator` crate). A
//! library so the integration tests can drive them.

pub mod backfill;
pub mod backtest;
pub mod bench;
pub mod bench_day;
pub mod client;
pub mod commands;
pub mod control;
pub mod demo;
pub mod dev_server;
pub mod latency;
pub mod logging;
pub mod metrics;
pub mod schedules;
pub mod services;
pub mod settings;
pub mod signal;
pub mod venv;
pub mod worker;
