//! Every kind of alert, as stored in the `alerts` table, POSTed to the webhook and named in
//! the `raise_alert` activity's ids.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AlertKind {
    /// A quality gate failed (critical: the day stopped).
    QualityGate,
    /// Change detection looks wrong against the previous run (warning).
    ChangeDetection,
    /// Predictions not complete by the SLA deadline (critical).
    SlaMissed,
    /// A phase past its timeout (critical).
    PhaseStuck,
    /// A day failed (critical).
    DayFailed,
    /// An injury rerun failed (critical).
    RerunFailed,
    /// An injury update named no known player or an unknown status (warning).
    InjuryUpdateRejected,
}

impl AlertKind {
    pub const ALL: [AlertKind; 7] = [
        AlertKind::QualityGate,
        AlertKind::ChangeDetection,
        AlertKind::SlaMissed,
        AlertKind::PhaseStuck,
        AlertKind::DayFailed,
        AlertKind::RerunFailed,
        AlertKind::InjuryUpdateRejected,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AlertKind::QualityGate => "quality_gate",
            AlertKind::ChangeDetection => "change_detection",
            AlertKind::SlaMissed => "sla_missed",
            AlertKind::PhaseStuck => "phase_stuck",
            AlertKind::DayFailed => "day_failed",
            AlertKind::RerunFailed => "rerun_failed",
            AlertKind::InjuryUpdateRejected => "injury_update_rejected",
        }
    }

    pub fn parse(kind: &str) -> Option<AlertKind> {
        AlertKind::ALL.into_iter().find(|k| k.as_str() == kind)
    }

    /// Whether workflows raise it, through the `raise_alert` activity; the activities raise
    /// the others themselves (a failed gate, change detection).
    pub fn raised_by_workflows(self) -> bool {
        !matches!(self, AlertKind::QualityGate | AlertKind::ChangeDetection)
    }
}

impl fmt::Display for AlertKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names are stored, POSTed and recorded in activity ids: they never change.
    #[test]
    fn names_parse_back_and_workflows_raise_the_five_of_the_day() {
        for kind in AlertKind::ALL {
            assert_eq!(AlertKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(AlertKind::parse("nope"), None);
        let raised: Vec<&str> = AlertKind::ALL
            .into_iter()
            .filter(|k| k.raised_by_workflows())
            .map(AlertKind::as_str)
            .collect();
        assert_eq!(
            raised,
            [
                "sla_missed",
                "phase_stuck",
                "day_failed",
                "rerun_failed",
                "injury_update_rejected"
            ]
        );
    }
}
