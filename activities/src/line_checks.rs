//! The sanity checks a sportsbook line snapshot must pass before any model may see it. Kept
//! apart from `lines` (which chooses among the snapshots that pass) so that the Phase 2
//! processors that store snapshots can report refusals without depending on the chooser.

/// The largest points line taken as real (the record is 81).
pub const MAX_LINE: f64 = 80.0;

/// Why a snapshot with this line and these American prices cannot be used, if it cannot: a
/// line that is not a positive number of points up to [`MAX_LINE`], or a side without a price
/// (at most -100 or at least +100; anything between is not American odds).
pub fn refusal_of(line: f64, over: Option<i64>, under: Option<i64>) -> Option<String> {
    let price = |p: Option<i64>, side: &str| match p {
        None => Some(format!("no {side} price")),
        Some(p) if -100 < p && p < 100 => Some(format!("{side} price {p} is not American odds")),
        Some(_) => None,
    };
    if !(line.is_finite() && line > 0.0 && line <= MAX_LINE) {
        return Some(format!("line {line} outside 0-{MAX_LINE}"));
    }
    price(over, "over").or_else(|| price(under, "under"))
}

/// The warning for a refused snapshot: the player, the book, the snapshot and why.
pub fn refused_warning(player: &str, book: &str, snapshot: &str, why: &str) -> String {
    format!("line snapshot refused: {player} from {book} at {snapshot}: {why}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absurd_lines_and_prices_are_refused() {
        assert_eq!(refusal_of(24.5, Some(-115), Some(-105)), None);
        // -100 and +100 are prices (even money).
        assert_eq!(refusal_of(24.5, Some(100), Some(-100)), None);
        assert!(refusal_of(0.0, Some(-110), Some(-110))
            .unwrap()
            .contains("line 0"));
        assert!(refusal_of(85.5, Some(-110), Some(-110))
            .unwrap()
            .contains("line 85.5"));
        assert!(refusal_of(f64::NAN, Some(-110), Some(-110)).is_some());
        assert!(refusal_of(24.5, Some(50), Some(-110))
            .unwrap()
            .contains("over price 50"));
        assert!(refusal_of(24.5, Some(-110), None)
            .unwrap()
            .contains("no under price"));
    }
}
