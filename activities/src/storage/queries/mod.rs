//! Every query that is not a partition write or a typed row read, as a typed function: the
//! only SQL outside the generic writer and reader. Grouped by what they read: the name
//! registry, the raw payload index and raw tables, the run history and alerts, the prediction
//! tables, the HTML report's reads, and the tests' read helper.

pub mod ops;
pub mod players;
pub mod predict;
pub mod raw;
pub mod report;
pub mod testing;
