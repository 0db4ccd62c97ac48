//! The contracts of nbaprops and the pipeline registry.
//!
//! `v1` holds the prost messages generated from `proto/nbaprops/v1/contracts.proto`, with serde
//! impls from pbjson (proto field names, enums as their names), so every workflow and activity
//! payload is readable JSON. `registry` is the pipeline graph as data: both the workflows and
//! the activities read it; nothing else lists processors.

pub mod activities;
pub mod alert_kinds;
pub mod error_types;
pub mod phase;
pub mod registry;
pub mod sla;

pub use alert_kinds::AlertKind;
pub use error_types::ErrorType;

#[allow(clippy::all, missing_docs)]
pub mod v1 {
    include!(concat!(env!("OUT_DIR"), "/nbaprops.v1.rs"));
    include!(concat!(env!("OUT_DIR"), "/nbaprops.v1.serde.rs"));
}

pub use phase::Phase;
pub use v1::*;

impl RunContext {
    /// The game date as given (YYYY-MM-DD). Validation happens at the edges (CLI, DayWorkflow).
    pub fn date(&self) -> &str {
        &self.game_date
    }
}

impl EntitySet {
    pub fn is_empty(&self) -> bool {
        self.players.is_empty() && self.teams.is_empty() && self.games.is_empty()
    }
}

/// Checks a `YYYY-MM-DD` game date without pulling a date library into the contracts crate.
pub fn validate_game_date(date: &str) -> Result<(), String> {
    let b = date.as_bytes();
    let shape_ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape_ok {
        return Err(format!("game_date {date:?} is not YYYY-MM-DD"));
    }
    let year: u32 = date[..4].parse().unwrap_or(0);
    let month: u32 = date[5..7].parse().unwrap_or(0);
    let day: u32 = date[8..10].parse().unwrap_or(0);
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(format!("game_date {date:?}: there is no month {month}")),
    };
    if !(1..=days_in_month).contains(&day) {
        return Err(format!(
            "game_date {date:?}: month {month} of {year} has {days_in_month} days"
        ));
    }
    if !SUPPORTED_YEARS.contains(&year) {
        return Err(format!(
            "game_date {date:?} is outside the supported seasons ({} to {})",
            SUPPORTED_YEARS.start(),
            SUPPORTED_YEARS.end()
        ));
    }
    Ok(())
}

/// The years a game date may fall in: from the NBA's first season to the end of the century,
/// so a typo such as `0225-01-13` or `2205-01-13` is refused at the edge.
pub const SUPPORTED_YEARS: std::ops::RangeInclusive<u32> = 1946..=2099;

impl GateReport {
    /// One clause per failed check, with its numbers: for failures and alerts.
    pub fn describe_failures(&self) -> String {
        self.checks
            .iter()
            .filter(|c| !c.passed)
            .map(|c| format!("{} = {:.3}: {}", c.name, c.value, c.detail))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_input_accepts_minimal_json_from_the_cli() {
        let input: DayInput = serde_json::from_str(r#"{"game_date":"2025-11-28"}"#).unwrap();
        assert_eq!(input.game_date, "2025-11-28");
        assert_eq!(input.mode(), Mode::Unspecified);
    }

    #[test]
    fn enums_travel_as_names_and_fields_keep_proto_names() {
        let ctx = RunContext {
            correlation_id: "day-2025-11-28".into(),
            game_date: "2025-11-28".into(),
            mode: Mode::Incremental as i32,
            trigger: Trigger::Signal as i32,
            lines_as_of: "2025-11-28T15:01:00Z".into(),
        };
        let json = serde_json::to_value(&ctx).unwrap();
        assert_eq!(json["mode"], "MODE_INCREMENTAL");
        assert_eq!(json["trigger"], "TRIGGER_SIGNAL");
        assert_eq!(json["correlation_id"], "day-2025-11-28");
        let back: RunContext = serde_json::from_value(json).unwrap();
        assert_eq!(back, ctx);
    }

    #[test]
    fn counts_are_json_numbers() {
        let r = ProcessorResult {
            processor: "x".into(),
            rows_written: 12,
            ..Default::default()
        };
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["rows_written"], 12);
    }

    #[test]
    fn game_date_validation() {
        assert!(validate_game_date("2025-11-28").is_ok());
        assert!(validate_game_date("2025-13-01").is_err());
        assert!(validate_game_date("11/28/2025").is_err());
        assert!(validate_game_date("").is_err());
        // Impossible calendar dates, leap years, and years outside the supported seasons.
        assert!(validate_game_date("2025-02-30")
            .unwrap_err()
            .contains("has 28 days"));
        assert!(validate_game_date("2025-02-29").is_err());
        assert!(validate_game_date("2024-02-29").is_ok());
        assert!(validate_game_date("1900-02-29").is_err());
        assert!(validate_game_date("2000-02-29").is_ok());
        assert!(validate_game_date("2025-04-31").is_err());
        assert!(validate_game_date("2025-99-99").is_err());
        assert!(validate_game_date("0225-01-13")
            .unwrap_err()
            .contains("supported seasons"));
        assert!(validate_game_date("2205-01-13").is_err());
    }
}
