//! Phase 3: analytics over finished games and the context of coming ones. `inputs` holds the
//! source fallbacks (NBA.com first, the historical import otherwise) every processor shares.

pub mod inputs;
pub mod player_game_summary;
pub mod team_defense_game_summary;
pub mod team_offense_game_summary;
pub mod upcoming_player_game_context;
pub mod upcoming_team_game_context;

/// The Phase 3 processors, by registry name.
pub const PROCESSORS: &[crate::entry::Processor] = &[
    crate::processor_entry!(player_game_summary, player_game_summary::GameSummaryRow),
    crate::processor_entry!(
        team_offense_game_summary,
        team_offense_game_summary::TeamOffenseRow
    ),
    crate::processor_entry!(
        team_defense_game_summary,
        team_defense_game_summary::TeamDefenseRow
    ),
    crate::processor_entry!(
        upcoming_player_game_context,
        upcoming_player_game_context::PlayerContextRow
    ),
    crate::processor_entry!(
        upcoming_team_game_context,
        upcoming_team_game_context::TeamContextRow
    ),
];
