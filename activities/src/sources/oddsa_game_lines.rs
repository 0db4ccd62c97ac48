//! The Odds API v4: the date's NBA events, then each event's game lines (spreads and totals).
//!
//! Two steps, like [`super::oddsa_player_props`]: `GET /v4/sports/basketball_nba/events`
//! bounded to the Eastern date, then `GET /v4/sports/basketball_nba/events/{id}/odds` with
//! `markets=spreads,totals`. The parser takes the live answer and the historical one (the same
//! object wrapped in `{"timestamp", "data"}`), in American odds (what we ask for) or decimal
//! odds (what the recorded historical samples hold).

use chrono::NaiveDate;

use super::oddsa::{EventOdds, Wrapped};
use super::oddsa_player_props;
use super::{SourceConfig, SourceRequest};

pub const SOURCE: &str = "oddsa_game_lines";
const BOOKMAKERS: &str = "draftkings,fanduel";
const MARKETS: &str = "spreads,totals";

/// The date's events: the same request as the player-props source makes.
pub fn events_request(config: &SourceConfig, date: NaiveDate) -> SourceRequest {
    oddsa_player_props::events_request(config, date)
}

pub fn event_odds_request(config: &SourceConfig, event_id: &str) -> SourceRequest {
    let mut query = vec![
        ("bookmakers".to_string(), BOOKMAKERS.to_string()),
        ("markets".to_string(), MARKETS.to_string()),
        ("oddsFormat".to_string(), "american".to_string()),
        ("regions".to_string(), "us".to_string()),
    ];
    if let Some(key) = &config.odds_api_key {
        query.insert(0, ("apiKey".into(), key.clone()));
    }
    SourceRequest {
        base_url: config.odds_api_url.clone(),
        path: format!("/v4/sports/basketball_nba/events/{event_id}/odds"),
        query,
        request_key: event_id.to_string(),
    }
}

/// Which market a line belongs to. Other markets in an answer (`h2h`) are not kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GameMarket {
    Spread,
    Total,
}

/// A price as the API gave it: American odds (`-110`) or decimal odds (`1.91`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Price {
    American(i64),
    Decimal(f64),
}

impl Price {
    /// Reads a price: a whole number of at least 100 either way is American, a number between
    /// 1 and 100 is decimal (decimal odds of 100 or more do not occur on spreads and totals).
    fn from_number(n: &serde_json::Number) -> Result<Self, String> {
        let v = n
            .as_f64()
            .ok_or_else(|| format!("schema mismatch: price {n} is not a number"))?;
        if v.abs() >= 100.0 && v.fract() == 0.0 {
            Ok(Price::American(v as i64))
        } else if v > 1.0 && v < 100.0 {
            Ok(Price::Decimal(v))
        } else {
            Err(format!(
                "schema mismatch: price {n} is neither American nor decimal odds"
            ))
        }
    }

    /// The price as decimal odds, whichever format it came in.
    pub fn as_decimal(&self) -> f64 {
        match *self {
            Price::Decimal(d) => d,
            Price::American(a) if a > 0 => 1.0 + a as f64 / 100.0,
            Price::American(a) => 1.0 + 100.0 / (-a) as f64,
        }
    }
}

/// One side of one bookmaker's spread or total for one game at one snapshot.
#[derive(Debug, Clone, PartialEq)]
pub struct GameLine {
    pub event_id: String,
    pub commence_time: String,
    pub home_team: String,
    pub away_team: String,
    pub bookmaker: String,
    pub market: GameMarket,
    /// The team (spread) or "Over"/"Under" (total).
    pub outcome: String,
    pub price: Price,
    /// The handicap of that team (spread) or the total points line (total).
    pub point: f64,
    pub last_update: String,
}

/// Parses one event's odds (live or historical) into spread and total lines.
pub fn parse(body: &[u8]) -> Result<Vec<GameLine>, String> {
    let w: Wrapped<EventOdds> = super::http::parse_json(body)?;
    let ev = w.into_inner();
    let mut out = Vec::new();
    for b in &ev.bookmakers {
        for m in &b.markets {
            let market = match m.key.as_str() {
                "spreads" => GameMarket::Spread,
                "totals" => GameMarket::Total,
                _ => continue,
            };
            for o in &m.outcomes {
                if market == GameMarket::Total && o.name != "Over" && o.name != "Under" {
                    return Err(format!(
                        "schema mismatch: totals outcome {:?} in event {} is not Over/Under",
                        o.name, ev.id
                    ));
                }
                let point = o.point.ok_or_else(|| {
                    format!(
                        "schema mismatch: {} outcome {:?} of {} in event {} has no point",
                        m.key, o.name, b.key, ev.id
                    )
                })?;
                out.push(GameLine {
                    event_id: ev.id.clone(),
                    commence_time: ev.commence_time.clone(),
                    home_team: ev.home_team.clone(),
                    away_team: ev.away_team.clone(),
                    bookmaker: b.key.clone(),
                    market,
                    outcome: o.name.clone(),
                    price: Price::from_number(&o.price)?,
                    point,
                    last_update: m.last_update.clone(),
                });
            }
        }
    }
    Ok(out)
}

/// Phase 1: the date's events, then each event's spreads and totals; every body kept.
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
        |b| oddsa_player_props::parse_events(b).map(|e| e.len()),
    )
    .await?;
    let events = oddsa_player_props::parse_events(&body).map_err(crate::PipelineError::Internal)?;
    let mut payloads = vec![events_ref];
    let mut lines = 0usize;
    for ev in &events {
        let req = event_odds_request(config, &ev.id);
        let body = deps.sources.get(SOURCE, date, &req).await?;
        let (p, n) =
            super::http::keep_payload(&deps.raw, &deps.warehouse, SOURCE, date, &req, body, |b| {
                parse(b).map(|l| l.len())
            })
            .await?;
        payloads.push(p);
        lines += n;
    }
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

    const FOLDERS: &[&str] = &[
        "oddsa_game_lines_his",
        "odds_api_historical_game_lines",
        "oddsa_player_props_his",
    ];

    fn sample_files(folder: &str) -> Vec<std::path::PathBuf> {
        let dir = format!("../../shared/data/samples/{folder}");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{dir}: {e}"))
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "{dir} is empty");
        files
    }

    #[test]
    fn every_recorded_event_odds_file_parses() {
        for folder in FOLDERS {
            for path in sample_files(folder) {
                let body = std::fs::read(&path).unwrap();
                let lines = parse(&body).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                for l in &lines {
                    assert_eq!(l.event_id.len(), 32, "{}", path.display());
                    assert!(l.commence_time.ends_with('Z'));
                    assert!(l.price.as_decimal() > 1.0);
                    match l.market {
                        GameMarket::Total => {
                            assert!(l.point > 150.0 && l.point < 300.0, "{l:?}");
                            assert!(l.outcome == "Over" || l.outcome == "Under");
                        }
                        GameMarket::Spread => {
                            assert!(l.point.abs() < 40.0, "{l:?}");
                            assert!(l.outcome == l.home_team || l.outcome == l.away_team);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn recorded_spreads_and_totals_read_as_decimal_prices() {
        let body =
            std::fs::read("../../shared/data/samples/oddsa_game_lines_his/raw_b722994c.json")
                .unwrap();
        let lines = parse(&body).unwrap();
        assert_eq!(lines.len(), 8);
        let dk_hawks = &lines[0];
        assert_eq!(dk_hawks.event_id, "cd0bc7d0c238f4446ce1c03d0cea7ec4");
        assert_eq!(dk_hawks.commence_time, "2024-01-25T03:20:30Z");
        assert_eq!(dk_hawks.home_team, "Golden State Warriors");
        assert_eq!(dk_hawks.away_team, "Atlanta Hawks");
        assert_eq!(dk_hawks.bookmaker, "draftkings");
        assert_eq!(dk_hawks.market, GameMarket::Spread);
        assert_eq!(dk_hawks.outcome, "Atlanta Hawks");
        assert_eq!(dk_hawks.price, Price::Decimal(1.91));
        assert_eq!(dk_hawks.point, 6.5);
        assert_eq!(dk_hawks.last_update, "2024-01-25T03:55:22Z");
        let fd_under = lines
            .iter()
            .find(|l| l.bookmaker == "fanduel" && l.outcome == "Under")
            .unwrap();
        assert_eq!(fd_under.market, GameMarket::Total);
        assert_eq!(fd_under.point, 247.5);
        assert_eq!(fd_under.price, Price::Decimal(1.88));
    }

    #[test]
    fn moneyline_only_answers_hold_no_game_lines() {
        // This recording asked for `h2h`: no spreads or totals in it.
        let body = std::fs::read(
            "../../shared/data/samples/odds_api_historical_game_lines/raw_9221b91f.json",
        )
        .unwrap();
        assert_eq!(parse(&body).unwrap(), vec![]);
    }

    #[test]
    fn live_answers_carry_american_prices() {
        let body = br#"{"id":"e1","commence_time":"2025-11-29T00:30:00Z","home_team":"Boston Celtics","away_team":"New York Knicks","bookmakers":[{"key":"fanduel","markets":[{"key":"spreads","last_update":"2025-11-28T16:00:00Z","outcomes":[{"name":"Boston Celtics","price":-112,"point":-4.5},{"name":"New York Knicks","price":100,"point":4.5}]},{"key":"totals","last_update":"2025-11-28T16:00:00Z","outcomes":[{"name":"Over","price":-110.0,"point":228.5},{"name":"Under","price":-110,"point":228.5}]}]}]}"#;
        let lines = parse(body).unwrap();
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[0].price, Price::American(-112));
        assert_eq!(lines[0].point, -4.5);
        assert_eq!(lines[1].price, Price::American(100));
        assert_eq!(lines[1].price.as_decimal(), 2.0);
        assert_eq!(lines[2].price, Price::American(-110));
        assert_eq!(lines[2].market, GameMarket::Total);
    }

    #[test]
    fn schema_drift_is_named() {
        let no_home = br#"{"id":"e1","commence_time":"t","away_team":"A","bookmakers":[]}"#;
        assert!(parse(no_home).unwrap_err().contains("schema mismatch"));
        let no_point = br#"{"id":"e1","commence_time":"t","home_team":"H","away_team":"A","bookmakers":[{"key":"fanduel","markets":[{"key":"spreads","last_update":"t","outcomes":[{"name":"H","price":-110}]}]}]}"#;
        let err = parse(no_point).unwrap_err();
        assert!(
            err.contains("schema mismatch") && err.contains("no point"),
            "{err}"
        );
        let bad_price = br#"{"id":"e1","commence_time":"t","home_team":"H","away_team":"A","bookmakers":[{"key":"fanduel","markets":[{"key":"totals","last_update":"t","outcomes":[{"name":"Over","price":0.5,"point":220.5}]}]}]}"#;
        assert!(parse(bad_price).unwrap_err().contains("schema mismatch"));
    }

    #[test]
    fn html_and_empty_answers() {
        assert!(parse(b"<!DOCTYPE html><html>")
            .unwrap_err()
            .contains("HTML"));
        assert_eq!(parse(b"").unwrap_err(), "empty body");
        let no_books = br#"{"timestamp":"2024-01-25T03:55:40Z","data":{"id":"e1","commence_time":"t","home_team":"H","away_team":"A","bookmakers":[]}}"#;
        assert_eq!(parse(no_books).unwrap(), vec![]);
    }

    #[test]
    fn asks_for_spreads_and_totals_with_the_key() {
        let mut config = SourceConfig::live();
        config.odds_api_key = Some("K".into());
        let req = event_odds_request(&config, "abc");
        assert_eq!(req.path, "/v4/sports/basketball_nba/events/abc/odds");
        assert!(req.url().contains("markets=spreads%2Ctotals"));
        assert!(req.url().contains("apiKey=K"));
        assert!(!req.display_url().contains("=K"));
        assert_eq!(req.request_key, "abc");
    }
}
