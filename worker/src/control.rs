//! Activities that act on Temporal itself, with the worker's client: a workflow cannot
//! signal-with-start another, so InjuryWatchWorkflow asks this activity to.

use std::sync::Arc;

use nbaprops_proto::{SignalDayRequest, SignalDayResult, Trigger};
use temporalio_client::Client;
use temporalio_macros::activities;
use temporalio_sdk::activities::{ActivityContext, ActivityError};
use temporalio_sdk::ApplicationFailure;

use crate::commands;

/// The activities that need the worker's Temporal client.
pub struct ControlActivities {
    client: Client,
    task_queue: String,
}

impl ControlActivities {
    pub fn new(client: Client, task_queue: &str) -> Self {
        Self {
            client,
            task_queue: task_queue.to_string(),
        }
    }
}

#[activities]
impl ControlActivities {
    /// Signal-with-start `day-{date}` with each injury update. Retried by Temporal when the
    /// server cannot be reached; a second delivery of the same update is a no-op at the day.
    #[activity(definition = nbaprops_proto::activities::SignalDay)]
    pub async fn signal_day(
        self: Arc<Self>,
        _ctx: ActivityContext,
        req: SignalDayRequest,
    ) -> Result<SignalDayResult, ActivityError> {
        let trigger = match req.trigger() {
            Trigger::Unspecified => Trigger::Signal,
            t => t,
        };
        let sent = commands::signal_injury(
            &self.client,
            &self.task_queue,
            &req.game_date,
            trigger,
            &req.updates,
        )
        .await;
        match sent {
            Ok(r) => {
                tracing::info!(
                    game_date = %req.game_date,
                    "signalled {} injury updates to {}",
                    r.signals_sent,
                    r.workflow_id
                );
                Ok(r)
            }
            Err(e) => Err(ApplicationFailure::builder(format!("{e:#}"))
                .type_name("signal_day".to_string())
                .build()
                .into()),
        }
    }
}
