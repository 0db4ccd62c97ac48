//! Turning failed activities and children into one clear workflow failure.

use temporalio_sdk::{
    ActivityExecutionError, ApplicationFailure, ChildWorkflowExecutionError, WorkflowTermination,
};

/// The message of a failed activity, down to the application failure's text.
pub fn describe_activity_error(e: &ActivityExecutionError) -> String {
    match e.reason() {
        Some(reason) => reason.to_string(),
        None => e.to_string(),
    }
}

/// The message of a failed child workflow, down to the application failure's text.
pub fn describe_child_error(e: &ChildWorkflowExecutionError) -> String {
    match e.reason() {
        Some(reason) => reason.to_string(),
        None => e.to_string(),
    }
}

/// Fails the workflow, not retrying: the input or a dependency is bad, and retrying the
/// workflow would only repeat it.
pub fn fail(message: String) -> WorkflowTermination {
    ApplicationFailure::non_retryable(message).into()
}
