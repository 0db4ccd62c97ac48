//! NBA.com CDN season schedule: `staticData/scheduleLeagueV2_1.json`.
//!
//! One file holds the whole season. Phase 1 fetches it every day but keeps it once per season
//! and content (under `nbac_schedule/season-{seasonYear}/…`: the file is ~3.8 MB, and kept per
//! date a four-season backfill would store 2.5 GB of copies); Phase 2 takes the date's games
//! from it. A game's date is its Eastern date (`gameDateEst`).

use serde::Deserialize;

use super::{SourceConfig, SourceRequest};

pub const SOURCE: &str = "nbac_schedule";

pub fn request(config: &SourceConfig) -> SourceRequest {
    SourceRequest {
        base_url: config.nba_cdn_url.clone(),
        path: "/static/json/staticData/scheduleLeagueV2_1.json".into(),
        query: vec![],
        request_key: "season".into(),
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleFile {
    pub league_schedule: LeagueSchedule,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LeagueSchedule {
    pub season_year: String,
    pub game_dates: Vec<GameDate>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GameDate {
    pub games: Vec<ScheduledGame>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduledGame {
    pub game_id: String,
    pub game_status: i64,
    /// "2025-10-02T00:00:00Z": the Eastern calendar date, written as if UTC.
    pub game_date_est: String,
    #[serde(rename = "gameDateTimeUTC")]
    pub game_date_time_utc: String,
    pub home_team: Team,
    pub away_team: Team,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Team {
    pub team_id: i64,
    pub team_tricode: String,
}

impl ScheduledGame {
    /// The game's Eastern date, YYYY-MM-DD.
    pub fn et_date(&self) -> &str {
        self.game_date_est.get(..10).unwrap_or("")
    }
}

/// The raw-store partition of a schedule file: `season-{seasonYear}` as the file names its
/// season (the live CDN file is always the current season, whatever date fetched it).
pub fn season_partition(body: &[u8]) -> Result<String, String> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Head {
        league_schedule: HeadSchedule,
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct HeadSchedule {
        season_year: String,
    }
    let head: Head = super::http::parse_json(body)?;
    let season = head.league_schedule.season_year;
    if season.is_empty()
        || !season
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Err(format!("schema mismatch: seasonYear {season:?}"));
    }
    Ok(format!("season-{season}"))
}

/// Parses the file and checks every game carries a usable id and date.
pub fn parse(body: &[u8]) -> Result<Vec<ScheduledGame>, String> {
    let file: ScheduleFile = super::http::parse_json(body)?;
    let games: Vec<ScheduledGame> = file
        .league_schedule
        .game_dates
        .into_iter()
        .flat_map(|d| d.games)
        .collect();
    for g in &games {
        if g.game_id.len() != 10 || !g.game_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("game id {:?} is not a 10-digit NBA id", g.game_id));
        }
        if chrono::NaiveDate::parse_from_str(g.et_date(), "%Y-%m-%d").is_err() {
            return Err(format!(
                "game {} has no Eastern date: {:?}",
                g.game_id, g.game_date_est
            ));
        }
    }
    Ok(games)
}

/// The games of one Eastern date.
pub fn games_on(games: Vec<ScheduledGame>, date: &str) -> Vec<ScheduledGame> {
    games.into_iter().filter(|g| g.et_date() == date).collect()
}

/// Phase 1: fetch the season schedule and keep it once for its season (the payload reference
/// names the date that fetched it).
pub async fn fetch(deps: &crate::Deps, date: &str) -> crate::Result<nbaprops_proto::ScrapeResult> {
    super::parse_date(date)?;
    let req = request(&deps.sources.config);
    let body = deps.sources.get(SOURCE, date, &req).await?;
    // A body without a season label is quarantined under the date by the parser below.
    let partition = season_partition(&body).unwrap_or_else(|_| date.to_string());
    let (payload, games) = super::http::keep_payload_in(
        &deps.raw,
        &deps.warehouse,
        SOURCE,
        date,
        &partition,
        &req,
        body,
        |b| {
            season_partition(b)?;
            parse(b).map(|games| games_on(games, date).len())
        },
    )
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
    fn parses_the_recorded_cdn_schedule() {
        let path = "../../shared/data/samples/nbac_schedule_cdn/raw_68953816.json";
        let Ok(body) = std::fs::read(path) else {
            panic!("{path} missing: tests read ../shared/data beside the project");
        };
        let games = parse(&body).unwrap();
        assert_eq!(games.len(), 13);
        let first = &games[0];
        assert_eq!(first.game_id, "0012500008");
        assert_eq!(first.et_date(), "2025-10-02");
        assert_eq!(first.home_team.team_tricode, "NYK");
        assert_eq!(first.away_team.team_tricode, "PHI");
        assert_eq!(games_on(games, "2025-10-02").len(), 1);
    }

    #[test]
    fn html_and_schema_drift_are_named() {
        assert!(parse(b"<html>oops</html>").unwrap_err().contains("HTML"));
        assert!(parse(b"{\"leagueSchedule\":{}}")
            .unwrap_err()
            .contains("schema mismatch"));
    }
}
