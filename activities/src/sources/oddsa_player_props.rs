//! The Odds API v4: the date's NBA events, then each event's `player_points` odds.
//!
//! Two steps: `GET /v4/sports/basketball_nba/events` bounded to the Eastern date, then
//! `GET /v4/sports/basketball_nba/events/{id}/odds?markets=player_points`. The parser takes the
//! live answer and the historical one (the same object wrapped in `{"timestamp", "data"}`).

use chrono::{NaiveDate, TimeZone};
use chrono_tz::America::New_York;
use serde::Deserialize;

use super::{SourceConfig, SourceRequest};

pub const SOURCE: &str = "oddsa_player_props";
const BOOKMAKERS: &str = "draftkings,fanduel";

/// The UTC bounds of an Eastern calendar date, as The Odds API wants them.
pub fn et_day_bounds_utc(date: NaiveDate) -> (String, String) {
    let start = New_York
        .from_local_datetime(&date.and_hms_opt(0, 0, 0).expect("midnight"))
        .earliest()
        .expect("midnight exists in New York");
    let next = date.succ_opt().expect("a next day");
    let end = New_York
        .from_local_datetime(&next.and_hms_opt(0, 0, 0).expect("midnight"))
        .earliest()
        .expect("midnight exists in New York");
    let fmt = |t: chrono::DateTime<chrono_tz::Tz>| {
        t.with_timezone(&chrono::Utc)
            .format("%Y-%m-%dT%H:%M:%SZ")
            .to_string()
    };
    (fmt(start), fmt(end))
}

fn with_key(config: &SourceConfig, mut q: Vec<(String, String)>) -> Vec<(String, String)> {
    if let Some(key) = &config.odds_api_key {
        q.insert(0, ("apiKey".into(), key.clone()));
    }
    q
}

pub fn events_request(config: &SourceConfig, date: NaiveDate) -> SourceRequest {
    let (from, to) = et_day_bounds_utc(date);
    SourceRequest {
        base_url: config.odds_api_url.clone(),
        path: "/v4/sports/basketball_nba/events".into(),
        query: with_key(
            config,
            vec![
                ("commenceTimeFrom".into(), from),
                ("commenceTimeTo".into(), to),
            ],
        ),
        request_key: "events".into(),
    }
}

pub fn event_odds_request(config: &SourceConfig, event_id: &str) -> SourceRequest {
    SourceRequest {
        base_url: config.odds_api_url.clone(),
        path: format!("/v4/sports/basketball_nba/events/{event_id}/odds"),
        query: with_key(
            config,
            vec![
                ("bookmakers".into(), BOOKMAKERS.into()),
                ("markets".into(), "player_points".into()),
                ("oddsFormat".into(), "american".into()),
                ("regions".into(), "us".into()),
            ],
        ),
        request_key: event_id.to_string(),
    }
}

/// The historical events endpoint: the date's events as they stood at `snapshot` (UTC RFC
/// 3339), for backfills.
pub fn historical_events_request(
    config: &SourceConfig,
    date: NaiveDate,
    snapshot: &str,
) -> SourceRequest {
    let mut req = events_request(config, date);
    req.path = "/v4/historical/sports/basketball_nba/events".into();
    req.query.push(("date".into(), snapshot.to_string()));
    req.request_key = format!("events@{snapshot}");
    req
}

/// The historical event-odds endpoint: an event's points lines as they stood at `snapshot`.
/// The answer is the live one wrapped in `{"timestamp", "data"}`, which `parse_event_odds`
/// takes as is.
pub fn historical_event_odds_request(
    config: &SourceConfig,
    event_id: &str,
    snapshot: &str,
) -> SourceRequest {
    let mut req = event_odds_request(config, event_id);
    req.path = format!("/v4/historical/sports/basketball_nba/events/{event_id}/odds");
    req.query.push(("date".into(), snapshot.to_string()));
    req.request_key = format!("{event_id}@{snapshot}");
    req
}

#[derive(Debug, Clone, Deserialize)]
pub struct Event {
    pub id: String,
    pub commence_time: String,
    pub home_team: String,
    pub away_team: String,
}

pub fn parse_events(body: &[u8]) -> Result<Vec<Event>, String> {
    let w: super::oddsa::Wrapped<Vec<Event>> = super::http::parse_json(body)?;
    Ok(w.into_inner())
}

/// One bookmaker's points line for one player at one snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct PointsLine {
    pub event_id: String,
    pub commence_time: String,
    pub home_team: String,
    pub away_team: String,
    pub bookmaker: String,
    pub player_name: String,
    pub snapshot_time: String,
    pub line: f64,
    pub over_price: Option<i64>,
    pub under_price: Option<i64>,
}

/// Parses one event's odds into points lines (Over and Under of a player paired up).
pub fn parse_event_odds(body: &[u8]) -> Result<Vec<PointsLine>, String> {
    let w: super::oddsa::Wrapped<super::oddsa::EventOdds> = super::http::parse_json(body)?;
    let ev = w.into_inner();
    let mut out: Vec<PointsLine> = Vec::new();
    for b in &ev.bookmakers {
        for m in b.markets.iter().filter(|m| m.key == "player_points") {
            for o in &m.outcomes {
                let player = o.description.clone().ok_or_else(|| {
                    format!(
                        "schema mismatch: player_points outcome without a player ({})",
                        ev.id
                    )
                })?;
                let point = o.point.ok_or_else(|| {
                    format!("schema mismatch: player_points outcome for {player} has no point")
                })?;
                let price = o.price.as_f64().map(|p| p.round() as i64);
                let existing = out
                    .iter_mut()
                    .find(|l| l.bookmaker == b.key && l.player_name == player && l.line == point);
                let line = match existing {
                    Some(l) => l,
                    None => {
                        out.push(PointsLine {
                            event_id: ev.id.clone(),
                            commence_time: ev.commence_time.clone(),
                            home_team: ev.home_team.clone(),
                            away_team: ev.away_team.clone(),
                            bookmaker: b.key.clone(),
                            player_name: player.clone(),
                            snapshot_time: m.last_update.clone(),
                            line: point,
                            over_price: None,
                            under_price: None,
                        });
                        out.last_mut().expect("just pushed")
                    }
                };
                match o.name.as_str() {
                    "Over" => line.over_price = price,
                    "Under" => line.under_price = price,
                    other => return Err(format!("unknown outcome {other:?} in player_points")),
                }
            }
        }
    }
    Ok(out)
}

/// Phase 1: the date's events, then each event's points odds; every body kept.
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
    let mut lines = 0usize;
    for ev in &events {
        let req = event_odds_request(config, &ev.id);
        let body = deps.sources.get(SOURCE, date, &req).await?;
        let (p, n) =
            super::http::keep_payload(&deps.raw, &deps.warehouse, SOURCE, date, &req, body, |b| {
                parse_event_odds(b).map(|l| l.len())
            })
            .await?;
        payloads.push(p);
        lines += n;
    }
    let kept_at = payloads
        .last()
        .map(|p| p.object_key.clone())
        .unwrap_or_default();
    super::check_not_empty_on_game_day(deps, SOURCE, date, lines, &kept_at).await?;
    Ok(nbaprops_proto::ScrapeResult {
        source: SOURCE.to_string(),
        payloads,
        records_seen: lines as u32,
        warnings: vec![],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eastern_day_bounds_follow_daylight_saving() {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(
            et_day_bounds_utc(d("2025-11-28")),
            ("2025-11-28T05:00:00Z".into(), "2025-11-29T05:00:00Z".into())
        );
        assert_eq!(
            et_day_bounds_utc(d("2025-10-22")),
            ("2025-10-22T04:00:00Z".into(), "2025-10-23T04:00:00Z".into())
        );
    }

    #[test]
    fn parses_recorded_historical_events() {
        for entry in std::fs::read_dir("../../shared/data/samples/oddsa_events_his").unwrap() {
            let body = std::fs::read(entry.unwrap().path()).unwrap();
            let events = parse_events(&body).unwrap();
            assert!(events
                .iter()
                .all(|e| e.id.len() == 32 && e.commence_time.ends_with('Z')));
        }
    }

    #[test]
    fn recorded_game_line_odds_hold_no_points_lines() {
        // The recorded event-odds sample carries spreads and totals only (see shared/data).
        let body =
            std::fs::read("../../shared/data/samples/oddsa_player_props_his/raw_815b3ee3.json")
                .unwrap();
        assert_eq!(parse_event_odds(&body).unwrap(), vec![]);
    }

    #[test]
    fn historical_requests_ask_for_a_snapshot() {
        let c = SourceConfig::live();
        let d = NaiveDate::from_ymd_opt(2025, 11, 28).unwrap();
        let r = historical_event_odds_request(&c, "abc", "2025-11-28T17:00:00Z");
        assert_eq!(
            r.path,
            "/v4/historical/sports/basketball_nba/events/abc/odds"
        );
        assert!(r.display_url().contains("date=2025-11-28T17%3A00%3A00Z"));
        assert!(r.display_url().contains("markets=player_points"));
        let e = historical_events_request(&c, d, "2025-11-28T17:00:00Z");
        assert_eq!(e.path, "/v4/historical/sports/basketball_nba/events");
        assert!(e.query.iter().any(|(k, _)| k == "commenceTimeFrom"));
    }

    #[test]
    fn pairs_over_and_under_per_player() {
        let body = br#"{"id":"e1","commence_time":"2025-11-29T00:30:00Z","home_team":"Boston Celtics","away_team":"New York Knicks","bookmakers":[{"key":"draftkings","last_update":"x","markets":[{"key":"player_points","last_update":"2025-11-28T16:00:00Z","outcomes":[{"name":"Over","description":"Jayson Tatum","price":-115,"point":27.5},{"name":"Under","description":"Jayson Tatum","price":-105,"point":27.5}]}]}]}"#;
        let lines = parse_event_odds(body).unwrap();
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].over_price, Some(-115));
        assert_eq!(lines[0].under_price, Some(-105));
        assert_eq!(lines[0].line, 27.5);
        assert_eq!(lines[0].snapshot_time, "2025-11-28T16:00:00Z");
    }
}
