//! The failure types an activity reports to Temporal (`ApplicationFailure` type names), and
//! which of them retrying can never fix. The activities set the type; the workflows' retry
//! policies list the types never to retry.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorType {
    BadPayload,
    SourceUnavailable,
    QualityCheck,
    InvalidRequest,
    NoPayloads,
    NotReady,
    Warehouse,
    Migration,
    RawStore,
    Internal,
    StepRetry,
}

impl ErrorType {
    pub const ALL: [ErrorType; 11] = [
        ErrorType::BadPayload,
        ErrorType::SourceUnavailable,
        ErrorType::QualityCheck,
        ErrorType::InvalidRequest,
        ErrorType::NoPayloads,
        ErrorType::NotReady,
        ErrorType::Warehouse,
        ErrorType::Migration,
        ErrorType::RawStore,
        ErrorType::Internal,
        ErrorType::StepRetry,
    ];

    /// The type name recorded in workflow histories.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorType::BadPayload => "bad_payload",
            ErrorType::SourceUnavailable => "source_unavailable",
            ErrorType::QualityCheck => "quality_check",
            ErrorType::InvalidRequest => "invalid_request",
            ErrorType::NoPayloads => "no_payloads",
            ErrorType::NotReady => "not_ready",
            ErrorType::Warehouse => "warehouse",
            ErrorType::Migration => "migration",
            ErrorType::RawStore => "raw_store",
            ErrorType::Internal => "internal",
            ErrorType::StepRetry => "step_retry",
        }
    }

    /// Whether a retry can fix some error of this type: the network, a busy database, data not
    /// there yet. Bad input, a failed check and bugs stay as they are.
    pub fn retryable(self) -> bool {
        match self {
            ErrorType::SourceUnavailable
            | ErrorType::NotReady
            | ErrorType::Warehouse
            | ErrorType::RawStore
            | ErrorType::StepRetry => true,
            ErrorType::BadPayload
            | ErrorType::QualityCheck
            | ErrorType::InvalidRequest
            | ErrorType::NoPayloads
            | ErrorType::Migration
            | ErrorType::Internal => false,
        }
    }
}

impl fmt::Display for ErrorType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The type names a retry policy never retries.
pub fn non_retryable_error_types() -> impl Iterator<Item = &'static str> {
    ErrorType::ALL
        .into_iter()
        .filter(|t| !t.retryable())
        .map(ErrorType::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names are recorded in workflow histories: they never change.
    #[test]
    fn names_are_the_recorded_ones_and_the_policy_skips_the_permanent_ones() {
        let names: Vec<&str> = ErrorType::ALL.iter().map(|t| t.as_str()).collect();
        assert_eq!(
            names,
            [
                "bad_payload",
                "source_unavailable",
                "quality_check",
                "invalid_request",
                "no_payloads",
                "not_ready",
                "warehouse",
                "migration",
                "raw_store",
                "internal",
                "step_retry"
            ]
        );
        let never: Vec<&str> = non_retryable_error_types().collect();
        assert_eq!(
            never,
            [
                "bad_payload",
                "quality_check",
                "invalid_request",
                "no_payloads",
                "migration",
                "internal"
            ]
        );
    }
}
