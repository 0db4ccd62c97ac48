//! The phases of the pipeline, typed. Contracts carry a phase as its number (`PhaseInput.phase`,
//! `GateRequest.phase`); code names it with this enum.

use std::fmt;

/// A phase of the pipeline: a day runs 1-5 in order; grading runs after the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Phase {
    /// 1: fetch every source's payloads into the raw store.
    Scrape,
    /// 2: parse the payloads into raw tables.
    Raw,
    /// 3: game summaries and the upcoming games' context.
    Analytics,
    /// 4: per-player and per-team state, the feature store.
    Precompute,
    /// 5: the prediction systems and their ensemble.
    Predict,
    /// 6: after the games, every prediction against what happened.
    Grade,
}

impl Phase {
    /// The phases of a day, in order.
    pub const DAY: [Phase; 5] = [
        Phase::Scrape,
        Phase::Raw,
        Phase::Analytics,
        Phase::Precompute,
        Phase::Predict,
    ];

    /// The phases after Phase 1 that a day runs as children, in order.
    pub const DOWNSTREAM: [Phase; 4] = [
        Phase::Raw,
        Phase::Analytics,
        Phase::Precompute,
        Phase::Predict,
    ];

    /// The phase's number in contracts, workflow ids and docs.
    pub const fn number(self) -> u32 {
        match self {
            Phase::Scrape => 1,
            Phase::Raw => 2,
            Phase::Analytics => 3,
            Phase::Precompute => 4,
            Phase::Predict => 5,
            Phase::Grade => 6,
        }
    }

    pub const fn from_number(n: u32) -> Option<Phase> {
        match n {
            1 => Some(Phase::Scrape),
            2 => Some(Phase::Raw),
            3 => Some(Phase::Analytics),
            4 => Some(Phase::Precompute),
            5 => Some(Phase::Predict),
            6 => Some(Phase::Grade),
            _ => None,
        }
    }

    /// The prefix of its activity ids (`raw.raw_nbac_schedule`).
    pub const fn prefix(self) -> &'static str {
        match self {
            Phase::Scrape => "scrape",
            Phase::Raw => "raw",
            Phase::Analytics => "analytics",
            Phase::Precompute => "precompute",
            Phase::Predict => "predict",
            Phase::Grade => "grade",
        }
    }

    /// Whether a quality gate follows the phase (Phase 1's payloads are checked by Phase 2's
    /// gate; grading checks itself).
    pub const fn has_gate(self) -> bool {
        matches!(
            self,
            Phase::Raw | Phase::Analytics | Phase::Precompute | Phase::Predict
        )
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "phase {}", self.number())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip() {
        for n in 1..=6 {
            assert_eq!(Phase::from_number(n).unwrap().number(), n);
        }
        assert_eq!(Phase::from_number(0), None);
        assert_eq!(Phase::from_number(7), None);
        assert_eq!(Phase::DAY.map(Phase::number), [1, 2, 3, 4, 5]);
        assert_eq!(Phase::Precompute.to_string(), "phase 4");
    }
}
