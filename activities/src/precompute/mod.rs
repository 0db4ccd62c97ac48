//! Phase 4: per-player state as of a game date, computed from games strictly before it.
//! Level 1 (zone analyses) arrives with the Phases 2-4 issue; the daily cache is level 2.

pub mod player_daily_cache;
