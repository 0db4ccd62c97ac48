//! What the workflows ran before the day's plan came from history (`PATCH_REGISTRY_PLAN`):
//! the registry as it stood then, frozen, so those histories replay exactly whatever the
//! registry holds today. Never edit these lists; a new registry needs no entry here.

use nbaprops_proto::{DayPlan, PhasePlan, ProcessorLevel};

fn level(level: u32, processors: &[&str]) -> ProcessorLevel {
    ProcessorLevel {
        level,
        processors: processors.iter().map(|p| p.to_string()).collect(),
    }
}

/// The levels of a phase as the registry listed them before plans.
pub fn phase_levels(phase: u32, phase1_by_level: bool) -> Vec<ProcessorLevel> {
    match phase {
        1 if phase1_by_level => vec![
            level(1, &["nbac_schedule"]),
            level(2, &["nbac_player_boxscore", "oddsa_player_props"]),
        ],
        1 => vec![level(
            1,
            &[
                "nbac_schedule",
                "nbac_player_boxscore",
                "oddsa_player_props",
            ],
        )],
        2 => vec![level(
            1,
            &[
                "raw_nbac_schedule",
                "raw_nbac_player_boxscores",
                "raw_oddsa_player_props",
            ],
        )],
        3 => vec![level(1, &["player_game_summary"])],
        4 => vec![level(2, &["player_daily_cache"])],
        5 => vec![level(1, &["moving_average"])],
        _ => vec![],
    }
}

/// A day's plan before plans were recorded.
pub fn day_plan(phase1_by_level: bool) -> DayPlan {
    DayPlan {
        phases: (1..=5)
            .map(|phase| PhasePlan {
                phase,
                levels: phase_levels(phase, phase1_by_level),
            })
            .collect(),
    }
}

/// The levels of a phase in a plan (empty when the plan has none).
pub fn levels_of(plan: &DayPlan, phase: u32) -> Vec<ProcessorLevel> {
    plan.phases
        .iter()
        .find(|p| p.phase == phase)
        .map(|p| p.levels.clone())
        .unwrap_or_default()
}
