//! BettingPros: the date's NBA events (with lineups and player status), then each event's
//! player-points offers.
//!
//! Two steps: `GET /v3/events?sport=NBA&date=YYYY-MM-DD&lineups=true`, then
//! `GET /v3/offers?sport=NBA&market_id=156&event_id={id}` (156 is the points market).
//! Event times (`scheduled`) are UTC without a zone ("2021-10-21 23:30:00"); the `date` query is
//! the Eastern date. In the lineups, `participant.player.team` is the player's team when the
//! answer was recorded, not in that game: the side of the lineup gives the game team.

use chrono::{NaiveDate, NaiveDateTime};
use serde::Deserialize;

use super::{SourceConfig, SourceRequest};

pub const SOURCE: &str = "bp_player_props";
/// BettingPros' market id for player points.
pub const POINTS_MARKET_ID: i64 = 156;

pub fn events_request(config: &SourceConfig, date: NaiveDate) -> SourceRequest {
    let q = |k: &str, v: &str| (k.to_string(), v.to_string());
    SourceRequest {
        base_url: config.bettingpros_url.clone(),
        path: "/v3/events".into(),
        query: vec![
            q("sport", "NBA"),
            q("date", &date.format("%Y-%m-%d").to_string()),
            q("lineups", "true"),
        ],
        request_key: "events".into(),
    }
}

pub fn offers_request(config: &SourceConfig, event_id: i64) -> SourceRequest {
    let q = |k: &str, v: &str| (k.to_string(), v.to_string());
    SourceRequest {
        base_url: config.bettingpros_url.clone(),
        path: "/v3/offers".into(),
        query: vec![
            q("sport", "NBA"),
            q("market_id", &POINTS_MARKET_ID.to_string()),
            q("event_id", &event_id.to_string()),
        ],
        request_key: format!("offers-{event_id}"),
    }
}

// ---------------------------------------------------------------------------------------------
// v3/events (recorded: samples/bp_events)

#[derive(Debug, Deserialize)]
struct EventsFile {
    events: Vec<Event>,
}

#[derive(Debug, Deserialize)]
struct Event {
    id: i64,
    scheduled: String,
    status: Option<String>,
    home: String,
    visitor: String,
    lineups: Option<Lineups>,
}

#[derive(Debug, Deserialize)]
struct Lineups {
    home_lineup: Option<Vec<Slot>>,
    away_lineup: Option<Vec<Slot>>,
    home_lineup_type: Option<String>,
    away_lineup_type: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Slot {
    status: String,
    participant: Participant,
}

#[derive(Debug, Deserialize)]
struct Participant {
    id: serde_json::Value,
    name: String,
    player: Option<PlayerInfo>,
}

#[derive(Debug, Deserialize)]
struct PlayerInfo {
    position: Option<String>,
    team: Option<String>,
}

fn id_text(v: &serde_json::Value, what: &str) -> Result<String, String> {
    match v {
        serde_json::Value::String(s) if !s.is_empty() => Ok(s.clone()),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        other => Err(format!("schema mismatch: {what} id {other} is not an id")),
    }
}

/// One BettingPros event of the date.
#[derive(Debug, Clone, PartialEq)]
pub struct BpEvent {
    pub event_id: i64,
    /// Tip-off, RFC 3339 UTC.
    pub scheduled_utc: String,
    /// "scheduled", "closed", ...
    pub status: Option<String>,
    pub home_team: String,
    pub away_team: String,
    /// Empty when the answer has no lineups yet.
    pub lineup: Vec<BpLineupEntry>,
}

/// One player in an event's lineup.
#[derive(Debug, Clone, PartialEq)]
pub struct BpLineupEntry {
    pub is_home: bool,
    /// The team in this game (the event's home or visitor abbreviation).
    pub team: String,
    /// "confirmed" or "projected".
    pub lineup_type: Option<String>,
    /// BettingPros' (FantasyPros') player id.
    pub player_id: String,
    pub player_name: String,
    pub position: Option<String>,
    /// "started", "bench", "did_not_play", ...
    pub status: String,
}

/// Parses the date's events; `{"events":[]}` is a day without games.
pub fn parse_events(body: &[u8]) -> Result<Vec<BpEvent>, String> {
    let file: EventsFile = super::http::parse_json(body)?;
    let mut out = Vec::with_capacity(file.events.len());
    for ev in file.events {
        let scheduled =
            NaiveDateTime::parse_from_str(&ev.scheduled, "%Y-%m-%d %H:%M:%S").map_err(|_| {
                format!(
                    "schema mismatch: event {} scheduled {:?} is not YYYY-MM-DD HH:MM:SS",
                    ev.id, ev.scheduled
                )
            })?;
        let mut lineup = Vec::new();
        if let Some(l) = ev.lineups {
            for (is_home, slots, kind) in [
                (true, l.home_lineup, &l.home_lineup_type),
                (false, l.away_lineup, &l.away_lineup_type),
            ] {
                let team = if is_home { &ev.home } else { &ev.visitor };
                for s in slots.unwrap_or_default() {
                    lineup.push(BpLineupEntry {
                        is_home,
                        team: team.clone(),
                        lineup_type: kind.clone(),
                        player_id: id_text(&s.participant.id, "participant")?,
                        player_name: s.participant.name,
                        // `player.team` is deliberately not used (see the module notes).
                        position: s.participant.player.and_then(|p| p.position),
                        status: s.status,
                    });
                }
            }
        }
        out.push(BpEvent {
            event_id: ev.id,
            scheduled_utc: scheduled.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            status: ev.status,
            home_team: ev.home,
            away_team: ev.visitor,
            lineup,
        });
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// v3/offers: NO RECORDED SAMPLE EXISTS and BettingPros publishes no reference. The shape below is
// the one its public site's API is known to answer with, not verified against a recording:
// `{"offers":[{"event_id", "market_id", "participants":[{"id","name","player":{"team"}}],
// "selections":[{"selection":"over"|"under", "books":[{"id", "lines":[{"line","cost","main",
// "active","updated"}]}]}]}], "_pagination":{...}}`. Everything but the nesting, the player and
// the selection name is optional, and the tests run on a small hand-written body.

#[derive(Debug, Deserialize)]
struct OffersFile {
    offers: Vec<Offer>,
}

#[derive(Debug, Deserialize)]
struct Offer {
    event_id: Option<serde_json::Value>,
    market_id: Option<i64>,
    participants: Vec<OfferParticipant>,
    #[serde(default)]
    selections: Vec<Selection>,
}

#[derive(Debug, Deserialize)]
struct OfferParticipant {
    id: serde_json::Value,
    name: String,
    player: Option<PlayerInfo>,
}

#[derive(Debug, Deserialize)]
struct Selection {
    selection: String,
    #[serde(default)]
    books: Vec<Book>,
}

#[derive(Debug, Deserialize)]
struct Book {
    id: i64,
    #[serde(default)]
    lines: Vec<BookLine>,
}

#[derive(Debug, Deserialize)]
struct BookLine {
    line: Option<f64>,
    cost: Option<f64>,
    main: Option<bool>,
    active: Option<bool>,
    updated: Option<String>,
}

/// One book's points line for one player, Over and Under paired up.
#[derive(Debug, Clone, PartialEq)]
pub struct BpPointsLine {
    pub event_id: Option<i64>,
    pub player_id: String,
    pub player_name: String,
    /// The player's team as BettingPros lists it now.
    pub team: Option<String>,
    /// BettingPros' sportsbook id (0 is its consensus line).
    pub book_id: i64,
    pub line: f64,
    pub over_price: Option<i64>,
    pub under_price: Option<i64>,
    /// The book's main line (books also list alternates).
    pub main: bool,
    pub updated: Option<String>,
}

/// Parses one event's points offers. Lines without a number and inactive lines are skipped;
/// offers of another market are ignored.
pub fn parse_offers(body: &[u8]) -> Result<Vec<BpPointsLine>, String> {
    let file: OffersFile = super::http::parse_json(body)?;
    let mut out: Vec<BpPointsLine> = Vec::new();
    for (i, offer) in file.offers.iter().enumerate() {
        if offer.market_id.is_some_and(|m| m != POINTS_MARKET_ID) {
            continue;
        }
        let who = offer
            .participants
            .first()
            .ok_or_else(|| format!("schema mismatch: offer {i} has no participant"))?;
        let player_id = id_text(&who.id, "participant")?;
        let event_id = match &offer.event_id {
            None | Some(serde_json::Value::Null) => None,
            Some(v) => Some(
                id_text(v, "event")?
                    .parse()
                    .map_err(|_| format!("schema mismatch: offer {i} event id {v}"))?,
            ),
        };
        for sel in &offer.selections {
            let over = match sel.selection.to_ascii_lowercase().as_str() {
                "over" => true,
                "under" => false,
                other => {
                    return Err(format!(
                        "schema mismatch: selection {other:?} in points offer {i}"
                    ))
                }
            };
            for book in &sel.books {
                for l in &book.lines {
                    let Some(line) = l.line else { continue };
                    if l.active == Some(false) {
                        continue;
                    }
                    let price = l.cost.map(|c| c.round() as i64);
                    let existing = out.iter_mut().find(|p| {
                        p.event_id == event_id
                            && p.player_id == player_id
                            && p.book_id == book.id
                            && p.line == line
                    });
                    let entry = match existing {
                        Some(p) => p,
                        None => {
                            out.push(BpPointsLine {
                                event_id,
                                player_id: player_id.clone(),
                                player_name: who.name.clone(),
                                team: who.player.as_ref().and_then(|p| p.team.clone()),
                                book_id: book.id,
                                line,
                                over_price: None,
                                under_price: None,
                                main: false,
                                updated: None,
                            });
                            out.last_mut().expect("just pushed")
                        }
                    };
                    if over {
                        entry.over_price = price;
                    } else {
                        entry.under_price = price;
                    }
                    entry.main |= l.main.unwrap_or(false);
                    if l.updated.is_some() && entry.updated < l.updated {
                        entry.updated = l.updated.clone();
                    }
                }
            }
        }
    }
    Ok(out)
}

/// Phase 1: the date's events, then each event's points offers; every body kept.
/// `records_seen` counts the events and the points lines.
pub async fn fetch(deps: &crate::Deps, date: &str) -> crate::Result<nbaprops_proto::ScrapeResult> {
    let config = &deps.sources.config;
    let events_req = events_request(config, super::parse_date(date)?);
    let body = deps.sources.get(SOURCE, date, &events_req).await?;
    let (events_ref, _) = super::http::keep_payload(
        &deps.raw,
        &deps.warehouse,
        SOURCE,
        date,
        &events_req,
        body.clone(),
        |b| parse_events(b).map(|e| e.len()),
    )
    .await?;
    let events = parse_events(&body).map_err(crate::PipelineError::Internal)?;
    let mut payloads = vec![events_ref];
    let mut records = events.len();
    for ev in &events {
        let req = offers_request(config, ev.event_id);
        let body = deps.sources.get(SOURCE, date, &req).await?;
        let (p, n) =
            super::http::keep_payload(&deps.raw, &deps.warehouse, SOURCE, date, &req, body, |b| {
                parse_offers(b).map(|l| l.len())
            })
            .await?;
        payloads.push(p);
        records += n;
    }
    Ok(nbaprops_proto::ScrapeResult {
        source: SOURCE.to_string(),
        payloads,
        records_seen: records as u32,
        warnings: vec![],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_recorded_events_file_parses() {
        let dir = "../../shared/data/samples/bp_events";
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let events = parse_events(&std::fs::read(&path).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(!events.is_empty(), "{}", path.display());
            for ev in &events {
                assert!(ev.scheduled_utc.ends_with('Z'));
                assert_ne!(ev.home_team, ev.away_team);
                assert_eq!(
                    ev.lineup.iter().filter(|p| p.status == "started").count(),
                    10
                );
                for p in &ev.lineup {
                    assert!(["started", "bench", "did_not_play"].contains(&p.status.as_str()));
                    assert_eq!(
                        &p.team,
                        if p.is_home {
                            &ev.home_team
                        } else {
                            &ev.away_team
                        }
                    );
                }
            }
        }
    }

    #[test]
    fn hand_checked_event() {
        let body = std::fs::read("../../shared/data/samples/bp_events/raw_75470647.json").unwrap();
        let events = parse_events(&body).unwrap();
        assert_eq!(events.len(), 3);
        let ev = &events[0];
        assert_eq!(ev.event_id, 20879);
        assert_eq!(ev.scheduled_utc, "2021-10-21T23:30:00Z");
        assert_eq!(ev.status.as_deref(), Some("closed"));
        assert_eq!(
            (ev.home_team.as_str(), ev.away_team.as_str()),
            ("ATL", "DAL")
        );
        assert_eq!(ev.lineup.len(), 34);
        let trae = &ev.lineup[0];
        assert_eq!(trae.player_id, "3473");
        assert_eq!(trae.player_name, "Trae Young");
        assert_eq!(trae.position.as_deref(), Some("G"));
        assert_eq!(trae.status, "started");
        assert!(trae.is_home);
        assert_eq!(trae.lineup_type.as_deref(), Some("confirmed"));
        // John Collins played for ATL that night; BettingPros now lists him elsewhere.
        let collins = ev
            .lineup
            .iter()
            .find(|p| p.player_name == "John Collins")
            .unwrap();
        assert_eq!(collins.team, "ATL");
        assert_eq!(
            ev.lineup
                .iter()
                .filter(|p| !p.is_home && p.status == "did_not_play")
                .count(),
            4
        );
    }

    #[test]
    fn events_without_lineups_or_games() {
        assert_eq!(parse_events(br#"{"events":[]}"#).unwrap(), vec![]);
        let no_lineups = br#"{"events":[{"id":1,"scheduled":"2025-11-29 00:30:00","status":"scheduled","home":"BOS","visitor":"NYK"}]}"#;
        let events = parse_events(no_lineups).unwrap();
        assert_eq!(events[0].lineup, vec![]);
        assert_eq!(events[0].scheduled_utc, "2025-11-29T00:30:00Z");
    }

    #[test]
    fn events_schema_drift_html_and_empty() {
        let no_home = br#"{"events":[{"id":1,"scheduled":"2025-11-29 00:30:00","visitor":"NYK"}]}"#;
        assert!(parse_events(no_home)
            .unwrap_err()
            .contains("schema mismatch"));
        let bad_time = br#"{"events":[{"id":1,"scheduled":"soon","home":"BOS","visitor":"NYK"}]}"#;
        assert!(parse_events(bad_time)
            .unwrap_err()
            .contains("schema mismatch"));
        assert!(parse_events(b"<html>").unwrap_err().contains("HTML"));
        assert_eq!(parse_events(b"").unwrap_err(), "empty body");
    }

    // No recorded offers answer exists: this hand-written body follows the documented shape.
    const OFFERS: &[u8] = br#"{"offers":[{"event_id":20879,"market_id":156,"participants":[{"id":"3473","name":"Trae Young","player":{"team":"ATL","position":"G"}}],"selections":[{"selection":"over","label":"Over","books":[{"id":12,"lines":[{"line":25.5,"cost":-115,"main":true,"active":true,"updated":"2021-10-21 16:00:00"},{"line":27.5,"cost":120,"main":false,"active":true}]},{"id":10,"lines":[{"line":null,"cost":null}]}]},{"selection":"under","label":"Under","books":[{"id":12,"lines":[{"line":25.5,"cost":-105,"main":true,"active":true,"updated":"2021-10-21 16:05:00"},{"line":27.5,"cost":-150,"main":false,"active":false}]}]}]}],"_pagination":{"page":1,"total_pages":1}}"#;

    #[test]
    fn offers_pair_over_and_under_per_book_and_line() {
        let lines = parse_offers(OFFERS).unwrap();
        assert_eq!(lines.len(), 2);
        let main = &lines[0];
        assert_eq!(main.event_id, Some(20879));
        assert_eq!(main.player_id, "3473");
        assert_eq!(main.player_name, "Trae Young");
        assert_eq!(main.team.as_deref(), Some("ATL"));
        assert_eq!(main.book_id, 12);
        assert_eq!(main.line, 25.5);
        assert_eq!(
            (main.over_price, main.under_price),
            (Some(-115), Some(-105))
        );
        assert!(main.main);
        assert_eq!(main.updated.as_deref(), Some("2021-10-21 16:05:00"));
        let alt = &lines[1];
        assert_eq!(
            (alt.line, alt.over_price, alt.under_price),
            (27.5, Some(120), None)
        );
        assert!(!alt.main);
    }

    #[test]
    fn offers_schema_drift_html_and_empty() {
        assert_eq!(parse_offers(br#"{"offers":[]}"#).unwrap(), vec![]);
        assert!(parse_offers(br#"{"markets":[]}"#)
            .unwrap_err()
            .contains("schema mismatch"));
        let no_player = br#"{"offers":[{"market_id":156,"participants":[],"selections":[]}]}"#;
        assert!(parse_offers(no_player)
            .unwrap_err()
            .contains("schema mismatch"));
        let odd_selection = br#"{"offers":[{"participants":[{"id":1,"name":"A"}],"selections":[{"selection":"yes","books":[]}]}]}"#;
        assert!(parse_offers(odd_selection)
            .unwrap_err()
            .contains("schema mismatch"));
        let other_market = br#"{"offers":[{"market_id":157,"participants":[],"selections":[]}]}"#;
        assert_eq!(parse_offers(other_market).unwrap(), vec![]);
        assert!(parse_offers(b"<!DOCTYPE html>")
            .unwrap_err()
            .contains("HTML"));
    }

    #[test]
    fn requests() {
        let config = SourceConfig::live();
        let d = NaiveDate::from_ymd_opt(2021, 10, 21).unwrap();
        assert_eq!(
            events_request(&config, d).url(),
            "https://api.bettingpros.com/v3/events?sport=NBA&date=2021-10-21&lineups=true"
        );
        let offers = offers_request(&config, 20879);
        assert_eq!(
            offers.url(),
            "https://api.bettingpros.com/v3/offers?sport=NBA&market_id=156&event_id=20879"
        );
        assert_eq!(offers.request_key, "offers-20879");
    }
}
