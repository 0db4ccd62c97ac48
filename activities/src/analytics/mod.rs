//! Phase 3: analytics over finished games.

pub mod player_game_summary;
