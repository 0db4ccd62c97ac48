//! One error type for every processor and source, carrying its retry class.
//!
//! The Temporal adapter turns `Permanent` and `Bug` into non-retryable activity failures and
//! lets Temporal's retry policy retry `Retryable` ones; nothing here loops on its own.

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
    #[error("raw store: {0}")]
    RawStore(#[from] object_store::Error),
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
            PipelineError::SourceUnavailable { .. }
            | PipelineError::NotReady { .. }
            | PipelineError::RawStore(_)
            | PipelineError::StepRetry(_) => RetryClass::Retryable,
            // A locked or unreachable database is transient; a bad statement is not, but the
            // statements are ours and tested, so treat driver errors as transient.
            PipelineError::Warehouse(e) => match e {
                sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_) => RetryClass::Bug,
                _ => RetryClass::Retryable,
            },
            PipelineError::BadPayload { .. }
            | PipelineError::QualityCheck { .. }
            | PipelineError::InvalidRequest(_)
            | PipelineError::NoPayloads { .. } => RetryClass::Permanent,
            PipelineError::Migration(_) | PipelineError::Internal(_) => RetryClass::Bug,
        }
    }

    /// A short, bounded label for logs and metrics.
    pub fn error_type(&self) -> &'static str {
        match self {
            PipelineError::BadPayload { .. } => "bad_payload",
            PipelineError::SourceUnavailable { .. } => "source_unavailable",
            PipelineError::QualityCheck { .. } => "quality_check",
            PipelineError::InvalidRequest(_) => "invalid_request",
            PipelineError::NoPayloads { .. } => "no_payloads",
            PipelineError::NotReady { .. } => "not_ready",
            PipelineError::Warehouse(_) => "warehouse",
            PipelineError::Migration(_) => "migration",
            PipelineError::RawStore(_) => "raw_store",
            PipelineError::Internal(_) => "internal",
            PipelineError::StepRetry(_) => "step_retry",
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
        assert_eq!(e.error_type(), "not_ready");
        assert!(e.to_string().contains("0022400561"), "{e}");
    }
}
