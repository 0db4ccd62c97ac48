//! Facts about tables that no single spec owns: shared writers, tables without date
//! partitions, raw-store sources no scrape writes.

/// Tables with more than one writer: the name registry, merged by every box-score source (the
/// newest game wins a player's name and team, so the order of writes does not matter), and the
/// predictions, where each system owns its own rows (keyed by player and system).
pub const SHARED_TABLES: &[&str] = &["players", "predictions"];

/// Tables without a date partition: every reader sees what any date wrote, so each read of
/// them is a [`Read::Whole`](super::Read::Whole).
pub const UNPARTITIONED: &[&str] = &["players"];

/// Raw-store sources that no Phase 1 scrape writes: bulk files kept by `nbaprops import`.
pub const IMPORTED_SOURCES: &[&str] = &[
    "raw:historical_team_games",
    "raw:historical_player_game_logs",
    "raw:historical_points_lines",
];

/// Raw-store sources that no scrape writes: injury updates, kept by the day workflow from its
/// `injury_update` signals (`record_injury_updates`).
pub const SIGNALLED_SOURCES: &[&str] = &["raw:injury_update"];
