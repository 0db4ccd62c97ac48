//! ESPN site API scoreboard: `GET /apis/site/v2/sports/basketball/nba/scoreboard?dates=YYYYMMDD`,
//! the games of an (Eastern) date with status and scores. ESPN's team abbreviations are its own
//! (`NY`, `GS`, `NO`, `SA`, `UTAH`, `WSH`), not NBA.com tricodes.

use chrono::{NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::America::New_York;
use serde::Deserialize;

use super::{SourceConfig, SourceRequest};

pub const SOURCE: &str = "espn_scoreboard";

pub fn request(config: &SourceConfig, date: NaiveDate) -> SourceRequest {
    SourceRequest {
        base_url: config.espn_url.clone(),
        path: "/apis/site/v2/sports/basketball/nba/scoreboard".into(),
        query: vec![("dates".into(), date.format("%Y%m%d").to_string())],
        request_key: "all".into(),
    }
}

#[derive(Debug, Deserialize)]
struct Scoreboard {
    events: Vec<Event>,
}

#[derive(Debug, Deserialize)]
struct Event {
    id: String,
    date: String,
    status: Status,
    competitions: Vec<Competition>,
}

#[derive(Debug, Deserialize)]
struct Status {
    #[serde(rename = "type")]
    kind: StatusType,
}

#[derive(Debug, Deserialize)]
struct StatusType {
    name: String,
    state: String,
    completed: bool,
    #[serde(default)]
    detail: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Competition {
    competitors: Vec<Competitor>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Competitor {
    home_away: String,
    team: Team,
    #[serde(default)]
    score: Option<serde_json::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Team {
    id: String,
    abbreviation: String,
    display_name: String,
}

/// One game on ESPN's scoreboard.
#[derive(Debug, Clone, PartialEq)]
pub struct EspnGame {
    pub game_id: String,
    /// Tip-off, RFC 3339 UTC ("2024-01-15T18:00:00Z").
    pub start_time_utc: String,
    /// The Eastern date of the tip-off, YYYY-MM-DD.
    pub game_date_et: String,
    /// "STATUS_FINAL", "STATUS_SCHEDULED", "STATUS_IN_PROGRESS", "STATUS_POSTPONED", ...
    pub status: String,
    /// "pre", "in" or "post".
    pub state: String,
    pub completed: bool,
    /// "Final", "Final/OT", "7:30 PM ET", "Q3 4:12".
    pub status_detail: Option<String>,
    pub home_team_id: String,
    pub home_team: String,
    pub home_team_name: String,
    pub away_team_id: String,
    pub away_team: String,
    pub away_team_name: String,
    /// `None` before tip-off (ESPN shows 0-0 then).
    pub home_score: Option<i64>,
    pub away_score: Option<i64>,
}

/// ESPN writes times as "2024-01-15T18:00Z" (no seconds); full RFC 3339 is accepted too.
pub(crate) fn espn_time(s: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%MZ")
        .map(|t| chrono::Utc.from_utc_datetime(&t))
        .or_else(|_| chrono::DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&chrono::Utc)))
        .map_err(|_| format!("schema mismatch: time {s:?} is not ISO 8601"))
}

fn score(v: &Option<serde_json::Value>, game: &str) -> Result<Option<i64>, String> {
    match v {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::Number(n)) => Ok(n.as_f64().map(|f| f as i64)),
        Some(serde_json::Value::String(s)) if s.is_empty() => Ok(None),
        Some(serde_json::Value::String(s)) => s
            .parse()
            .map(Some)
            .map_err(|_| format!("schema mismatch: score {s:?} in game {game}")),
        Some(other) => Err(format!("schema mismatch: score {other} in game {game}")),
    }
}

/// Parses a scoreboard into games; a day without games is `Ok(vec![])`.
pub fn parse(body: &[u8]) -> Result<Vec<EspnGame>, String> {
    let board: Scoreboard = super::http::parse_json(body)?;
    let mut out = Vec::with_capacity(board.events.len());
    for ev in board.events {
        let comp = ev
            .competitions
            .first()
            .ok_or_else(|| format!("schema mismatch: game {} has no competition", ev.id))?;
        let side = |which: &str| {
            let mut it = comp.competitors.iter().filter(|c| c.home_away == which);
            match (it.next(), it.next()) {
                (Some(c), None) => Ok(c),
                _ => Err(format!(
                    "schema mismatch: game {} does not have exactly one {which} team",
                    ev.id
                )),
            }
        };
        let (home, away) = (side("home")?, side("away")?);
        let start = espn_time(&ev.date)?;
        let pre = ev.status.kind.state == "pre";
        let (home_score, away_score) = if pre {
            (None, None)
        } else {
            (score(&home.score, &ev.id)?, score(&away.score, &ev.id)?)
        };
        out.push(EspnGame {
            game_id: ev.id.clone(),
            start_time_utc: start.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            game_date_et: start
                .with_timezone(&New_York)
                .format("%Y-%m-%d")
                .to_string(),
            status: ev.status.kind.name.clone(),
            state: ev.status.kind.state.clone(),
            completed: ev.status.kind.completed,
            status_detail: ev.status.kind.detail.clone(),
            home_team_id: home.team.id.clone(),
            home_team: home.team.abbreviation.clone(),
            home_team_name: home.team.display_name.clone(),
            away_team_id: away.team.id.clone(),
            away_team: away.team.abbreviation.clone(),
            away_team_name: away.team.display_name.clone(),
            home_score,
            away_score,
        });
    }
    Ok(out)
}

/// Phase 1: fetch one date's scoreboard.
pub async fn fetch(deps: &crate::Deps, date: &str) -> crate::Result<nbaprops_proto::ScrapeResult> {
    let req = request(&deps.sources.config, super::parse_date(date)?);
    let body = deps.sources.get(SOURCE, date, &req).await?;
    let (payload, games) =
        super::http::keep_payload(&deps.raw, &deps.warehouse, SOURCE, date, &req, body, |b| {
            parse(b).map(|g| g.len())
        })
        .await?;
    Ok(nbaprops_proto::ScrapeResult {
        source: SOURCE.to_string(),
        payloads: vec![payload],
        records_seen: games as u32,
        warnings: vec![],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_recorded_scoreboard_parses() {
        let dir = "../../shared/data/samples/espn_scoreboard_api";
        let mut games = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let rows = parse(&std::fs::read(&path).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            for g in &rows {
                assert_ne!(g.home_team_id, g.away_team_id);
                if g.completed {
                    assert!(g.home_score.unwrap() > 50 && g.away_score.unwrap() > 50);
                    assert_ne!(g.home_score, g.away_score);
                }
            }
            games += rows.len();
        }
        assert!(games >= 11, "{games}");
    }

    #[test]
    fn hand_checked_game() {
        let body = std::fs::read("../../shared/data/samples/espn_scoreboard_api/raw_92de7c9a.json")
            .unwrap();
        let games = parse(&body).unwrap();
        assert_eq!(games.len(), 11);
        assert!(games.iter().all(|g| g.game_date_et == "2024-01-15"));
        let g = games.iter().find(|g| g.game_id == "401585190").unwrap();
        assert_eq!(g.start_time_utc, "2024-01-16T00:30:00Z");
        assert_eq!(g.status, "STATUS_FINAL");
        assert_eq!(g.state, "post");
        assert!(g.completed);
        assert_eq!(g.status_detail.as_deref(), Some("Final/OT"));
        assert_eq!((g.home_team.as_str(), g.home_score), ("BKN", Some(95)));
        assert_eq!(g.home_team_name, "Brooklyn Nets");
        assert_eq!((g.away_team.as_str(), g.away_score), ("MIA", Some(96)));
    }

    #[test]
    fn a_day_without_games_is_empty() {
        // 2025-02-14, All-Star weekend: ESPN lists no NBA games.
        let body = std::fs::read("../../shared/data/samples/espn_scoreboard_api/raw_20250214.json")
            .unwrap();
        assert_eq!(parse(&body).unwrap(), vec![]);
        assert_eq!(parse(br#"{"leagues":[],"events":[]}"#).unwrap(), vec![]);
    }

    #[test]
    fn games_not_started_have_no_score() {
        let body = br#"{"events":[{"id":"1","date":"2025-11-29T00:30Z","status":{"type":{"name":"STATUS_SCHEDULED","state":"pre","completed":false,"detail":"Fri, November 28th at 7:30 PM EST"}},"competitions":[{"competitors":[{"homeAway":"home","team":{"id":"2","abbreviation":"BOS","displayName":"Boston Celtics"},"score":"0"},{"homeAway":"away","team":{"id":"18","abbreviation":"NY","displayName":"New York Knicks"},"score":"0"}]}]}]}"#;
        let g = &parse(body).unwrap()[0];
        assert_eq!(g.home_score, None);
        assert_eq!(g.game_date_et, "2025-11-28");
    }

    #[test]
    fn schema_drift_is_named() {
        assert!(parse(br#"{"leagues":[]}"#)
            .unwrap_err()
            .contains("schema mismatch"));
        let one_side = br#"{"events":[{"id":"1","date":"2025-11-29T00:30Z","status":{"type":{"name":"S","state":"post","completed":true}},"competitions":[{"competitors":[{"homeAway":"home","team":{"id":"2","abbreviation":"BOS","displayName":"Boston Celtics"},"score":"100"}]}]}]}"#;
        let err = parse(one_side).unwrap_err();
        assert!(
            err.contains("schema mismatch") && err.contains("away"),
            "{err}"
        );
    }

    #[test]
    fn html_and_empty_bodies() {
        assert!(parse(b"<html><head>").unwrap_err().contains("HTML"));
        assert_eq!(parse(b"\n").unwrap_err(), "empty body");
    }

    #[test]
    fn asks_for_the_date_without_dashes() {
        let d = NaiveDate::from_ymd_opt(2024, 1, 15).unwrap();
        assert_eq!(
            request(&SourceConfig::live(), d).url(),
            "https://site.api.espn.com/apis/site/v2/sports/basketball/nba/scoreboard?dates=20240115"
        );
    }
}
