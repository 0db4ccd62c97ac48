//! stats.nba.com `playerindex`: NBA.com's player index for a season, one row per player with
//! the current team. With `Historical=0` it lists the players on a roster this season; with
//! `Historical=1` it adds everyone who ever played (no team, `ROSTER_STATUS` empty).

use chrono::NaiveDate;

use super::nba_json;
use super::{nba_season, SourceConfig, SourceRequest};

pub const SOURCE: &str = "nbac_player_list";

pub fn request(config: &SourceConfig, date: NaiveDate) -> SourceRequest {
    let q = |k: &str, v: &str| (k.to_string(), v.to_string());
    SourceRequest {
        base_url: config.nba_stats_url.clone(),
        path: "/stats/playerindex".into(),
        query: vec![
            q("College", ""),
            q("Country", ""),
            q("DraftPick", ""),
            q("DraftRound", ""),
            q("DraftYear", ""),
            q("Height", ""),
            q("Historical", "0"),
            q("LeagueID", "00"),
            q("Season", &nba_season(date)),
            q("SeasonType", "Regular Season"),
            q("TeamID", "0"),
            q("Weight", ""),
        ],
        request_key: "all".into(),
    }
}

/// One player of the index.
#[derive(Debug, Clone, PartialEq)]
pub struct PlayerIndexEntry {
    pub person_id: i64,
    pub first_name: String,
    /// As NBA.com writes it, suffix included ("Oubre Jr.", once "Miličić, Jr.").
    pub last_name: String,
    /// "First Last".
    pub name: String,
    /// "stephen-curry".
    pub slug: Option<String>,
    /// `None` for a player without a team.
    pub team_id: Option<i64>,
    pub team: Option<String>,
    pub jersey: Option<String>,
    pub position: Option<String>,
    /// On a roster in the season asked (`ROSTER_STATUS` = 1).
    pub active: bool,
    pub from_year: Option<i64>,
    pub to_year: Option<i64>,
}

const REQUIRED: &[&str] = &[
    "PERSON_ID",
    "PLAYER_LAST_NAME",
    "PLAYER_FIRST_NAME",
    "TEAM_ID",
    "TEAM_ABBREVIATION",
    "ROSTER_STATUS",
];

/// Parses the index (plain, gzipped or recorded-wrapped JSON).
pub fn parse(body: &[u8]) -> Result<Vec<PlayerIndexEntry>, String> {
    let answer = nba_json::load(body)?;
    let tables = nba_json::result_sets(&answer)?;
    let table = nba_json::find(&tables, "PlayerIndex")?;
    table.require(REQUIRED)?;
    let mut out = Vec::new();
    for row in table.rows() {
        let first_name = row.text("PLAYER_FIRST_NAME")?.unwrap_or_default();
        let last_name = row.req_text("PLAYER_LAST_NAME")?;
        let name = format!("{} {}", first_name.trim(), last_name.trim())
            .trim()
            .to_string();
        let team_id = row.int("TEAM_ID")?.filter(|id| *id != 0);
        let non_empty = |t: Option<String>| t.filter(|t| !t.trim().is_empty());
        out.push(PlayerIndexEntry {
            person_id: row.req_int("PERSON_ID")?,
            first_name,
            last_name,
            name,
            slug: non_empty(row.text("PLAYER_SLUG")?),
            team_id,
            team: team_id.and(non_empty(row.text("TEAM_ABBREVIATION")?)),
            jersey: non_empty(row.text("JERSEY_NUMBER")?),
            position: non_empty(row.text("POSITION")?),
            active: row.float("ROSTER_STATUS")?.is_some_and(|s| s != 0.0),
            from_year: row.int_or_text("FROM_YEAR")?,
            to_year: row.int_or_text("TO_YEAR")?,
        });
    }
    Ok(out)
}

/// Phase 1: fetch the season's player index and keep it for the date.
pub async fn fetch(deps: &crate::Deps, date: &str) -> crate::Result<nbaprops_proto::ScrapeResult> {
    let req = request(&deps.sources.config, super::parse_date(date)?);
    let body = deps.sources.get(SOURCE, date, &req).await?;
    let (payload, players) =
        super::http::keep_payload(&deps.raw, &deps.warehouse, SOURCE, date, &req, body, |b| {
            parse(b).map(|p| p.len())
        })
        .await?;
    Ok(nbaprops_proto::ScrapeResult {
        source: SOURCE.to_string(),
        payloads: vec![payload],
        records_seen: players as u32,
        warnings: vec![],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "../../shared/data/samples/nbac_player_list/raw_7af00b51.json";

    #[test]
    fn request_asks_the_season_index() {
        let d = NaiveDate::from_ymd_opt(2025, 11, 7).unwrap();
        let r = request(&SourceConfig::live(), d);
        let url = r.url();
        assert!(url.starts_with("https://stats.nba.com/stats/playerindex?"));
        assert!(url.contains(
            "&Historical=0&LeagueID=00&Season=2025-26&SeasonType=Regular%20Season&TeamID=0&"
        ));
    }

    #[test]
    fn parses_the_recorded_2025_26_index() {
        let body = std::fs::read(SAMPLE).expect("tests read ../shared/data beside the project");
        let players = parse(&body).unwrap();
        assert_eq!(players.len(), 594);
        assert!(players.iter().all(|p| p.active && p.team_id.is_some()));
        let teams: std::collections::BTreeSet<&str> =
            players.iter().filter_map(|p| p.team.as_deref()).collect();
        assert_eq!(teams.len(), 30);
        let mut ids: Vec<i64> = players.iter().map(|p| p.person_id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), players.len(), "person ids are unique");

        let curry = players.iter().find(|p| p.person_id == 201939).unwrap();
        assert_eq!(curry.name, "Stephen Curry");
        assert_eq!(curry.team_id, Some(1610612744));
        assert_eq!(curry.team.as_deref(), Some("GSW"));
        assert_eq!(curry.slug.as_deref(), Some("stephen-curry"));
        assert_eq!((curry.from_year, curry.to_year), (Some(2009), Some(2025)));
        let jokic = players.iter().find(|p| p.last_name == "Jokić").unwrap();
        assert_eq!(jokic.name, "Nikola Jokić");
        assert_eq!(jokic.team.as_deref(), Some("DEN"));
        // 30 null jersey numbers and one empty string (P.J. Tucker).
        assert_eq!(players.iter().filter(|p| p.jersey.is_none()).count(), 31);
        assert_eq!(players.iter().filter(|p| p.position.is_none()).count(), 8);
    }

    #[test]
    fn historical_rows_without_a_team_are_inactive() {
        let body = br#"{"resultSets":[{"name":"PlayerIndex","headers":["PERSON_ID","PLAYER_LAST_NAME",
            "PLAYER_FIRST_NAME","TEAM_ID","TEAM_ABBREVIATION","ROSTER_STATUS","FROM_YEAR","TO_YEAR"],
            "rowSet":[[76001,"Abdelnaby","Alaa",0,"",null,"1990","1994"],[2544,"James","LeBron",1610612747,"LAL",1,"2003","2025"]]}]}"#;
        let players = parse(body).unwrap();
        assert_eq!(players[0].name, "Alaa Abdelnaby");
        assert!(!players[0].active);
        assert_eq!(
            (players[0].team_id, players[0].team.as_deref()),
            (None, None)
        );
        assert!(players[1].active);
        assert_eq!(players[1].team.as_deref(), Some("LAL"));
    }

    #[test]
    fn schema_drift_html_and_empty_index() {
        let no_team =
            br#"{"resultSets":[{"name":"PlayerIndex","headers":["PERSON_ID","PLAYER_LAST_NAME",
            "PLAYER_FIRST_NAME","TEAM_ABBREVIATION","ROSTER_STATUS"],"rowSet":[]}]}"#;
        let err = parse(no_team).unwrap_err();
        assert!(
            err.contains("schema mismatch") && err.contains("TEAM_ID"),
            "{err}"
        );
        let text_id =
            br#"{"resultSets":[{"name":"PlayerIndex","headers":["PERSON_ID","PLAYER_LAST_NAME",
            "PLAYER_FIRST_NAME","TEAM_ID","TEAM_ABBREVIATION","ROSTER_STATUS"],
            "rowSet":[["201939","Curry","Stephen",1610612744,"GSW",1]]}]}"#;
        assert!(parse(text_id)
            .unwrap_err()
            .contains("schema mismatch: PlayerIndex row 0: PERSON_ID is not a number"));
        assert!(
            parse(br#"{"resultSets":[{"name":"Other","headers":[],"rowSet":[]}]}"#)
                .unwrap_err()
                .contains("no PlayerIndex result set")
        );
        assert!(parse(b"<!doctype html><title>NBA.com</title>")
            .unwrap_err()
            .contains("HTML"));
        let empty = br#"{"resource":"playerindex","resultSets":[{"name":"PlayerIndex","headers":["PERSON_ID",
            "PLAYER_LAST_NAME","PLAYER_FIRST_NAME","TEAM_ID","TEAM_ABBREVIATION","ROSTER_STATUS"],"rowSet":[]}]}"#;
        assert_eq!(parse(empty).unwrap(), vec![]);
    }
}
