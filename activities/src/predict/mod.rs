//! Phase 5: predictions. `plan` lists the players with a line (resolving sportsbook names to
//! NBA ids); each system then predicts one batch of them and supersedes what changed.

pub mod moving_average;
pub mod plan;
pub mod predictions;
