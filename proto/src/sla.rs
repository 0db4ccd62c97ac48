//! The SLA of a day's predictions, shared by the day workflow (its timer and `sla_missed`
//! alert) and the worker's metrics (the margin the predictions completed with).

/// Predictions are complete by this America/New_York time on the game date (a quarter of an
/// hour before the 10:00 publication target), unless a day's input names another deadline.
pub const SLA_HOUR: u32 = 9;
pub const SLA_MINUTE: u32 = 45;
