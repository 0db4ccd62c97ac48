//! Alerts: written to the `alerts` table and logged, so an operator finds them with SQL, in the
//! worker's log, and (through the failure they accompany) in the Web UI; and POSTed as JSON to
//! the webhook URL when one is set (`--alert-webhook-url`, `NBAPROPS_ALERT_WEBHOOK_URL`).
//! A webhook that fails is logged, never retried into a duplicate alert: the table has it.

use std::time::Duration;

use nbaprops_proto::AlertKind;

use crate::error::{PipelineError, Result};
use crate::storage::queries::ops;
use crate::Deps;

/// Where alerts go besides the table and the log.
#[derive(Debug, Clone)]
pub struct AlertSink {
    webhook: Option<String>,
    http: reqwest::Client,
}

impl AlertSink {
    pub fn new(webhook: Option<String>) -> Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| PipelineError::Internal(format!("alert webhook client: {e}")))?;
        Ok(Self {
            webhook: webhook.filter(|w| !w.is_empty()),
            http,
        })
    }

    /// POSTs the alert; true when the webhook answered 2xx.
    async fn post(&self, alert: &Alert, now: &str) -> bool {
        let Some(url) = &self.webhook else {
            return false;
        };
        let body = serde_json::json!({
            "created_at": now,
            "kind": alert.kind.as_str(),
            "severity": alert.severity.as_str(),
            "game_date": alert.game_date,
            "subject": alert.subject,
            "correlation_id": alert.correlation_id,
            "message": alert.message,
            "details": alert.details,
        });
        match self.http.post(url).json(&body).send().await {
            Ok(r) if r.status().is_success() => true,
            Ok(r) => {
                tracing::warn!(
                    alert = alert.kind.as_str(),
                    game_date = alert.game_date.as_str(),
                    "alert webhook answered HTTP {}; the alert is in the alerts table",
                    r.status()
                );
                false
            }
            Err(e) => {
                tracing::warn!(
                    alert = alert.kind.as_str(),
                    game_date = alert.game_date.as_str(),
                    "alert webhook failed: {e}; the alert is in the alerts table"
                );
                false
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// Worth a look; the run went on.
    Warning,
    /// The run stopped because of it.
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Alert {
    pub kind: AlertKind,
    pub severity: Severity,
    pub game_date: String,
    /// The processor, or `phase N`.
    pub subject: String,
    pub correlation_id: String,
    pub message: String,
    /// The numbers behind the message, as JSON.
    pub details: Option<serde_json::Value>,
}

/// Stores, logs and POSTs (when a webhook is set) an alert; true when the webhook took it.
pub async fn raise(deps: &Deps, alert: &Alert, now: &str) -> Result<bool> {
    match alert.severity {
        Severity::Warning => tracing::warn!(
            alert = alert.kind.as_str(),
            game_date = alert.game_date.as_str(),
            subject = alert.subject.as_str(),
            "{}",
            alert.message
        ),
        Severity::Critical => tracing::error!(
            alert = alert.kind.as_str(),
            game_date = alert.game_date.as_str(),
            subject = alert.subject.as_str(),
            "{}",
            alert.message
        ),
    }
    ops::insert_alert(
        &deps.warehouse,
        &ops::NewAlert {
            created_at: now,
            kind: alert.kind.as_str(),
            severity: alert.severity.as_str(),
            game_date: &alert.game_date,
            subject: &alert.subject,
            correlation_id: &alert.correlation_id,
            message: &alert.message,
            details: alert.details.as_ref().map(|d| d.to_string()),
        },
    )
    .await?;
    Ok(deps.alerts.post(alert, now).await)
}

pub use crate::storage::queries::ops::StoredAlert;

/// The alerts of a game date, oldest first.
pub async fn of_date(
    warehouse: &crate::storage::Warehouse,
    game_date: &str,
) -> Result<Vec<StoredAlert>> {
    ops::alerts_of_date(warehouse, game_date).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// Every alert (a failed quality gate too: `runner::check_quality` raises it here) lands
    /// in the table and, with a webhook set, is POSTed as JSON; a dead webhook loses nothing.
    #[tokio::test]
    async fn an_alert_is_stored_and_posted_and_survives_a_dead_webhook() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let server = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            loop {
                let n = socket.read(&mut chunk).await.unwrap();
                buf.extend_from_slice(&chunk[..n]);
                let text = String::from_utf8_lossy(&buf).to_string();
                if let Some(i) = text.find("\r\n\r\n") {
                    if text[i + 4..].trim_end().ends_with('}') {
                        socket
                            .write_all(b"HTTP/1.1 204 No Content\r\nconnection: close\r\n\r\n")
                            .await
                            .unwrap();
                        return text[i + 4..].to_string();
                    }
                }
            }
        });
        let dir = tempfile::tempdir().unwrap();
        let mut config = crate::DepsConfig::under(
            dir.path(),
            crate::sources::SourceConfig::replay("http://127.0.0.1:9"),
        );
        config.alert_webhook = Some(url);
        let deps = Deps::open(&config).await.unwrap();
        let alert = Alert {
            kind: AlertKind::QualityGate,
            severity: Severity::Critical,
            game_date: "2025-01-13".into(),
            subject: "phase 2".into(),
            correlation_id: "day-2025-01-13".into(),
            message: "quality gate after phase 2 failed for 2025-01-13: ...".into(),
            details: Some(serde_json::json!({"passed": false})),
        };
        assert!(raise(&deps, &alert, "2025-01-13T14:00:00.000Z")
            .await
            .unwrap());
        let body: serde_json::Value = serde_json::from_str(&server.await.unwrap()).unwrap();
        assert_eq!(body["kind"], "quality_gate");
        assert_eq!(body["severity"], "critical");
        assert_eq!(body["game_date"], "2025-01-13");
        assert_eq!(body["details"]["passed"], false);
        // Nobody listens any more: not delivered, still stored.
        assert!(!raise(&deps, &alert, "2025-01-13T14:01:00.000Z")
            .await
            .unwrap());
        let stored = of_date(&deps.warehouse, "2025-01-13").await.unwrap();
        assert_eq!(stored.len(), 2);
        assert!(stored.iter().all(|a| a.kind == "quality_gate"));
    }
}
