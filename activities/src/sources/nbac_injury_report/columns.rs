//! The report table's columns: their headers as printed, left to right, and each column's
//! index. The parser finds the columns by these headers; the simulator draws them.

/// The column headers, left to right.
pub const COLUMNS: [&str; 7] = [
    "Game Date",
    "Game Time",
    "Matchup",
    "Team",
    "Player Name",
    "Current Status",
    "Reason",
];

/// Indices into [`COLUMNS`] (and into a row's cells).
pub const DATE: usize = 0;
pub const TIME: usize = 1;
pub const MATCHUP: usize = 2;
pub const TEAM: usize = 3;
pub const PLAYER: usize = 4;
pub const STATUS: usize = 5;
pub const REASON: usize = 6;
