//! Waiting for a workflow, and sending to one, through a lost connection to Temporal. The workflow goes on on the
//! server whether or not this process can reach it, so only its own outcome, or a deadline the
//! user set, ends the wait: an unreachable server is said once, then retried with backoff.

use std::future::Future;
use std::time::{Duration, Instant};

use temporalio_client::errors::{WorkflowGetResultError, WorkflowStartError};

use super::describe_result_error;

/// The longest pause between two tries of an unreachable server.
const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// Calls `get_result` until the workflow has an outcome: its output, or an error naming its
/// failure (`describe_result_error`). Errors reaching the server (connection refused, the
/// server restarting) are retried; `deadline` (from now) bounds the whole wait.
pub async fn through_outages<T, F, Fut>(
    id: &str,
    deadline: Option<Duration>,
    mut get_result: F,
) -> anyhow::Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, WorkflowGetResultError>>,
{
    let until = deadline.map(|d| Instant::now() + d);
    let mut backoff = Duration::from_millis(500);
    let mut lost_since: Option<Instant> = None;
    loop {
        let attempt = get_result();
        let outcome = match until {
            Some(until) => {
                match tokio::time::timeout(until.saturating_duration_since(Instant::now()), attempt)
                    .await
                {
                    Ok(outcome) => outcome,
                    Err(_) => anyhow::bail!(
                        "{id}: still running after the {} s you allowed (--wait-at-most); it goes \
                         on in Temporal (`nbaprops status`)",
                        deadline.unwrap_or_default().as_secs()
                    ),
                }
            }
            None => attempt.await,
        };
        match outcome {
            Ok(output) => {
                if let Some(since) = lost_since {
                    eprintln!(
                        "{id}: Temporal answers again (after {:.0} s)",
                        since.elapsed().as_secs_f64()
                    );
                }
                return Ok(output);
            }
            Err(e) if is_unreachable(&e) => {
                if lost_since.is_none() {
                    eprintln!(
                        "{id}: lost the connection to Temporal ({e}); the workflow goes on on the \
                         server, waiting for it to answer again"
                    );
                    lost_since = Some(Instant::now());
                }
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
            Err(e) => anyhow::bail!(describe_result_error(id, &e)),
        }
    }
}

/// Whether an error says only that the server could not be reached, not what the workflow did.
pub fn is_unreachable(e: &WorkflowGetResultError) -> bool {
    use temporalio_client::tonic::Code;
    match e {
        WorkflowGetResultError::Rpc(status) => matches!(
            status.code(),
            Code::Unavailable | Code::Unknown | Code::DeadlineExceeded | Code::Cancelled
        ),
        WorkflowGetResultError::Other(_) => true,
        _ => false,
    }
}

/// How long a signal waits for an unreachable server to take it.
pub const SEND_PATIENCE: Duration = Duration::from_secs(600);

/// Sends a signal (signal-with-start) until the server takes it, retrying errors reaching the
/// server with backoff for up to `SEND_PATIENCE` (said once). A duplicate that a lost answer
/// may cause is harmless: an update applied twice changes nothing the second time.
pub async fn send_through_outages<T, F, Fut>(id: &str, mut send: F) -> anyhow::Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, WorkflowStartError>>,
{
    use temporalio_client::tonic::Code;
    let started = Instant::now();
    let mut backoff = Duration::from_millis(500);
    let mut said = false;
    loop {
        match send().await {
            Ok(sent) => {
                if said {
                    eprintln!("{id}: Temporal answers again; the signal is sent");
                }
                return Ok(sent);
            }
            Err(WorkflowStartError::Rpc(status))
                if matches!(status.code(), Code::Unavailable | Code::Unknown)
                    && started.elapsed() + backoff < SEND_PATIENCE =>
            {
                if !said {
                    eprintln!(
                        "{id}: Temporal does not answer ({status}); retrying the signal for up to \
                         {} s",
                        SEND_PATIENCE.as_secs()
                    );
                    said = true;
                }
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
            Err(e) => return Err(e.into()),
        }
    }
}
