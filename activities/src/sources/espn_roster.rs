//! ESPN site API team rosters: `GET /apis/site/v2/sports/basketball/nba/teams/{id}?enable=roster`,
//! each athlete with position, status and ESPN's injury notes.
//!
//! Two steps: the date's scoreboard (see [`super::espn_scoreboard`]) names the teams that play,
//! then one roster per team. The parser reads the recorded `teams/{id}?enable=roster` answer
//! (athletes under `team.athletes`) and the `teams/{id}/roster` one (athletes at the top).

use serde::Deserialize;

use super::{espn_scoreboard, SourceConfig, SourceRequest};

pub const SOURCE: &str = "espn_roster";

/// One team's roster as of `date`. The live API takes no date (the roster as it stands);
/// against a replay folder the date goes as the replay-only `as_of` parameter (see
/// [`SourceConfig::dated_snapshots`]), so each date gets that date's injury notes.
pub fn request(config: &SourceConfig, team_id: &str, date: chrono::NaiveDate) -> SourceRequest {
    super::dated_snapshot(
        config,
        SourceRequest {
            base_url: config.espn_url.clone(),
            path: format!("/apis/site/v2/sports/basketball/nba/teams/{team_id}"),
            query: vec![("enable".into(), "roster".into())],
            request_key: format!("team-{team_id}"),
        },
        date,
    )
}

/// The scoreboard that tells which teams play on the date (kept under this source too).
pub fn scoreboard_request(config: &SourceConfig, date: chrono::NaiveDate) -> SourceRequest {
    SourceRequest {
        request_key: "scoreboard".into(),
        ..espn_scoreboard::request(config, date)
    }
}

#[derive(Debug, Deserialize)]
struct RosterFile {
    team: Team,
    athletes: Option<Vec<Athlete>>,
}

#[derive(Debug, Deserialize)]
struct Team {
    id: String,
    abbreviation: String,
    athletes: Option<Vec<Athlete>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Athlete {
    id: String,
    display_name: String,
    full_name: Option<String>,
    jersey: Option<String>,
    position: Option<Position>,
    status: Option<AthleteStatus>,
    #[serde(default)]
    injuries: Vec<Injury>,
}

#[derive(Debug, Deserialize)]
struct Position {
    abbreviation: Option<String>,
}

#[derive(Debug, Deserialize)]
struct AthleteStatus {
    name: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Injury {
    status: Option<String>,
    date: Option<String>,
    short_comment: Option<String>,
    details: Option<InjuryDetails>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct InjuryDetails {
    #[serde(rename = "type")]
    kind: Option<String>,
    return_date: Option<String>,
}

/// One athlete on an ESPN team roster.
#[derive(Debug, Clone, PartialEq)]
pub struct EspnRosterEntry {
    pub team_id: String,
    /// ESPN's abbreviation (`NY`, `GS`, ... for some teams).
    pub team: String,
    pub athlete_id: String,
    pub name: String,
    /// "PG", "SG", "SF", "PF", "C", "G", "F".
    pub position: Option<String>,
    pub jersey: Option<String>,
    /// Roster status ("Active").
    pub status: Option<String>,
    /// The latest injury note's status ("Out", "Day-To-Day"); `None` when not injured.
    pub injury_status: Option<String>,
    pub injury_date: Option<String>,
    /// Body part ("Knee").
    pub injury_type: Option<String>,
    pub injury_return_date: Option<String>,
    pub injury_comment: Option<String>,
}

/// Parses one team's roster; a team without athletes listed is `Ok(vec![])`.
pub fn parse(body: &[u8]) -> Result<Vec<EspnRosterEntry>, String> {
    let file: RosterFile = super::http::parse_json(body)?;
    let team = file.team;
    let athletes = file.athletes.or(team.athletes).ok_or_else(|| {
        format!(
            "schema mismatch: no athletes in the answer for team {} (asked without enable=roster?)",
            team.id
        )
    })?;
    Ok(athletes
        .into_iter()
        .map(|a| {
            // ESPN lists the newest note first.
            let injury = a.injuries.into_iter().next();
            let details = injury.as_ref().and_then(|i| i.details.as_ref());
            EspnRosterEntry {
                team_id: team.id.clone(),
                team: team.abbreviation.clone(),
                athlete_id: a.id,
                name: a.full_name.unwrap_or(a.display_name),
                position: a.position.and_then(|p| p.abbreviation),
                jersey: a.jersey,
                status: a.status.and_then(|s| s.name),
                injury_type: details.and_then(|d| d.kind.clone()),
                injury_return_date: details.and_then(|d| d.return_date.clone()),
                injury_status: injury.as_ref().and_then(|i| i.status.clone()),
                injury_date: injury.as_ref().and_then(|i| i.date.clone()),
                injury_comment: injury.and_then(|i| i.short_comment),
            }
        })
        .collect())
}

/// Phase 1: the date's scoreboard, then the roster of every team that plays; every body kept.
pub async fn fetch(deps: &crate::Deps, date: &str) -> crate::Result<nbaprops_proto::ScrapeResult> {
    let config = &deps.sources.config;
    let day = super::parse_date(date)?;
    let board_req = scoreboard_request(config, day);
    let body = deps.sources.get(SOURCE, date, &board_req).await?;
    let (board_ref, _) = super::http::keep_payload(
        &deps.raw,
        &deps.warehouse,
        SOURCE,
        date,
        &board_req,
        body.clone(),
        |b| espn_scoreboard::parse(b).map(|g| g.len()),
    )
    .await?;
    let games = espn_scoreboard::parse(&body).map_err(crate::PipelineError::Internal)?;
    let mut team_ids: Vec<String> = games
        .iter()
        .flat_map(|g| [g.home_team_id.clone(), g.away_team_id.clone()])
        .collect();
    team_ids.sort();
    team_ids.dedup();
    let mut payloads = vec![board_ref];
    let mut athletes = 0usize;
    for team_id in &team_ids {
        let req = request(config, team_id, day);
        let body = deps.sources.get(SOURCE, date, &req).await?;
        let (p, n) =
            super::http::keep_payload(&deps.raw, &deps.warehouse, SOURCE, date, &req, body, |b| {
                parse(b).map(|a| a.len())
            })
            .await?;
        payloads.push(p);
        athletes += n;
    }
    Ok(nbaprops_proto::ScrapeResult {
        source: SOURCE.to_string(),
        payloads,
        records_seen: athletes as u32,
        warnings: vec![],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_recorded_roster_parses() {
        let dir = "../../shared/data/samples/espn_roster_api";
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let rows = parse(&std::fs::read(&path).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(
                rows.len() >= 12,
                "{}: {} athletes",
                path.display(),
                rows.len()
            );
            for r in &rows {
                assert!(r.athlete_id.chars().all(|c| c.is_ascii_digit()));
                assert!(!r.name.is_empty() && r.position.is_some());
            }
        }
    }

    #[test]
    fn hand_checked_athletes() {
        let body = std::fs::read("../../shared/data/samples/espn_roster_api/raw_2.json").unwrap();
        let rows = parse(&body).unwrap();
        assert_eq!(rows.len(), 17);
        let tatum = rows.iter().find(|r| r.athlete_id == "4065648").unwrap();
        assert_eq!(tatum.name, "Jayson Tatum");
        assert_eq!((tatum.team_id.as_str(), tatum.team.as_str()), ("2", "BOS"));
        assert_eq!(tatum.position.as_deref(), Some("SF"));
        assert_eq!(tatum.jersey.as_deref(), Some("0"));
        assert_eq!(tatum.status.as_deref(), Some("Active"));
        assert!(tatum.injury_status.is_some());
        let brown = rows.iter().find(|r| r.athlete_id == "3917376").unwrap();
        assert_eq!(brown.injury_status.as_deref(), Some("Out"));
        assert_eq!(brown.injury_date.as_deref(), Some("2025-06-11T15:30Z"));
        assert_eq!(brown.injury_type.as_deref(), Some("Knee"));
        assert_eq!(brown.injury_return_date.as_deref(), Some("2025-10-01"));
        let white = rows.iter().find(|r| r.name == "Derrick White").unwrap();
        assert_eq!(white.injury_status, None);
        assert_eq!(rows.iter().filter(|r| r.injury_status.is_some()).count(), 2);
    }

    #[test]
    fn the_roster_endpoint_shape_reads_too() {
        let body = br#"{"timestamp":"x","status":"success","season":{"year":2026},"athletes":[{"id":"1","displayName":"A B","position":{"abbreviation":"C"},"injuries":[{"status":"Day-To-Day","date":"2025-11-20T18:00Z"}]}],"team":{"id":"18","abbreviation":"NY"}}"#;
        let rows = parse(body).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].team, "NY");
        assert_eq!(rows[0].name, "A B");
        assert_eq!(rows[0].injury_status.as_deref(), Some("Day-To-Day"));
    }

    #[test]
    fn schema_drift_is_named() {
        let no_athletes = br#"{"team":{"id":"2","abbreviation":"BOS"}}"#;
        assert!(parse(no_athletes)
            .unwrap_err()
            .contains("schema mismatch: no athletes"));
        let no_id = br#"{"team":{"id":"2","abbreviation":"BOS","athletes":[{"displayName":"X"}]}}"#;
        assert!(parse(no_id).unwrap_err().contains("schema mismatch"));
    }

    #[test]
    fn html_and_empty_answers() {
        assert!(parse(b"<!DOCTYPE html>").unwrap_err().contains("HTML"));
        assert_eq!(parse(b"").unwrap_err(), "empty body");
        let empty = br#"{"team":{"id":"2","abbreviation":"BOS","athletes":[]}}"#;
        assert_eq!(parse(empty).unwrap(), vec![]);
    }

    #[test]
    fn requests() {
        let config = SourceConfig::live();
        let d = chrono::NaiveDate::from_ymd_opt(2024, 1, 15).unwrap();
        let req = request(&config, "2", d);
        assert_eq!(
            req.url(),
            "https://site.api.espn.com/apis/site/v2/sports/basketball/nba/teams/2?enable=roster"
        );
        assert_eq!(req.request_key, "team-2");
        let board = scoreboard_request(&config, d);
        assert_eq!(board.request_key, "scoreboard");
        assert!(board.url().ends_with("scoreboard?dates=20240115"));
    }
}
