//! Alerts: written to the `alerts` table and logged, so an operator finds them with SQL, in the
//! worker's log, and (through the failure they accompany) in the Web UI.

use crate::error::Result;
use crate::Deps;

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
    /// `quality_gate`, `change_detection`, ...
    pub kind: &'static str,
    pub severity: Severity,
    pub game_date: String,
    /// The processor, or `phase N`.
    pub subject: String,
    pub correlation_id: String,
    pub message: String,
    /// The numbers behind the message, as JSON.
    pub details: Option<serde_json::Value>,
}

/// Stores and logs an alert.
pub async fn raise(deps: &Deps, alert: &Alert, now: &str) -> Result<()> {
    match alert.severity {
        Severity::Warning => tracing::warn!(
            alert = alert.kind,
            game_date = alert.game_date.as_str(),
            subject = alert.subject.as_str(),
            "{}",
            alert.message
        ),
        Severity::Critical => tracing::error!(
            alert = alert.kind,
            game_date = alert.game_date.as_str(),
            subject = alert.subject.as_str(),
            "{}",
            alert.message
        ),
    }
    sqlx::query(
        "INSERT INTO alerts (created_at, kind, severity, game_date, subject, correlation_id, \
         message, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(now)
    .bind(alert.kind)
    .bind(alert.severity.as_str())
    .bind(&alert.game_date)
    .bind(&alert.subject)
    .bind(&alert.correlation_id)
    .bind(&alert.message)
    .bind(alert.details.as_ref().map(|d| d.to_string()))
    .execute(deps.warehouse.pool())
    .await?;
    Ok(())
}

/// A stored alert, as `nbaprops status` and the tests read them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredAlert {
    pub created_at: String,
    pub kind: String,
    pub severity: String,
    pub game_date: String,
    pub subject: String,
    pub message: String,
}

/// The alerts of a game date, oldest first.
pub async fn of_date(
    warehouse: &crate::storage::Warehouse,
    game_date: &str,
) -> Result<Vec<StoredAlert>> {
    Ok(sqlx::query_as(
        "SELECT created_at, kind, severity, game_date, subject, message FROM alerts \
         WHERE game_date = ? ORDER BY id",
    )
    .bind(game_date)
    .fetch_all(warehouse.pool())
    .await?)
}
