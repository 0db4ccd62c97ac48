//! The quality gates after Phases 2-5 (`activities::ops::quality`), and what each reads, in the
//! same terms as the processors' reads. Dates are relative to the gate's game date.

use super::spec::Read::{self, DayBefore, History, Season, ThisDate, Whole};
use super::spec::Window::LastSeasonToDate;

/// One phase's gate: its checks, and every table they read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GateSpec {
    pub phase: u32,
    /// The checks, by the name in their `GateCheck`.
    pub checks: &'static [&'static str],
    pub reads: &'static [Read],
}

/// Every quality gate, by phase. Phase 1 has none (Phase 2's checks what it kept); grading
/// checks itself.
pub fn gates() -> Vec<GateSpec> {
    vec![
        // Yesterday's box scores cover the teams scheduled yesterday (the kept schedule, the
        // schedule rows, the historical games), and the date's lines resolve to players
        // through the name registry.
        GateSpec {
            phase: 2,
            checks: &[
                "box_score_team_coverage",
                "players_per_team_game",
                "line_name_match_rate",
            ],
            reads: &[
                DayBefore("raw_nbac_player_boxscores"),
                DayBefore("raw_historical_player_game_logs"),
                Season("raw:nbac_schedule"),
                DayBefore("raw_nbac_schedule"),
                ThisDate("raw_nbac_schedule"),
                DayBefore("raw_historical_team_games"),
                ThisDate("raw_historical_team_games"),
                ThisDate("raw_oddsa_player_props"),
                ThisDate("raw_historical_points_lines"),
                Whole("players"),
            ],
        },
        // Yesterday's game summaries against yesterday's box scores.
        GateSpec {
            phase: 3,
            checks: &["game_summary_rows", "game_summary_minutes_null_rate"],
            reads: &[
                DayBefore("raw_nbac_player_boxscores"),
                DayBefore("raw_historical_player_game_logs"),
                DayBefore("player_game_summary"),
            ],
        },
        // The date's players with a line have precomputed history; those with no game this
        // season or the last (rookies, the first dates of the data) are counted apart.
        GateSpec {
            phase: 4,
            checks: &["daily_cache_coverage"],
            reads: &[
                ThisDate("player_daily_cache"),
                ThisDate("upcoming_player_game_context"),
                History {
                    table: "player_game_summary",
                    window: LastSeasonToDate,
                },
                ThisDate("raw_oddsa_player_props"),
                ThisDate("raw_historical_points_lines"),
                Whole("players"),
            ],
        },
        // The date's players with a line have an ensemble prediction in range, from feature
        // vectors with few missing values (those of players with no game this season or the
        // last left out).
        GateSpec {
            phase: 5,
            checks: &[
                "prediction_coverage",
                "predictions_out_of_range",
                "feature_null_rate",
            ],
            reads: &[
                ThisDate("predictions"),
                ThisDate("ml_feature_store"),
                ThisDate("upcoming_player_game_context"),
                History {
                    table: "player_game_summary",
                    window: LastSeasonToDate,
                },
                ThisDate("raw_oddsa_player_props"),
                ThisDate("raw_historical_points_lines"),
                Whole("players"),
            ],
        },
    ]
}

/// The gate after `phase`, if it has one.
pub fn gate(phase: u32) -> Option<GateSpec> {
    gates().into_iter().find(|g| g.phase == phase)
}
