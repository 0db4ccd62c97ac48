//! `raw_bp_player_props`: every BettingPros player-points line snapshot of a date: one row per
//! event, book, player, line (books list alternates beside the main line) and update time.
//!
//! The source keeps the date's events list (request key `events`) and one offers payload per
//! event (`offers-{event_id}`), scraped again through the day. The partition is rebuilt from
//! every offers payload kept for the date, so no snapshot is lost; the newest events list adds
//! each event's teams and tip-off.
//!
//! No recorded offers answer exists (see `sources::bp_player_props`): the tests run on the
//! recorded events and the source's hand-written offers body.

use std::collections::BTreeMap;

use nbaprops_proto::{ProcessorRequest, ProcessorResult};

use super::Keep;
use crate::error::Result;
use crate::names::player_lookup;
use crate::sources::bp_player_props::{self, BpEvent, BpPointsLine};
use crate::storage::warehouse::WriteMeta;
use crate::Deps;

pub const NAME: &str = "raw_bp_player_props";

crate::warehouse_table! {
    pub struct BpPropRow in "raw_bp_player_props" {
        partition: game_date,
        key: [event_id, book_id, bp_player_id, line, snapshot_time],
        entities: [(player_lookup, Player)],
        mode: Replace,
    } {
        game_date: String,
        event_id: i64,
        book_id: i64,
        bp_player_id: String,
        line: f64,
        snapshot_time: String,
        player_name: String,
        player_lookup: String,
        team: Option<String>,
        over_price: Option<i64>,
        under_price: Option<i64>,
        main: i64,
        home_team: Option<String>,
        away_team: Option<String>,
        scheduled_utc: Option<String>,
    }
}

/// The event id an offers payload was requested for (`offers-20879`).
pub fn event_of_request_key(request_key: &str) -> Option<i64> {
    request_key.strip_prefix("offers-")?.parse().ok()
}

/// Rows of every offers payload: `(event id from the request key, lines)`, oldest first. A
/// line without an event id in the answer takes the request's; one with neither is skipped with
/// a warning. The same (event, book, player, line, update time) seen twice is one row, the
/// newest reading winning.
pub fn transform(
    events: &[BpEvent],
    offers: Vec<(Option<i64>, Vec<BpPointsLine>)>,
    date: &str,
) -> (Vec<BpPropRow>, Vec<String>) {
    let events: BTreeMap<i64, &BpEvent> = events.iter().map(|e| (e.event_id, e)).collect();
    let mut warnings = Vec::new();
    let mut by_key: BTreeMap<(i64, i64, String, String, String), BpPropRow> = BTreeMap::new();
    for (requested_event, lines) in offers {
        for l in lines {
            let Some(event_id) = l.event_id.or(requested_event) else {
                warnings.push(format!(
                    "{} (book {}, line {}): no event id: skipped",
                    l.player_name, l.book_id, l.line
                ));
                continue;
            };
            let ev = events.get(&event_id);
            let snapshot_time = l.updated.unwrap_or_default();
            let key = (
                event_id,
                l.book_id,
                l.player_id.clone(),
                l.line.to_string(),
                snapshot_time.clone(),
            );
            by_key.insert(
                key,
                BpPropRow {
                    game_date: date.to_string(),
                    event_id,
                    book_id: l.book_id,
                    player_lookup: player_lookup(&l.player_name),
                    bp_player_id: l.player_id,
                    line: l.line,
                    snapshot_time,
                    player_name: l.player_name,
                    team: l.team,
                    over_price: l.over_price,
                    under_price: l.under_price,
                    main: l.main as i64,
                    home_team: ev.map(|e| e.home_team.clone()),
                    away_team: ev.map(|e| e.away_team.clone()),
                    scheduled_utc: ev.map(|e| e.scheduled_utc.clone()),
                },
            );
        }
    }
    (by_key.into_values().collect(), warnings)
}

pub async fn run(
    deps: &Deps,
    req: &ProcessorRequest,
    date: &str,
    meta: &WriteMeta,
) -> Result<ProcessorResult> {
    let payloads =
        super::payloads_for(deps, req, bp_player_props::SOURCE, date, Keep::Every).await?;
    let (event_lists, offers): (Vec<_>, Vec<_>) = payloads
        .iter()
        .cloned()
        .partition(|p| p.request_key == "events");
    // The newest events list names the teams (payloads are oldest first).
    let events = match event_lists.last() {
        Some(p) => super::load_all(deps, std::slice::from_ref(p), bp_player_props::parse_events)
            .await?
            .pop()
            .map(|(_, e)| e)
            .unwrap_or_default(),
        None => vec![],
    };
    let loaded = super::load_all(deps, &offers, bp_player_props::parse_offers).await?;
    let read = loaded.iter().map(|(_, l)| l.len()).sum();
    let offers = loaded
        .into_iter()
        .map(|(p, lines)| (event_of_request_key(&p.request_key), lines))
        .collect();
    let (rows, warnings) = transform(&events, offers, date);
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

    const EVENTS: &str = "samples/bp_events/raw_75470647.json";
    /// The source's hand-written offers body (no recorded one exists).
    const OFFERS: &[u8] = br#"{"offers":[{"event_id":20879,"market_id":156,"participants":[{"id":"3473","name":"Trae Young","player":{"team":"ATL","position":"G"}}],"selections":[{"selection":"over","label":"Over","books":[{"id":12,"lines":[{"line":25.5,"cost":-115,"main":true,"active":true,"updated":"2021-10-21 16:00:00"},{"line":27.5,"cost":120,"main":false,"active":true}]},{"id":10,"lines":[{"line":null,"cost":null}]}]},{"selection":"under","label":"Under","books":[{"id":12,"lines":[{"line":25.5,"cost":-105,"main":true,"active":true,"updated":"2021-10-21 16:05:00"},{"line":27.5,"cost":-150,"main":false,"active":false}]}]}]}],"_pagination":{"page":1,"total_pages":1}}"#;

    #[test]
    fn lines_get_their_events_teams_from_every_recorded_events_list() {
        for (path, body) in t::sample_files("bp_events") {
            let events = bp_player_props::parse_events(&body).unwrap();
            let offers = bp_player_props::parse_offers(OFFERS).unwrap();
            let (rows, warnings) = transform(&events, vec![(Some(20879), offers)], "2021-10-21");
            assert!(warnings.is_empty(), "{path}");
            assert_eq!(rows.len(), 2, "{path}");
            let main = rows.iter().find(|r| r.line == 25.5).unwrap();
            assert_eq!((main.event_id, main.book_id), (20879, 12));
            assert_eq!(
                (main.bp_player_id.as_str(), main.player_lookup.as_str()),
                ("3473", "traeyoung")
            );
            assert_eq!(
                (main.over_price, main.under_price, main.main),
                (Some(-115), Some(-105), 1)
            );
            assert_eq!(main.snapshot_time, "2021-10-21 16:05:00");
            assert_eq!(main.home_team.as_deref(), Some("ATL"));
            assert_eq!(main.away_team.as_deref(), Some("DAL"));
            assert!(main
                .scheduled_utc
                .as_deref()
                .unwrap()
                .starts_with("2021-10-21T23:30:00"));
            let alt = rows.iter().find(|r| r.line == 27.5).unwrap();
            assert_eq!(
                (alt.over_price, alt.under_price, alt.main),
                (Some(120), None, 0)
            );
            assert_eq!(alt.snapshot_time, "");
        }
    }

    #[test]
    fn a_line_takes_the_requests_event_id_or_is_skipped() {
        let body = String::from_utf8(OFFERS.to_vec())
            .unwrap()
            .replace("\"event_id\":20879,", "");
        let offers = bp_player_props::parse_offers(body.as_bytes()).unwrap();
        let (rows, _) = transform(
            &[],
            vec![(event_of_request_key("offers-20880"), offers.clone())],
            "2021-10-21",
        );
        assert!(rows
            .iter()
            .all(|r| r.event_id == 20880 && r.home_team.is_none()));
        let (rows, warnings) = transform(&[], vec![(None, offers)], "2021-10-21");
        assert!(rows.is_empty());
        assert_eq!(warnings.len(), 2);
    }

    #[tokio::test]
    async fn every_snapshot_is_kept_and_a_rerun_changes_nothing() {
        let (_d, deps) = t::temp_deps().await;
        let date = "2021-10-21";
        let src = bp_player_props::SOURCE;
        let events = t::keep(
            &deps,
            src,
            date,
            "events",
            t::sample(EVENTS),
            "2021-10-21T15:00:00Z",
        )
        .await;
        let morning = t::keep(
            &deps,
            src,
            date,
            "offers-20879",
            OFFERS.to_vec(),
            "2021-10-21T15:00:01Z",
        )
        .await;
        let moved = String::from_utf8(OFFERS.to_vec())
            .unwrap()
            .replace("\"cost\":-115", "\"cost\":-125")
            .replace("2021-10-21 16:05:00", "2021-10-21 18:00:00");
        let afternoon = t::keep(
            &deps,
            src,
            date,
            "offers-20879",
            moved.into_bytes(),
            "2021-10-21T18:00:01Z",
        )
        .await;
        let req = t::request(NAME, date, vec![events, afternoon]);
        let first = run(&deps, &req, date, &t::meta()).await.unwrap();
        let again = run(&deps, &req, date, &t::meta()).await.unwrap();
        // Morning: main and alternate; afternoon: a new main snapshot (the alternate is the same).
        t::assert_idempotent(&first, &again, 3);
        let _ = morning;
    }
}
