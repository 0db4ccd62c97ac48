//! What the Temporal Web UI shows of a day beside its history: the current details (a line
//! the workflow sets as it goes; the `temporal workflow metadata` command prints it too), and
//! the `phase` of the day's `state` query that `run day` draws. Neither is part of the history,
//! so neither affects replay.

use nbaprops_proto::{DayResult, DayState, Phase, RunContext};
use temporalio_sdk::WorkflowContext;

/// The main run enters `phase`.
pub fn show_phase<W: AsMut<DayState>>(
    ctx: &WorkflowContext<W>,
    context: &RunContext,
    phase: Phase,
) {
    ctx.state_mut(|s| s.as_mut().phase = phase.number());
    ctx.set_current_details(format!("{} · {phase} of 5 running", context.game_date));
}

/// A day whose main run is done: its phases and predictions.
pub fn main_summary(main: &DayResult) -> String {
    format!(
        "{} · {} phases · {} predictions written, {} unchanged",
        main.game_date,
        main.phases.len(),
        main.predictions_written,
        main.predictions_unchanged
    )
}

/// A day after its main run: the summary, its injury reruns, and what it does now.
pub fn after_main(main: &DayResult, reruns: usize, now: &str) -> String {
    format!("{} · {reruns} reruns · {now}", main_summary(main))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_names_phases_predictions_and_reruns() {
        let main = DayResult {
            game_date: "2025-01-13".into(),
            phases: vec![Default::default(); 5],
            predictions_written: 90,
            predictions_unchanged: 10,
            ..Default::default()
        };
        assert_eq!(
            after_main(&main, 1, "listening until 2025-01-14T03:00:00Z"),
            "2025-01-13 · 5 phases · 90 predictions written, 10 unchanged · 1 reruns · \
             listening until 2025-01-14T03:00:00Z"
        );
    }
}
