//! Starting a day and waiting for it, its `state`, and injury news signalled to it.

use std::time::Duration;

use anyhow::{Context, Result};
use nbaprops_proto::{DayInput, DayResult, DayState, InjuryUpdate, Mode, SignalDayResult, Trigger};
use nbaprops_workflows::{day, ids, scheduled, search, DayWorkflow};

use super::{send_through_outages, through_outages};
use temporalio_client::{
    Client, WorkflowDescribeOptions, WorkflowGetResultOptions, WorkflowIdConflictPolicy,
    WorkflowIdReusePolicy, WorkflowQueryOptions, WorkflowStartOptions,
};

/// How every start of a day is made (`run day`, `signal injury`, the injury watch): searchable
/// from its first event, attaching to a running day, running again after it closed.
pub fn day_start_options(task_queue: &str, input: &DayInput) -> WorkflowStartOptions {
    let id = ids::day_workflow_id(&input.game_date);
    let attributes = search::attributes(&day::run_context(&id, input), None);
    WorkflowStartOptions::new(task_queue, &id)
        // Searchable from its first event (the workflow sets them too, for starts that carry
        // none: schedules, the `temporal` CLI).
        .search_attributes(attributes)
        // A second start of a running day attaches to it; after it closed, a start runs the
        // day again (idempotent: unchanged rows stay untouched).
        .id_conflict_policy(WorkflowIdConflictPolicy::UseExisting)
        .id_reuse_policy(WorkflowIdReusePolicy::AllowDuplicate)
        // The day stays open for injury updates until the last tip-off.
        .execution_timeout(scheduled::DAY_TIMEOUT)
        .build()
}

/// Starts the day workflow of a date (or attaches to the running one) and waits for its main
/// run: the day's result when it closes, or its main result as soon as the main run is done
/// and the day goes on listening for injury updates until the last tip-off.
pub async fn run_day(client: &Client, task_queue: &str, input: DayInput) -> Result<DayResult> {
    run_day_within(client, task_queue, input, None).await
}

/// [`run_day`], waiting through a lost connection to Temporal, for at most `deadline` when
/// given (`--wait-at-most`).
pub async fn run_day_within(
    client: &Client,
    task_queue: &str,
    input: DayInput,
    deadline: Option<Duration>,
) -> Result<DayResult> {
    nbaprops_proto::validate_game_date(&input.game_date).map_err(anyhow::Error::msg)?;
    let id = ids::day_workflow_id(&input.game_date);
    let handle = client
        .start_workflow(
            DayWorkflow::run,
            input.clone(),
            day_start_options(task_queue, &input),
        )
        .await
        .with_context(|| format!("starting {id}"))?;
    let result = through_outages(&id, deadline, || {
        handle.get_result(WorkflowGetResultOptions::default())
    });
    tokio::pin!(result);
    let progress = phase_progress(&id);
    loop {
        tokio::select! {
            r = &mut result => {
                progress.finish_and_clear();
                return r;
            }
            _ = tokio::time::sleep(Duration::from_millis(500)) => {
                if let Ok(Some(state)) = settled_day_state(client, &id).await {
                    if state.phase > 0 {
                        progress.set_position(u64::from(state.phase - 1));
                        progress.set_message(format!("phase {} running", state.phase));
                    }
                    if listening_for_a_while(&state) {
                        if let Some(main) = state.main {
                            progress.finish_and_clear();
                            return Ok(main);
                        }
                    }
                }
            }
        }
    }
}

/// The phases of a day as they complete, on a terminal (stderr); drawn nowhere otherwise.
fn phase_progress(id: &str) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    let bar = indicatif::ProgressBar::new(5);
    if std::io::stderr().is_terminal() {
        bar.set_style(
            indicatif::ProgressStyle::with_template(&format!(
                "{{spinner}} {id} [{{elapsed_precise}}] {{bar:20}} {{pos}}/{{len}} phases done, {{msg}}"
            ))
            .expect("a valid template"),
        );
        bar.enable_steady_tick(Duration::from_millis(200));
    } else {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    bar
}

/// Whether a day's main run is done and it stays open for injury updates for more than a few
/// seconds (a day whose last tip-off is past closes at once: wait for its result instead).
fn listening_for_a_while(state: &DayState) -> bool {
    let listening = state.stage == "listening" || state.stage.starts_with("rerun");
    let until = chrono::DateTime::parse_from_rfc3339(&state.listen_until).ok();
    listening && until.is_some_and(|u| u > chrono::Utc::now() + chrono::Duration::seconds(5))
}

/// Events a day's history has once its first workflow tasks are past: the search attributes,
/// the plan's local activity and the first scrapes scheduled.
const DAY_SETTLED_EVENTS: usize = 24;

/// The day's `state`, queried only once the day is past its first workflow tasks (None before).
///
/// Why: with the Temporal Rust SDK 1.1.1, a query that arrives while the day's plan (a local
/// activity) runs can end the first workflow task with the local activity's marker but before
/// the code after it ran, and the commands after it then land in the next task: with a patch
/// marker there, such a history did not replay (`patch marker encountered … no corresponding
/// change command`; seen under load in `tests/injury_updates.rs`). Polling `describe` is
/// harmless, so the query waits until the day is past its first tasks.
pub async fn settled_day_state(client: &Client, id: &str) -> Result<Option<DayState>> {
    let d = client
        .get_workflow_handle::<DayWorkflow>(id)
        .describe(WorkflowDescribeOptions::default())
        .await
        .map_err(|e| anyhow::anyhow!("describing {id}: {e}"))?;
    if d.history_length() < DAY_SETTLED_EVENTS {
        return Ok(None);
    }
    day_state(client, id).await.map(Some)
}

/// The `state` query of a day: its stage, main result, queued updates and reruns.
pub async fn day_state(client: &Client, id: &str) -> Result<DayState> {
    client
        .get_workflow_handle::<DayWorkflow>(id)
        .query(DayWorkflow::state, (), WorkflowQueryOptions::default())
        .await
        .map_err(|e| anyhow::anyhow!("querying {id}: {e}"))
}

/// Waits (polling every `poll`) for the day's rerun that applied `update`, for at most
/// `timeout`; an error when the day closed or failed without applying it.
pub async fn wait_for_rerun(
    client: &Client,
    id: &str,
    update: &InjuryUpdate,
    poll: Duration,
    timeout: Duration,
) -> Result<nbaprops_proto::RerunSummary> {
    let started = std::time::Instant::now();
    loop {
        if let Ok(Some(state)) = settled_day_state(client, id).await {
            if let Some(r) = state
                .reruns
                .iter()
                .rev()
                .find(|r| r.updates.contains(update))
            {
                return Ok(r.clone());
            }
            if state.stage == "closed" || state.stage == "failed" {
                anyhow::bail!("{id} is {} and did not apply the update", state.stage);
            }
        }
        if started.elapsed() > timeout {
            anyhow::bail!(
                "no rerun of {id} applied the update within {} s (is a worker running? \
                 `nbaprops status --date …`)",
                timeout.as_secs()
            );
        }
        tokio::time::sleep(poll).await;
    }
}

/// Signals `day-{date}` with injury updates, starting it when it is not running
/// (signal-with-start: a start of a day that is running only signals it).
pub async fn signal_injury(
    client: &Client,
    task_queue: &str,
    game_date: &str,
    trigger: Trigger,
    updates: &[InjuryUpdate],
) -> Result<SignalDayResult> {
    nbaprops_proto::validate_game_date(game_date).map_err(anyhow::Error::msg)?;
    let input = DayInput {
        game_date: game_date.to_string(),
        mode: Mode::Full as i32,
        trigger: trigger as i32,
        ..Default::default()
    };
    let id = ids::day_workflow_id(game_date);
    let mut out = SignalDayResult {
        workflow_id: id.clone(),
        ..Default::default()
    };
    for update in updates {
        let handle = send_through_outages(&id, || {
            client.signal_with_start_workflow(
                DayWorkflow::run,
                input.clone(),
                DayWorkflow::injury_update,
                nbaprops_workflows::signals::raw(update),
                day_start_options(task_queue, &input),
            )
        })
        .await
        .with_context(|| format!("signalling {id} (injury_update {})", update.player))?;
        out.run_id = handle.run_id().unwrap_or_default().to_string();
        out.signals_sent += 1;
    }
    Ok(out)
}

pub fn manual_day(date: &str) -> DayInput {
    DayInput {
        game_date: date.to_string(),
        mode: Mode::Full as i32,
        trigger: Trigger::Manual as i32,
        ..Default::default()
    }
}
