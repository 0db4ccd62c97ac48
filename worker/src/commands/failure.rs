//! A failed workflow as the operator reads it: the workflow's own message, then the root cause
//! under it (the source, date and reason an activity failed with) and where it happened, not
//! the SDK's wrappers ("Activity task failed", "scheduled_event_id: 77").

use temporalio_client::errors::WorkflowGetResultError;
use temporalio_common::error::IncomingError;
use temporalio_common::protos::temporal::api::failure::v1::failure::FailureInfo;

/// `{id} failed: {message}`, with a `cause:` line for a root cause the message does not
/// already carry; other outcomes (cancelled, terminated, timed out) and RPC errors as the
/// client says them.
pub fn describe_result_error(id: &str, e: &WorkflowGetResultError) -> String {
    match e {
        WorkflowGetResultError::Failed(failure) => {
            format!("{id} failed: {}", describe_failure(failure))
        }
        other => format!("{id}: {other}"),
    }
}

/// A failure's message and, when deeper, its root cause with where it happened.
pub fn describe_failure(failure: &IncomingError) -> String {
    let mut messages = Vec::new();
    let mut places = Vec::new();
    let mut level = Some(failure);
    while let Some(f) = level {
        let proto = f.failure();
        match &proto.failure_info {
            Some(FailureInfo::ActivityFailureInfo(a)) => places.push(format!(
                "activity {} ({})",
                a.activity_id,
                a.activity_type
                    .as_ref()
                    .map(|t| t.name.as_str())
                    .unwrap_or("?")
            )),
            Some(FailureInfo::ChildWorkflowExecutionFailureInfo(c)) => places.push(format!(
                "workflow {}",
                c.workflow_execution
                    .as_ref()
                    .map(|w| w.workflow_id.as_str())
                    .unwrap_or("?")
            )),
            _ if !proto.message.trim().is_empty() => messages.push(proto.message.trim()),
            _ => {}
        }
        level = f.cause();
    }
    let Some(top) = messages.first() else {
        return format!("{failure}");
    };
    let root = messages.last().expect("not empty");
    let mut out = top.to_string();
    if !top.contains(root) {
        out.push_str(&format!("\n  cause: {root}"));
    }
    if !places.is_empty() {
        out.push_str(&format!("\n  in: {}", places.join(" > ")));
    }
    out
}
