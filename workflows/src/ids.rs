//! Every workflow id nbaprops builds, in one place. Ids are the uniqueness guarantee: one day
//! workflow per date, so a second start of a running day attaches to it instead of racing it.

/// The day workflow of a game date: `day-2025-11-28`.
pub fn day_workflow_id(game_date: &str) -> String {
    format!("day-{game_date}")
}

/// A phase's child of a day: `day-2025-11-28-phase-3`.
pub fn phase_workflow_id(parent_id: &str, phase: u32) -> String {
    format!("{parent_id}-phase-{phase}")
}

/// The prediction child of a day: `day-2025-11-28-predict`.
pub fn prediction_workflow_id(parent_id: &str) -> String {
    format!("{parent_id}-predict")
}

/// The `n`th injury rerun of a day, the parent of its phase children:
/// `day-2025-11-28-rerun-3` (`…-rerun-3-phase-4`, `…-rerun-3-predict`).
pub fn rerun_workflow_id(day_id: &str, n: u32) -> String {
    format!("{day_id}-rerun-{n}")
}

/// The grading workflow of a game date: `grade-2025-11-28`.
pub fn grade_workflow_id(game_date: &str) -> String {
    format!("grade-{game_date}")
}

/// A backfill of a range: `backfill-2021-10-19-2025-06-22`. One per range at a time.
pub fn backfill_workflow_id(from: &str, to: &str) -> String {
    format!("backfill-{from}-{to}")
}

/// One step (phase and level, or the phase's gate) of one date of a backfill:
/// `backfill-…-p3l2-2024-11-02`, `backfill-…-p3gate-2024-11-02`.
pub fn backfill_date_workflow_id(parent_id: &str, phase: u32, level: u32, date: &str) -> String {
    if level == nbaprops_proto::registry::GATE_STEP {
        format!("{parent_id}-p{phase}gate-{date}")
    } else {
        format!("{parent_id}-p{phase}l{level}-{date}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_readable_and_nest() {
        let day = day_workflow_id("2025-11-28");
        assert_eq!(day, "day-2025-11-28");
        assert_eq!(phase_workflow_id(&day, 3), "day-2025-11-28-phase-3");
        assert_eq!(prediction_workflow_id(&day), "day-2025-11-28-predict");
        assert_eq!(grade_workflow_id("2025-11-28"), "grade-2025-11-28");
        assert_eq!(
            phase_workflow_id(&rerun_workflow_id(&day, 3), 4),
            "day-2025-11-28-rerun-3-phase-4"
        );
        let backfill = backfill_workflow_id("2024-10-22", "2025-04-13");
        assert_eq!(backfill, "backfill-2024-10-22-2025-04-13");
        assert_eq!(
            backfill_date_workflow_id(&backfill, 3, 2, "2024-11-02"),
            "backfill-2024-10-22-2025-04-13-p3l2-2024-11-02"
        );
        assert_eq!(
            backfill_date_workflow_id(&backfill, 3, 0, "2024-11-02"),
            "backfill-2024-10-22-2025-04-13-p3gate-2024-11-02"
        );
    }
}
