//! BackfillDateWorkflow (id `{backfill id}-p{phase}l{level}-{date}`): one step of one date of
//! a backfill. Runs `nbaprops_orchestration::run_date_step` with the Temporal executor: the gate
//! of the phase before when it waited for every date (`gate_before`), then the step's levels in
//! order, each level in one activity (Phase 1's sources, Phases 2-4's processors; Phase 5 a
//! system over all the date's players), and a phase's gate after its last level
//! (`gate_after`).

use nbaprops_orchestration::run_date_step;
use nbaprops_proto::{BackfillDateInput, BackfillDateResult};
use temporalio_macros::{workflow, workflow_methods};
use temporalio_sdk::{WorkflowContext, WorkflowResult};

use crate::executor::TemporalExecutor;
use crate::failures::fail;

#[workflow]
#[derive(Default)]
pub struct BackfillDateWorkflow;

#[workflow_methods]
impl BackfillDateWorkflow {
    #[run]
    pub async fn run(
        ctx: &mut WorkflowContext<Self>,
        input: BackfillDateInput,
    ) -> WorkflowResult<BackfillDateResult> {
        let Some(context) = input.context.clone() else {
            return Err(fail(
                "BackfillDateWorkflow: input has no run context".into(),
            ));
        };
        let date = context.game_date.clone();
        if input.parts.is_empty() && input.gate_before == 0 {
            return Err(fail(format!(
                "backfill step phase {} level {} of {date} has nothing to run",
                input.phase, input.level
            )));
        }
        let exec = TemporalExecutor::new(ctx, context);
        let run = run_date_step(&exec, input.gate_before, &input.parts)
            .await
            .map_err(fail)?;
        Ok(BackfillDateResult {
            date,
            activities: run.activities,
            rows_read: run.results.iter().map(|r| r.rows_read as u64).sum(),
            rows_written: run.results.iter().map(|r| r.rows_written as u64).sum(),
            rows_unchanged: run.results.iter().map(|r| r.rows_unchanged as u64).sum(),
            warnings: run.results.iter().map(|r| r.warnings.len() as u32).sum(),
        })
    }
}

#[cfg(test)]
mod tests {
    use nbaprops_proto::registry::{self, dates_of};
    use nbaprops_proto::BackfillPlan;

    fn plan() -> BackfillPlan {
        BackfillPlan {
            game_dates: vec![
                "2025-01-06".into(),
                "2025-01-07".into(),
                "2025-01-09".into(),
            ],
            after_game_dates: vec![
                "2025-01-07".into(),
                "2025-01-08".into(),
                "2025-01-10".into(),
            ],
            steps: registry::backfill_steps(1, 5),
            warnings: vec![],
        }
    }

    #[test]
    fn box_scores_run_the_day_after_a_game_and_the_rest_on_game_dates() {
        let plan = plan();
        let names = |d: &registry::DateStep| -> Vec<String> {
            d.parts.iter().flat_map(|p| p.processors.clone()).collect()
        };
        // Phase 2's gate first on game dates, then the summaries of the day before's games.
        let p3l1 = plan
            .steps
            .iter()
            .find(|s| s.phase == 3 && s.level == 1)
            .unwrap();
        let d = dates_of(&plan, p3l1);
        let summarised: Vec<&str> = d
            .iter()
            .filter(|d| !d.parts.is_empty())
            .map(|d| d.date.as_str())
            .collect();
        assert_eq!(summarised, ["2025-01-07", "2025-01-08", "2025-01-10"]);
        let gated: Vec<&str> = d
            .iter()
            .filter(|d| d.gate_before == 2)
            .map(|d| d.date.as_str())
            .collect();
        assert_eq!(
            gated,
            ["2025-01-06", "2025-01-07", "2025-01-09"],
            "a gate checks each game date"
        );
        // The contexts, Phase 3's gate, Phase 4 and its gate: one child per game date.
        let p4 = plan.steps.iter().find(|s| s.phase == 4).unwrap();
        let d = dates_of(&plan, p4);
        assert_eq!(
            d.iter().map(|d| d.date.as_str()).collect::<Vec<_>>(),
            ["2025-01-06", "2025-01-07", "2025-01-09"]
        );
        for date in &d {
            let levels: Vec<(u32, u32, bool)> = date
                .parts
                .iter()
                .map(|p| (p.phase, p.level, p.gate_after))
                .collect();
            assert_eq!(
                levels,
                [(3, 2, true), (4, 1, false), (4, 2, false), (4, 3, true)]
            );
            assert_eq!(date.gate_before, 0);
        }
        // Phase 1's fetches and Phase 2's parsing of them: on a game date that follows a game
        // date both kinds, on the day after only the box scores.
        let p2 = plan.steps.iter().find(|s| s.phase == 2).unwrap();
        let d = dates_of(&plan, p2);
        let jan7 = d.iter().find(|d| d.date == "2025-01-07").unwrap();
        assert!(names(jan7).contains(&"raw_nbac_schedule".to_string()));
        assert!(names(jan7).contains(&"raw_nbac_player_boxscores".to_string()));
        assert!(names(jan7).contains(&"nbac_player_boxscore".to_string()));
        let jan8 = d.iter().find(|d| d.date == "2025-01-08").unwrap();
        assert!(!names(jan8).contains(&"raw_nbac_schedule".to_string()));
        // Phase 5's gate in the ensemble's child, then grading.
        let grading = plan.steps.last().unwrap();
        assert_eq!(grading.phase, registry::GRADING_PHASE);
        let levels: Vec<(u32, bool)> = grading
            .parts
            .iter()
            .map(|p| (p.phase, p.gate_after))
            .collect();
        assert_eq!(levels, [(5, true), (registry::GRADING_PHASE, false)]);
    }
}
