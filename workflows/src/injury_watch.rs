//! InjuryWatchWorkflow: one look at the official injury report (its schedule starts it every
//! 15 minutes from 11:00 to 19:00 America/New_York).
//!
//! 1. The date: `game_date` when given, else the New York date of the schedule's nominal time.
//! 2. `watch_injuries` fetches the newest report published by the workflow's time, keeps it in
//!    the raw store, and diffs it per player (a hash of his status) against what the day
//!    already knows: the reports it kept and the updates it applied.
//! 3. Any change is signalled to `day-{date}` with signal-with-start (`signal_day`): a running
//!    day queues it for a rerun; a day not running starts with it, runs its main run, then
//!    applies it.
//!
//! It keeps no state: a change the day has not applied yet is signalled again by the next look,
//! and the day finds that update already kept (the same payload) and does nothing.

use chrono::{DateTime, SecondsFormat, Utc};
use nbaprops_proto::activities::{SignalDay, WatchInjuries};
use nbaprops_proto::{
    InjuryWatchInput, InjuryWatchResult, Mode, RunContext, SignalDayRequest, Trigger,
};
use temporalio_macros::{workflow, workflow_methods};
use temporalio_sdk::{WorkflowContext, WorkflowResult};

use crate::failures::fail;
use crate::scheduled::{game_date_at, nominal_time};
use crate::{options, search};

/// The `phase` search attribute of a watch.
pub const WATCH_PHASE: &str = "watch";

#[workflow]
#[derive(Default)]
pub struct InjuryWatchWorkflow;

#[workflow_methods]
impl InjuryWatchWorkflow {
    #[run]
    pub async fn run(
        ctx: &mut WorkflowContext<Self>,
        input: InjuryWatchInput,
    ) -> WorkflowResult<InjuryWatchResult> {
        let now = ctx
            .workflow_time()
            .ok_or_else(|| fail("InjuryWatchWorkflow: no workflow time".to_string()))?;
        let game_date = if input.game_date.is_empty() {
            game_date_at(nominal_time(ctx).unwrap_or(now), 0)
        } else {
            nbaprops_proto::validate_game_date(&input.game_date)
                .map_err(|e| fail(format!("InjuryWatchWorkflow input: {e}")))?;
            input.game_date.clone()
        };
        let mut updates = search::updates(
            &RunContext {
                lines_as_of: String::new(),
                correlation_id: ctx.workflow_id().to_string(),
                game_date: game_date.clone(),
                mode: Mode::Incremental as i32,
                trigger: Trigger::Schedule as i32,
            },
            None,
        );
        updates.retain(|u| u.name() != search::PHASE.name());
        updates.push(search::PHASE.value_set(WATCH_PHASE.to_string()));
        ctx.upsert_search_attributes(updates);

        let as_of = if input.as_of.is_empty() {
            DateTime::<Utc>::from(now).to_rfc3339_opts(SecondsFormat::Secs, true)
        } else {
            input.as_of.clone()
        };
        let mut found: InjuryWatchResult = ctx
            .execute_activity(
                WatchInjuries,
                InjuryWatchInput {
                    game_date: game_date.clone(),
                    as_of,
                },
                options::scrape("watch.injury_report".to_string()),
            )
            .await?;
        if !found.changes.is_empty() {
            let sent = ctx
                .execute_activity(
                    SignalDay,
                    SignalDayRequest {
                        game_date: game_date.clone(),
                        updates: found.changes.clone(),
                        trigger: Trigger::Schedule as i32,
                    },
                    options::process("watch.signal_day".to_string()),
                )
                .await?;
            found.day_run_id = sent.run_id;
        }
        Ok(found)
    }
}
