//! `raw_oddsa_player_props`: every player_points line snapshot of a date.
//!
//! Lines move during the day and each scrape keeps a new payload, so the partition is rebuilt
//! from every payload of the date kept so far, not only the latest: no snapshot is ever lost.

use std::collections::BTreeMap;

use nbaprops_proto::{ProcessorRequest, ProcessorResult, RawPayloadRef};

use crate::error::Result;
use crate::names::player_lookup;
use crate::sources::oddsa_player_props::{self, PointsLine};
use crate::storage::warehouse::WriteMeta;
use crate::Deps;

pub const NAME: &str = "raw_oddsa_player_props";

crate::warehouse_table! {
    pub struct PropLineRow in "raw_oddsa_player_props" {
        partition: game_date,
        key: [event_id, bookmaker, player_lookup, snapshot_time],
        entities: [(player_lookup, Player)],
        mode: Replace,
    } {
        game_date: String,
        event_id: String,
        bookmaker: String,
        player_name: String,
        player_lookup: String,
        snapshot_time: String,
        line: f64,
        over_price: Option<i64>,
        under_price: Option<i64>,
        commence_time: String,
        home_team: String,
        away_team: String,
    }
}

/// Rows from every snapshot, one per (event, book, player, snapshot time).
pub fn transform(lines: Vec<PointsLine>, date: &str) -> Vec<PropLineRow> {
    let mut by_key: BTreeMap<(String, String, String, String), PropLineRow> = BTreeMap::new();
    for l in lines {
        let lookup = player_lookup(&l.player_name);
        let key = (
            l.event_id.clone(),
            l.bookmaker.clone(),
            lookup.clone(),
            l.snapshot_time.clone(),
        );
        by_key.insert(
            key,
            PropLineRow {
                game_date: date.to_string(),
                event_id: l.event_id,
                bookmaker: l.bookmaker,
                player_name: l.player_name,
                player_lookup: lookup,
                snapshot_time: l.snapshot_time,
                line: l.line,
                over_price: l.over_price,
                under_price: l.under_price,
                commence_time: l.commence_time,
                home_team: l.home_team,
                away_team: l.away_team,
            },
        );
    }
    by_key.into_values().collect()
}

/// A warning per snapshot that fails [`crate::line_checks`], naming player, book and snapshot.
pub fn refused_lines(rows: &[PropLineRow]) -> Vec<String> {
    use crate::line_checks::{refusal_of, refused_warning};
    rows.iter()
        .filter_map(|r| {
            refusal_of(r.line, r.over_price, r.under_price)
                .map(|why| refused_warning(&r.player_name, &r.bookmaker, &r.snapshot_time, &why))
        })
        .collect()
}

/// Every odds payload kept for the date (the events lists are not odds).
async fn all_payloads(
    deps: &Deps,
    req: &ProcessorRequest,
    date: &str,
) -> Result<Vec<RawPayloadRef>> {
    let mut refs = super::payloads_for(
        deps,
        req,
        oddsa_player_props::SOURCE,
        date,
        super::Keep::Every,
    )
    .await?;
    refs.retain(|r| !r.request_key.starts_with("events"));
    refs.sort_by(|a, b| a.object_key.cmp(&b.object_key));
    Ok(refs)
}

pub async fn run(
    deps: &Deps,
    req: &ProcessorRequest,
    date: &str,
    meta: &WriteMeta,
) -> Result<ProcessorResult> {
    let payloads = all_payloads(deps, req, date).await?;
    let mut lines = Vec::new();
    for p in &payloads {
        let body = deps.raw.get(&p.object_key).await?;
        lines.extend(super::reparse(
            oddsa_player_props::parse_event_odds(&body),
            p,
        )?);
    }
    let read = lines.len();
    let rows = transform(lines, date);
    // Kept, so the raw table holds what the book sent; never chosen as a line (crate::lines).
    let warnings = refused_lines(&rows);
    let stats = deps
        .warehouse
        .write_partition(date, None, &rows, meta)
        .await?;
    let refs: Vec<&RawPayloadRef> = payloads.iter().collect();
    Ok(crate::result::processor_result(
        NAME,
        date,
        read,
        super::payload_hash(&refs),
        stats,
        warnings,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(player: &str, book: &str, snapshot: &str, point: f64) -> PointsLine {
        PointsLine {
            event_id: "e1".into(),
            commence_time: "2025-11-29T00:30:00Z".into(),
            home_team: "Boston Celtics".into(),
            away_team: "New York Knicks".into(),
            bookmaker: book.into(),
            player_name: player.into(),
            snapshot_time: snapshot.into(),
            line: point,
            over_price: Some(-110),
            under_price: Some(-110),
        }
    }

    #[test]
    fn keeps_every_snapshot_and_dedupes_repeats() {
        let rows = transform(
            vec![
                line("Nikola Jokić", "draftkings", "2025-11-28T15:00:00Z", 27.5),
                line("Nikola Jokic", "draftkings", "2025-11-28T15:00:00Z", 27.5),
                line("Nikola Jokić", "draftkings", "2025-11-28T17:00:00Z", 28.5),
                line("Nikola Jokić", "fanduel", "2025-11-28T15:00:00Z", 27.5),
            ],
            "2025-11-28",
        );
        assert_eq!(rows.len(), 3);
        assert!(rows.iter().all(|r| r.player_lookup == "nikolajokic"));
    }

    #[test]
    fn absurd_snapshots_are_kept_and_named() {
        let mut odd = line("Zero Line", "fanduel", "2025-11-28T16:00:00Z", 0.0);
        odd.over_price = Some(50);
        let rows = transform(
            vec![
                line("Nikola Jokić", "draftkings", "2025-11-28T15:00:00Z", 27.5),
                odd,
            ],
            "2025-11-28",
        );
        // Both stored: the raw table holds what the book sent.
        assert_eq!(rows.len(), 2);
        let refused = refused_lines(&rows);
        assert_eq!(
            refused,
            vec![
                "line snapshot refused: Zero Line from fanduel at 2025-11-28T16:00:00Z: line 0 \
                 outside 0-80"
                    .to_string()
            ]
        );
    }
}
