//! Grading: predictions against what happened, after the day. `metrics` holds the pure
//! arithmetic (odds, Wilson intervals, the `Summary` the backtest report reuses).

pub mod metrics;
