//! Choosing the line a player is judged against: each bookmaker's latest usable snapshot at
//! or before the cut-off and before his game's tip-off, then the first bookmaker in a fixed
//! preference order. Shared by the game summary (the pre-game line) and the predictions
//! (today's line). A snapshot taken after tip-off (a live in-game line) stays in the raw
//! table but is never chosen; a snapshot with an absurd line or price is refused
//! ([`refusal`]; Phase 2 reports it), never chosen.

use std::collections::BTreeMap;

use crate::raw::oddsa_player_props::PropLineRow;

/// Bookmakers in the order their line is preferred; any other comes after, alphabetically.
pub const PREFERRED_BOOKS: &[&str] = &["draftkings", "fanduel"];

#[derive(Debug, Clone, PartialEq)]
pub struct ChosenLine {
    pub player_lookup: String,
    pub player_name: String,
    pub line: f64,
    pub bookmaker: String,
    pub snapshot_time: String,
    pub over_price: Option<i64>,
    pub under_price: Option<i64>,
}

fn book_rank(book: &str) -> (usize, String) {
    let pos = PREFERRED_BOOKS
        .iter()
        .position(|b| *b == book)
        .unwrap_or(PREFERRED_BOOKS.len());
    (pos, book.to_string())
}

/// Why a snapshot cannot be used, if it cannot (see [`crate::line_checks`]).
pub fn refusal(r: &PropLineRow) -> Option<String> {
    crate::line_checks::refusal_of(r.line, r.over_price, r.under_price)
}

/// Whether time `a` is later than time `b` (both RFC 3339, any offset; a time that does not
/// parse is never later).
fn later(a: &str, b: &str) -> bool {
    matches!((instant(a), instant(b)), (Some(a), Some(b)) if a > b)
}

fn instant(t: &str) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    chrono::DateTime::parse_from_rfc3339(t).ok()
}

/// Orders snapshot times as instants (the text breaks ties and orders those that do not parse).
fn time_order(t: &str) -> (Option<chrono::DateTime<chrono::FixedOffset>>, &str) {
    (instant(t), t)
}

/// Whether the snapshot's time is later than its game's tip-off (a time that does not parse
/// counts as pre-tip-off).
pub fn after_tipoff(r: &PropLineRow) -> bool {
    later(&r.snapshot_time, &r.commence_time)
}

/// The run's line cut-off (`RunContext.lines_as_of`), `None` when it has none.
pub fn cutoff_of(ctx: Option<&nbaprops_proto::RunContext>) -> Option<&str> {
    ctx.map(|c| c.lines_as_of.as_str())
        .filter(|t| !t.is_empty())
}

/// Each (player lookup, book rank)'s latest usable snapshot at or before `cutoff`; in
/// BTreeMap order, each player's preferred book comes first.
fn latest_by_book<'a>(
    rows: &'a [PropLineRow],
    cutoff: Option<&str>,
) -> BTreeMap<(String, (usize, String)), &'a PropLineRow> {
    let mut latest: BTreeMap<(String, (usize, String)), &PropLineRow> = BTreeMap::new();
    for r in rows {
        if cutoff.is_some_and(|c| later(&r.snapshot_time, c))
            || after_tipoff(r)
            || refusal(r).is_some()
        {
            continue;
        }
        let key = (r.player_lookup.clone(), book_rank(&r.bookmaker));
        match latest.get(&key) {
            Some(prev) if time_order(&prev.snapshot_time) >= time_order(&r.snapshot_time) => {}
            _ => {
                latest.insert(key, r);
            }
        }
    }
    latest
}

/// The chosen line per player lookup. `cutoff` (RFC 3339) drops later snapshots: a
/// prediction never sees a line captured after its cut-off.
pub fn current_lines(rows: &[PropLineRow], cutoff: Option<&str>) -> BTreeMap<String, ChosenLine> {
    let mut out = BTreeMap::new();
    for ((lookup, _), r) in latest_by_book(rows, cutoff) {
        out.entry(lookup.clone()).or_insert_with(|| ChosenLine {
            player_lookup: lookup,
            player_name: r.player_name.clone(),
            line: r.line,
            bookmaker: r.bookmaker.clone(),
            snapshot_time: r.snapshot_time.clone(),
            over_price: r.over_price,
            under_price: r.under_price,
        });
    }
    out
}

/// Per player lookup with lines from two books or more: the chosen book's line minus the mean
/// of the other books' latest lines (same cut-off). Positive: his book is above the market.
pub fn line_vs_other_books(rows: &[PropLineRow], cutoff: Option<&str>) -> BTreeMap<String, f64> {
    let mut by_player: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for ((lookup, _), r) in latest_by_book(rows, cutoff) {
        by_player.entry(lookup).or_default().push(r.line);
    }
    by_player
        .into_iter()
        .filter(|(_, lines)| lines.len() >= 2)
        .map(|(lookup, lines)| {
            let others = &lines[1..];
            let mean = others.iter().sum::<f64>() / others.len() as f64;
            (lookup, lines[0] - mean)
        })
        .collect()
}

/// The first line a bookmaker posted for a player (at or before the cut-off and before his
/// tip-off): where the line opened, to measure its movement.
pub fn opening_line(
    rows: &[PropLineRow],
    player_lookup: &str,
    bookmaker: &str,
    cutoff: Option<&str>,
) -> Option<f64> {
    rows.iter()
        .filter(|r| r.player_lookup == player_lookup && r.bookmaker == bookmaker)
        .filter(|r| !after_tipoff(r) && refusal(r).is_none())
        .filter(|r| cutoff.is_none_or(|c| !later(&r.snapshot_time, c)))
        .min_by(|a, b| time_order(&a.snapshot_time).cmp(&time_order(&b.snapshot_time)))
        .map(|r| r.line)
}

/// A game's spread and total as chosen for the context tables.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GameOdds {
    /// The home team's handicap (negative: home favoured).
    pub home_spread: Option<f64>,
    pub total: Option<f64>,
}

/// A market value found for a game: (book rank, snapshot time, point).
type Candidate = ((usize, String), String, f64);

/// Spread and total per (home, away) tricode pair: each market's latest snapshot before the
/// game's tip-off and at or before `cutoff`, from the first bookmaker in preference order
/// that has it.
pub fn game_odds(
    rows: &[crate::raw::oddsa_game_lines::GameLineRow],
    cutoff: Option<&str>,
) -> BTreeMap<(String, String), GameOdds> {
    // (home, away, market) -> the best (book rank, snapshot, point) seen so far.
    let mut best: BTreeMap<(String, String, &str), Candidate> = BTreeMap::new();
    for r in rows {
        if later(&r.snapshot_time, &r.commence_time)
            || cutoff.is_some_and(|c| later(&r.snapshot_time, c))
        {
            continue;
        }
        let (Some(home), Some(away)) = (
            crate::teams::tricode_of(&r.home_team),
            crate::teams::tricode_of(&r.away_team),
        ) else {
            continue;
        };
        let market = match (r.market.as_str(), r.outcome.as_str()) {
            ("spread", o) if crate::teams::tricode_of(o) == Some(home) => "spread",
            ("total", "Over") => "total",
            _ => continue,
        };
        let key = (home.to_string(), away.to_string(), market);
        let rank = book_rank(&r.bookmaker);
        let better = match best.get(&key) {
            None => true,
            Some((best_rank, best_snap, _)) => {
                rank < *best_rank || (rank == *best_rank && r.snapshot_time > *best_snap)
            }
        };
        if better {
            best.insert(key, (rank, r.snapshot_time.clone(), r.point));
        }
    }
    let mut out: BTreeMap<(String, String), GameOdds> = BTreeMap::new();
    for ((home, away, market), (_, _, point)) in best {
        let e = out.entry((home, away)).or_insert(GameOdds {
            home_spread: None,
            total: None,
        });
        match market {
            "spread" => e.home_spread = Some(point),
            _ => e.total = Some(point),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(book: &str, snapshot: &str, line: f64) -> PropLineRow {
        PropLineRow {
            game_date: "2025-11-28".into(),
            event_id: "e".into(),
            bookmaker: book.into(),
            player_name: "A B".into(),
            player_lookup: "ab".into(),
            snapshot_time: snapshot.into(),
            line,
            over_price: Some(-110),
            under_price: Some(-110),
            commence_time: "2025-11-29T00:30:00Z".into(),
            home_team: "h".into(),
            away_team: "a".into(),
        }
    }

    #[test]
    fn latest_snapshot_of_the_preferred_book_before_the_cutoff() {
        let rows = vec![
            row("betmgm", "2025-11-28T18:00:00Z", 30.5),
            row("fanduel", "2025-11-28T16:00:00Z", 29.5),
            row("draftkings", "2025-11-28T15:00:00Z", 27.5),
            row("draftkings", "2025-11-28T17:00:00Z", 28.5),
        ];
        assert_eq!(current_lines(&rows, None)["ab"].line, 28.5);
        let early = current_lines(&rows, Some("2025-11-28T16:30:00Z"));
        assert_eq!(early["ab"].line, 27.5);
        assert_eq!(early["ab"].bookmaker, "draftkings");
        let only_others = current_lines(&rows[..2], None);
        assert_eq!(only_others["ab"].bookmaker, "fanduel");
    }

    #[test]
    fn a_snapshot_after_tipoff_is_kept_but_never_chosen() {
        let rows = vec![
            row("draftkings", "2025-11-28T17:00:00Z", 28.5),
            // In-game: the game tipped off at 00:30Z and he already has 12.
            row("draftkings", "2025-11-29T01:10:00Z", 19.5),
        ];
        assert!(after_tipoff(&rows[1]) && !after_tipoff(&rows[0]));
        let chosen = current_lines(&rows, None);
        assert_eq!(chosen["ab"].line, 28.5);
        assert_eq!(chosen["ab"].snapshot_time, "2025-11-28T17:00:00Z");
        // Only an in-game snapshot: no line at all.
        assert!(current_lines(&rows[1..], None).is_empty());
    }

    #[test]
    fn a_snapshot_after_the_runs_cut_off_is_not_read() {
        let rows = vec![
            row("draftkings", "2025-11-28T15:00:00Z", 27.5),
            row("fanduel", "2025-11-28T15:00:00Z", 26.5),
            // Taken after the run's cut-off (written with another offset: compared as times).
            row("draftkings", "2025-11-28T12:30:00-05:00", 29.5),
        ];
        let cutoff = Some("2025-11-28T17:01:00Z");
        assert_eq!(current_lines(&rows, cutoff)["ab"].line, 27.5);
        assert_eq!(opening_line(&rows, "ab", "draftkings", cutoff), Some(27.5));
        assert_eq!(line_vs_other_books(&rows, cutoff)["ab"], 1.0);
        assert_eq!(current_lines(&rows, None)["ab"].line, 29.5);
        assert_eq!(line_vs_other_books(&rows, None)["ab"], 3.0);
        // One book only: no disagreement to speak of.
        assert!(line_vs_other_books(&rows[..1], None).is_empty());
    }

    #[test]
    fn a_refused_snapshot_is_never_chosen() {
        let good = row("draftkings", "2025-11-28T15:00:00Z", 27.5);
        let zero = row("draftkings", "2025-11-28T16:00:00Z", 0.0);
        let mut even = row("draftkings", "2025-11-28T16:20:00Z", 28.5);
        even.over_price = Some(50);
        let mut missing = row("draftkings", "2025-11-28T16:30:00Z", 29.5);
        missing.under_price = None;
        let rows = vec![good, zero, even, missing];
        // The later snapshots are all refused: the earlier good one is chosen.
        assert_eq!(current_lines(&rows, None)["ab"].line, 27.5);
        assert!(current_lines(&rows[1..], None).is_empty());
    }
}
