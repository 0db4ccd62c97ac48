//! One error type for every processor and source, carrying its retry class.
//!
//! The Temporal adapter turns `Permanent` and `Bug` into non-retryable activity failures and
//! lets Temporal's retry policy retry `Retryable` ones; nothing here loops on its own.

use nbaprops_proto::ErrorType;
use thiserror::Error;

/// How Temporal should treat a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryClass {
    /// Network errors, timeouts, 429, 5xx, a busy database: try again with backoff.
    Retryable,
    /// Bad input that will be just as bad next time: schema mismatch, unknown format, an HTML
    /// page where JSON was expected, a failed quality check.
    Permanent,
    /// A state that should be impossible: probably a bug in nbaprops.
    Bug,
}

#[derive(Debug, Error)]
pub enum PipelineError {
    /// A source answered with something we cannot use. Names the source, the URL, the date and
    /// why; the payload has already been kept under a quarantine key when there was one.
    #[error("source {source_name} ({url}) for {date}: {reason}{}", quarantine_note(.quarantine_key))]
    BadPayload {
        source_name: String,
        url: String,
        date: String,
        reason: String,
        quarantine_key: Option<String>,
    },
    /// The source could not be reached or answered with a retryable status.
    #[error("source {source_name} ({url}) for {date} unavailable: {reason}")]
    SourceUnavailable {
        source_name: String,
        url: String,
        date: String,
        reason: String,
        /// How long the source asked to be left alone (its `Retry-After`), if it said.
        retry_after: Option<std::time::Duration>,
    },
    /// A quality check failed: rows expected and none found, values out of range.
    #[error("quality check failed in {processor} for {date}: {reason}")]
    QualityCheck {
        processor: String,
        date: String,
        reason: String,
    },
    /// A processor found no payload of its source for the date, in the request or the raw
    /// store: nothing was fetched for it (a date without games for a per-game source, a
    /// historical source on a live day). The runner turns it into an empty result with a
    /// warning, writing nothing, so no stored row is lost; the quality gates judge whether the
    /// data was needed.
    #[error("{processor}: no {source_name} payload for {date} in the request or the raw store")]
    NoPayloads {
        processor: String,
        source_name: String,
        date: String,
    },
    /// What the processor needs has not happened yet (a date's box scores before its games are
    /// final). Retryable: Temporal's retry policy waits and tries again; nothing was written.
    #[error("{processor} for {date} not ready: {reason}")]
    NotReady {
        processor: String,
        date: String,
        reason: String,
    },
    /// The request itself is malformed (bad date, unknown processor).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    #[error("warehouse: {0}")]
    Warehouse(#[from] sqlx::Error),
    #[error("warehouse migration: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// The warehouse or the raw store is misconfigured or out of reach at start-up: a bad URL,
    /// an unreachable server, a schema this build does not know.
    #[error("{0}")]
    Config(String),
    #[error("raw store: {0}")]
    RawStore(#[from] object_store::Error),
    /// A raw store operation that failed, with the store and key (`s3://bucket/prefix/key`).
    #[error("raw store {at}: {source}")]
    RawStoreAt {
        at: String,
        source: object_store::Error,
    },
    #[error("internal error (probably a bug): {0}")]
    Internal(String),
    /// Some sources or processors of a backfill step (`run_step`) failed with retryable
    /// errors, listed by name; the step is retried whole.
    #[error("step to retry: {0}")]
    StepRetry(String),
}

fn quarantine_note(key: &Option<String>) -> String {
    match key {
        Some(k) => format!(" (payload kept at {k})"),
        None => String::new(),
    }
}

impl PipelineError {
    pub fn retry_class(&self) -> RetryClass {
        match self {
            // A locked or unreachable database is transient; a bad statement is not, but the
            // statements are ours and tested, so treat driver errors as transient, all but
            // values that do not decode.
            PipelineError::Warehouse(sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_))
            | PipelineError::Migration(_)
            | PipelineError::Internal(_) => RetryClass::Bug,
            e if e.error_type().retryable() => RetryClass::Retryable,
            _ => RetryClass::Permanent,
        }
    }

    /// The failure type Temporal records (a short, bounded label for logs and metrics too).
    pub fn error_type(&self) -> ErrorType {
        match self {
            PipelineError::BadPayload { .. } => ErrorType::BadPayload,
            PipelineError::SourceUnavailable { .. } => ErrorType::SourceUnavailable,
            PipelineError::QualityCheck { .. } => ErrorType::QualityCheck,
            PipelineError::InvalidRequest(_) => ErrorType::InvalidRequest,
            PipelineError::NoPayloads { .. } => ErrorType::NoPayloads,
            PipelineError::NotReady { .. } => ErrorType::NotReady,
            PipelineError::Warehouse(_) => ErrorType::Warehouse,
            // Only start-up raises these (connecting, checking the schema); they share the
            // schema's failure type: no retry mends them.
            PipelineError::Migration(_) | PipelineError::Config(_) => ErrorType::Migration,
            PipelineError::RawStore(_) | PipelineError::RawStoreAt { .. } => ErrorType::RawStore,
            PipelineError::Internal(_) => ErrorType::Internal,
            PipelineError::StepRetry(_) => ErrorType::StepRetry,
        }
    }
}

pub type Result<T, E = PipelineError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_payload_names_source_url_date_reason_and_key() {
        let e = PipelineError::BadPayload {
            source_name: "nbac_schedule".into(),
            url: "http://x/schedule.json".into(),
            date: "2025-11-28".into(),
            reason: "expected JSON, got an HTML page".into(),
            quarantine_key: Some("quarantine/nbac_schedule/2025-11-28/abc.json".into()),
        };
        let msg = e.to_string();
        for part in [
            "nbac_schedule",
            "http://x/schedule.json",
            "2025-11-28",
            "HTML",
            "quarantine/",
        ] {
            assert!(msg.contains(part), "{msg} lacks {part}");
        }
        assert_eq!(e.retry_class(), RetryClass::Permanent);
    }

    #[test]
    fn unavailable_sources_are_retryable() {
        let e = PipelineError::SourceUnavailable {
            source_name: "s".into(),
            url: "u".into(),
            date: "d".into(),
            reason: "HTTP 503".into(),
            retry_after: None,
        };
        assert_eq!(e.retry_class(), RetryClass::Retryable);
    }

    #[test]
    fn not_ready_is_retryable_and_says_what_is_missing() {
        let e = PipelineError::NotReady {
            processor: "prediction_grades".into(),
            date: "2025-01-13".into(),
            reason: "box scores for 2025-01-13 not final: 1 of 7 games missing: 0022400561".into(),
        };
        assert_eq!(e.retry_class(), RetryClass::Retryable);
        assert_eq!(e.error_type().as_str(), "not_ready");
        assert!(e.to_string().contains("0022400561"), "{e}");
    }

    /// A type the retry policy never retries holds only errors the activity marks
    /// non-retryable itself, and the other way round but for undecodable warehouse values.
    #[test]
    fn retry_classes_follow_the_error_types() {
        let s = || "x".to_string();
        let errors = [
            PipelineError::BadPayload {
                source_name: s(),
                url: s(),
                date: s(),
                reason: s(),
                quarantine_key: None,
            },
            PipelineError::SourceUnavailable {
                source_name: s(),
                url: s(),
                date: s(),
                reason: s(),
                retry_after: None,
            },
            PipelineError::QualityCheck {
                processor: s(),
                date: s(),
                reason: s(),
            },
            PipelineError::InvalidRequest(s()),
            PipelineError::NoPayloads {
                processor: s(),
                source_name: s(),
                date: s(),
            },
            PipelineError::NotReady {
                processor: s(),
                date: s(),
                reason: s(),
            },
            PipelineError::Warehouse(sqlx::Error::PoolTimedOut),
            PipelineError::Migration(sqlx::migrate::MigrateError::VersionMissing(1)),
            PipelineError::RawStore(object_store::Error::NotImplemented),
            PipelineError::Internal(s()),
            PipelineError::StepRetry(s()),
        ];
        let types: Vec<ErrorType> = errors.iter().map(PipelineError::error_type).collect();
        assert_eq!(types, ErrorType::ALL, "one error of each type");
        for e in &errors {
            let retried = e.retry_class() == RetryClass::Retryable;
            assert_eq!(retried, e.error_type().retryable(), "{e}");
        }
        let undecodable = PipelineError::Warehouse(sqlx::Error::Decode("bad".into()));
        assert_eq!(undecodable.retry_class(), RetryClass::Bug);
    }
}
