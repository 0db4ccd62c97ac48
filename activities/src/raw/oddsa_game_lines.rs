//! `raw_oddsa_game_lines`: every spread and total snapshot of a date from The Odds API, one row
//! per outcome (a spread's team, a total's Over or Under) of one bookmaker's market at one
//! snapshot (the market's `last_update`).
//!
//! Lines move during the day and each scrape keeps new payloads, so the partition is rebuilt
//! from every event-odds payload kept for the date (the events lists are not odds).

use std::collections::BTreeMap;

use nbaprops_proto::{ProcessorRequest, ProcessorResult};

use super::Keep;
use crate::error::Result;
use crate::sources::oddsa_game_lines::{self, GameLine, GameMarket, Price};
use crate::storage::warehouse::WriteMeta;
use crate::Deps;

pub const NAME: &str = "raw_oddsa_game_lines";

crate::warehouse_table! {
    pub struct GameLineRow in "raw_oddsa_game_lines" {
        partition: game_date,
        key: [event_id, bookmaker, market, outcome, snapshot_time],
        entities: [],
        mode: Replace,
    } {
        game_date: String,
        event_id: String,
        bookmaker: String,
        market: String,
        outcome: String,
        snapshot_time: String,
        point: f64,
        price_american: Option<i64>,
        price_decimal: f64,
        commence_time: String,
        home_team: String,
        away_team: String,
    }
}

fn market_name(m: GameMarket) -> &'static str {
    match m {
        GameMarket::Spread => "spread",
        GameMarket::Total => "total",
    }
}

/// Rows of every snapshot; a snapshot seen in two payloads is one row.
pub fn transform(lines: Vec<GameLine>, date: &str) -> Vec<GameLineRow> {
    let mut by_key: BTreeMap<(String, String, String, String, String), GameLineRow> =
        BTreeMap::new();
    for l in lines {
        let market = market_name(l.market).to_string();
        let key = (
            l.event_id.clone(),
            l.bookmaker.clone(),
            market.clone(),
            l.outcome.clone(),
            l.last_update.clone(),
        );
        by_key.insert(
            key,
            GameLineRow {
                game_date: date.to_string(),
                event_id: l.event_id,
                bookmaker: l.bookmaker,
                market,
                outcome: l.outcome,
                snapshot_time: l.last_update,
                point: l.point,
                price_american: match l.price {
                    Price::American(a) => Some(a),
                    Price::Decimal(_) => None,
                },
                price_decimal: l.price.as_decimal(),
                commence_time: l.commence_time,
                home_team: l.home_team,
                away_team: l.away_team,
            },
        );
    }
    by_key.into_values().collect()
}

pub async fn run(
    deps: &Deps,
    req: &ProcessorRequest,
    date: &str,
    meta: &WriteMeta,
) -> Result<ProcessorResult> {
    let src = super::RawSource {
        processor: NAME,
        source: oddsa_game_lines::SOURCE,
        keep: Keep::Every,
        newest_only: false,
        skip: |k| k.starts_with("events"),
        parse: oddsa_game_lines::parse,
    };
    super::run_source(deps, req, date, meta, src, |records, date| {
        (transform(records, date), vec![])
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raw::test_support as t;

    const SAMPLE: &str = "samples/oddsa_game_lines_his/raw_b722994c.json";

    #[test]
    fn every_recorded_answer() {
        for folder in [
            "oddsa_game_lines_his",
            "oddsa_player_props_his",
            "odds_api_historical_game_lines",
        ] {
            for (path, body) in t::sample_files(folder) {
                let rows = transform(oddsa_game_lines::parse(&body).unwrap(), "2024-01-24");
                if folder == "odds_api_historical_game_lines" {
                    // Moneylines (h2h) only: no spreads or totals to keep.
                    assert!(rows.is_empty(), "{path}");
                    continue;
                }
                assert_eq!(rows.len(), 8, "{path}");
                let dk_gsw = rows
                    .iter()
                    .find(|r| {
                        r.bookmaker == "draftkings"
                            && r.market == "spread"
                            && r.outcome == "Golden State Warriors"
                    })
                    .unwrap();
                assert_eq!(dk_gsw.point, -6.5);
                assert_eq!((dk_gsw.price_american, dk_gsw.price_decimal), (None, 1.83));
                assert_eq!(dk_gsw.snapshot_time, "2024-01-25T03:55:22Z");
                assert_eq!(dk_gsw.event_id, "cd0bc7d0c238f4446ce1c03d0cea7ec4");
                assert_eq!(dk_gsw.home_team, "Golden State Warriors");
                let fd_under = rows
                    .iter()
                    .find(|r| {
                        r.bookmaker == "fanduel" && r.market == "total" && r.outcome == "Under"
                    })
                    .unwrap();
                assert_eq!((fd_under.point, fd_under.price_decimal), (247.5, 1.88));
                assert_eq!(fd_under.snapshot_time, "2024-01-25T03:55:01Z");
            }
        }
    }

    #[test]
    fn american_prices_keep_both_forms() {
        let body = br#"{"id":"e1","commence_time":"2025-11-29T00:30:00Z","home_team":"Boston Celtics",
            "away_team":"New York Knicks","bookmakers":[{"key":"draftkings","markets":[
            {"key":"totals","last_update":"2025-11-28T15:00:00Z","outcomes":[
            {"name":"Over","price":-110,"point":221.5},{"name":"Under","price":120,"point":221.5}]}]}]}"#;
        let rows = transform(oddsa_game_lines::parse(body).unwrap(), "2025-11-28");
        let over = rows.iter().find(|r| r.outcome == "Over").unwrap();
        assert_eq!(over.price_american, Some(-110));
        assert!((over.price_decimal - (1.0 + 100.0 / 110.0)).abs() < 1e-9);
        let under = rows.iter().find(|r| r.outcome == "Under").unwrap();
        assert_eq!(
            (under.price_american, under.price_decimal),
            (Some(120), 2.2)
        );
    }

    #[tokio::test]
    async fn every_snapshot_is_kept_and_a_rerun_changes_nothing() {
        let (_d, deps) = t::temp_deps().await;
        let date = "2024-01-24";
        let events = t::keep(
            &deps,
            oddsa_game_lines::SOURCE,
            date,
            "events",
            br#"[]"#.to_vec(),
            "2024-01-24T15:00:00Z",
        )
        .await;
        let morning = t::keep(
            &deps,
            oddsa_game_lines::SOURCE,
            date,
            "cd0bc7d0c238f4446ce1c03d0cea7ec4",
            t::sample(SAMPLE),
            "2024-01-24T15:00:01Z",
        )
        .await;
        // A later scrape of the same event: the lines moved.
        let later = String::from_utf8(t::sample(SAMPLE))
            .unwrap()
            .replace("2024-01-25T03:55:22Z", "2024-01-25T04:10:00Z")
            .replace("248.5", "249.5");
        let evening = t::keep(
            &deps,
            oddsa_game_lines::SOURCE,
            date,
            "cd0bc7d0c238f4446ce1c03d0cea7ec4",
            later.into_bytes(),
            "2024-01-25T04:10:05Z",
        )
        .await;
        // This run's request carries only the evening scrape: the morning one comes from the
        // raw_payloads table.
        let req = t::request(NAME, date, vec![events, evening]);
        let first = run(&deps, &req, date, &t::meta()).await.unwrap();
        let again = run(&deps, &req, date, &t::meta()).await.unwrap();
        // 8 morning rows + 4 new DraftKings rows; FanDuel's snapshot did not change.
        t::assert_idempotent(&first, &again, 12);
        let mut totals: Vec<GameLineRow> = deps
            .warehouse
            .rows(
                &crate::storage::Filter::new()
                    .eq("game_date", date)
                    .eq("bookmaker", "draftkings")
                    .eq("market", "total")
                    .eq("outcome", "Over"),
            )
            .await
            .unwrap();
        totals.sort_by(|a, b| a.snapshot_time.cmp(&b.snapshot_time));
        let points: Vec<f64> = totals.iter().map(|r| r.point).collect();
        assert_eq!(points, [248.5, 249.5]);
        let _ = morning;
    }
}
