//! `raw_historical_points_lines`: real sportsbook `player_points` lines imported from the
//! historical CSVs (`nbaprops import`), every snapshot kept: one row per event, bookmaker,
//! player (normalized with [`player_lookup`]) and snapshot time.

use std::collections::BTreeMap;

use nbaprops_proto::{ProcessorRequest, ProcessorResult};

use crate::error::Result;
use crate::names::player_lookup;
use crate::sources::historical_import::{HistoryKind, HistoryRow, PointsLineRow};
use crate::storage::warehouse::WriteMeta;
use crate::Deps;

pub const NAME: &str = "raw_historical_points_lines";
pub const SOURCE: &str = "historical_points_lines";

crate::warehouse_table! {
    pub struct HistPointsLineRow in "raw_historical_points_lines" {
        partition: game_date,
        key: [event_id, bookmaker, player_lookup, snapshot_time],
        entities: [(player_lookup, Player)],
        mode: Replace,
    } {
        game_date: String,
        event_id: String,
        bookmaker: String,
        player_lookup: String,
        snapshot_time: String,
        player_name: String,
        commence_time: String,
        game: String,
        market: String,
        line: f64,
        over_price: Option<i64>,
        under_price: Option<i64>,
    }
}

/// Rows of the date's snapshots. Only `player_points` lines are kept (a row of another market
/// is skipped with a warning); the same (event, book, player, snapshot) twice is one row.
pub fn transform(lines: Vec<PointsLineRow>, date: &str) -> (Vec<HistPointsLineRow>, Vec<String>) {
    let mut warnings = Vec::new();
    let mut by_key = BTreeMap::new();
    for l in lines {
        if l.game_date_et != date {
            warnings.push(format!(
                "{} line is dated {}: skipped",
                l.player, l.game_date_et
            ));
            continue;
        }
        if l.market != "player_points" {
            warnings.push(format!("{} line of market {}: skipped", l.player, l.market));
            continue;
        }
        // Kept in the raw table; never chosen as a line (crate::lines).
        if let Some(why) = crate::line_checks::refusal_of(l.line, l.over_odds, l.under_odds) {
            warnings.push(crate::line_checks::refused_warning(
                &l.player,
                &l.bookmaker,
                &l.snapshot_time_utc,
                &why,
            ));
        }
        let lookup = player_lookup(&l.player);
        by_key.insert(
            (
                l.event_id.clone(),
                l.bookmaker.clone(),
                lookup.clone(),
                l.snapshot_time_utc.clone(),
            ),
            HistPointsLineRow {
                game_date: date.to_string(),
                event_id: l.event_id,
                bookmaker: l.bookmaker,
                player_lookup: lookup,
                snapshot_time: l.snapshot_time_utc,
                player_name: l.player,
                commence_time: l.commence_time_utc,
                game: l.game,
                market: l.market,
                line: l.line,
                over_price: l.over_odds,
                under_price: l.under_odds,
            },
        );
    }
    (by_key.into_values().collect(), warnings)
}

pub async fn run(
    deps: &Deps,
    req: &ProcessorRequest,
    date: &str,
    meta: &WriteMeta,
) -> Result<ProcessorResult> {
    let (payloads, rows) =
        super::historical_rows(deps, req, HistoryKind::PointsLines, date).await?;
    let read = rows.len();
    let lines = rows
        .into_iter()
        .filter_map(|r| match r {
            HistoryRow::PointsLine(l) => Some(l),
            _ => None,
        })
        .collect();
    let (rows, warnings) = transform(lines, date);
    let stats = deps
        .warehouse
        .write_partition(date, None, &rows, meta)
        .await?;
    Ok(crate::result::processor_result(
        NAME,
        date,
        read,
        super::payloads_hash(&payloads),
        stats,
        warnings,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raw::test_support as t;
    use crate::sources::historical_import;

    const FILE: &str = "history/points_lines_2025_26_through_2025-11-07.csv";

    fn lines_on(date: &str) -> Vec<PointsLineRow> {
        let parsed = historical_import::parse(&t::sample(FILE)).unwrap();
        parsed.by_date[date]
            .0
            .iter()
            .map(|r| match r {
                HistoryRow::PointsLine(l) => l.clone(),
                other => panic!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn one_date_of_the_lines_file() {
        assert_eq!(HistoryKind::PointsLines.source(), SOURCE);
        let (rows, warnings) = transform(lines_on("2025-10-21"), "2025-10-21");
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(rows.len(), lines_on("2025-10-21").len());
        let dk = rows
            .iter()
            .find(|r| r.player_lookup == "aaronwiggins" && r.bookmaker == "draftkings")
            .unwrap();
        assert_eq!(dk.event_id, "bbde7751a144b98ed150d7a5f7dc8f87");
        assert_eq!(dk.snapshot_time, "2025-10-21T17:00:00Z");
        assert_eq!(dk.commence_time, "2025-10-21T23:35:00Z");
        assert_eq!(dk.game, "Houston Rockets @ Oklahoma City Thunder");
        assert_eq!(
            (dk.line, dk.over_price, dk.under_price),
            (11.5, Some(-129), Some(101))
        );
        let fd = rows
            .iter()
            .find(|r| r.player_lookup == "aaronwiggins" && r.bookmaker == "fanduel")
            .unwrap();
        assert_eq!((fd.over_price, fd.under_price), (Some(-125), Some(-106)));
        assert_eq!(transform(lines_on("2025-11-01"), "2025-11-01").0.len(), 167);
    }

    #[test]
    fn a_later_snapshot_adds_a_row() {
        let mut lines = lines_on("2025-10-21");
        let mut later = lines[0].clone();
        later.snapshot_time_utc = "2025-10-21T22:00:00Z".into();
        later.line += 1.0;
        let n = lines.len();
        lines.push(later);
        let (rows, _) = transform(lines, "2025-10-21");
        assert_eq!(rows.len(), n + 1);
    }

    #[tokio::test]
    async fn an_imported_file_is_processed_from_the_raw_store_idempotently() {
        let (_d, deps) = t::temp_deps().await;
        historical_import::import_file(
            &deps,
            std::path::Path::new(&format!("../../shared/data/{FILE}")),
        )
        .await
        .unwrap();
        let date = "2025-11-01";
        let req = t::request(NAME, date, vec![]);
        let first = run(&deps, &req, date, &t::meta()).await.unwrap();
        let again = run(&deps, &req, date, &t::meta()).await.unwrap();
        t::assert_idempotent(&first, &again, 167);
    }
}
