//! stats.nba.com `leaguegamelog` with PlayerOrTeam=P: one row per player-game for a date.
//! The format is the stats API's table: `resultSets[0].headers` names the columns of `rowSet`.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Deserialize;

use super::{nba_season, SourceConfig, SourceRequest};

pub const SOURCE: &str = "nbac_player_boxscore";

/// The regular-season game log of a date.
pub fn request(config: &SourceConfig, date: NaiveDate) -> SourceRequest {
    request_for(config, date, REGULAR_SEASON)
}

pub const REGULAR_SEASON: &str = "Regular Season";
pub const PLAY_IN: &str = "PlayIn";
pub const PLAYOFFS: &str = "Playoffs";

/// The stats API's `SeasonType` for a date's games, from the season-type digit of their ids
/// (`00` + type + …: 4 playoffs, 5 play-in; anything else asks the regular season, which is
/// also what a date without known games asks). The game log only lists games of the season
/// type asked, so a playoff date asked as "Regular Season" answers empty.
pub fn season_type_of(game_ids: &[String]) -> &'static str {
    let digit = |d: u8| game_ids.iter().any(|id| id.as_bytes().get(2) == Some(&d));
    if digit(b'4') {
        PLAYOFFS
    } else if digit(b'5') {
        PLAY_IN
    } else {
        REGULAR_SEASON
    }
}

/// The game log of a date for one season type ([`season_type_of`]).
pub fn request_for(config: &SourceConfig, date: NaiveDate, season_type: &str) -> SourceRequest {
    let d = date.format("%Y-%m-%d").to_string();
    let q = |k: &str, v: &str| (k.to_string(), v.to_string());
    SourceRequest {
        base_url: config.nba_stats_url.clone(),
        path: "/stats/leaguegamelog".into(),
        query: vec![
            q("Counter", "1000"),
            q("DateFrom", &d),
            q("DateTo", &d),
            q("Direction", "DESC"),
            q("LeagueID", "00"),
            q("PlayerOrTeam", "P"),
            q("Season", &nba_season(date)),
            q("SeasonType", season_type),
            q("Sorter", "DATE"),
        ],
        request_key: "all".into(),
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GameLogFile {
    result_sets: Vec<ResultSet>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ResultSet {
    headers: Vec<String>,
    row_set: Vec<Vec<serde_json::Value>>,
}

/// One player's line in one game, as the stats API reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct PlayerGameLog {
    pub player_id: i64,
    pub player_name: String,
    pub team_id: i64,
    pub team: String,
    pub game_id: String,
    pub game_date: String,
    /// "BOS vs. NYK" (home) or "BOS @ NYK" (away).
    pub matchup: String,
    pub minutes: Option<f64>,
    pub fgm: Option<i64>,
    pub fga: Option<i64>,
    pub fg3m: Option<i64>,
    pub fg3a: Option<i64>,
    pub ftm: Option<i64>,
    pub fta: Option<i64>,
    pub reb: Option<i64>,
    pub ast: Option<i64>,
    pub tov: Option<i64>,
    pub points: i64,
    pub plus_minus: Option<i64>,
}

impl PlayerGameLog {
    pub fn is_home(&self) -> bool {
        self.matchup.contains(" vs. ")
    }

    /// The opponent's tricode from the matchup.
    pub fn opponent(&self) -> String {
        self.matchup
            .rsplit([' '])
            .next()
            .unwrap_or_default()
            .to_string()
    }
}

const REQUIRED: &[&str] = &[
    "PLAYER_ID",
    "PLAYER_NAME",
    "TEAM_ID",
    "TEAM_ABBREVIATION",
    "GAME_ID",
    "GAME_DATE",
    "MATCHUP",
    "MIN",
    "PTS",
];

pub fn parse(body: &[u8]) -> Result<Vec<PlayerGameLog>, String> {
    let file: GameLogFile = super::http::parse_json(body)?;
    let set = file
        .result_sets
        .into_iter()
        .next()
        .ok_or("schema mismatch: no resultSets")?;
    let col: HashMap<&str, usize> = set
        .headers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.as_str(), i))
        .collect();
    for r in REQUIRED {
        if !col.contains_key(r) {
            return Err(format!("schema mismatch: column {r} missing from headers"));
        }
    }
    let mut out = Vec::with_capacity(set.row_set.len());
    for (n, row) in set.row_set.iter().enumerate() {
        if row.len() != set.headers.len() {
            return Err(format!(
                "row {n} has {} values for {} headers",
                row.len(),
                set.headers.len()
            ));
        }
        let get = |name: &str| col.get(name).map(|i| &row[*i]);
        let int = |name: &str| get(name).and_then(|v| v.as_f64()).map(|f| f as i64);
        let text = |name: &str| {
            get(name)
                .and_then(|v| v.as_str())
                .map(str::to_string)
                .ok_or_else(|| format!("row {n}: {name} is not text"))
        };
        let player_id = int("PLAYER_ID").ok_or_else(|| format!("row {n}: no PLAYER_ID"))?;
        let points = int("PTS").ok_or_else(|| format!("row {n}: no PTS"))?;
        out.push(PlayerGameLog {
            player_id,
            player_name: text("PLAYER_NAME")?,
            team_id: int("TEAM_ID").ok_or_else(|| format!("row {n}: no TEAM_ID"))?,
            team: text("TEAM_ABBREVIATION")?,
            game_id: text("GAME_ID")?,
            game_date: text("GAME_DATE")?.chars().take(10).collect(),
            matchup: text("MATCHUP")?,
            minutes: get("MIN").and_then(|v| v.as_f64()),
            fgm: int("FGM"),
            fga: int("FGA"),
            fg3m: int("FG3M"),
            fg3a: int("FG3A"),
            ftm: int("FTM"),
            fta: int("FTA"),
            reb: int("REB"),
            ast: int("AST"),
            tov: int("TOV"),
            points,
            plus_minus: int("PLUS_MINUS"),
        });
    }
    Ok(out)
}

/// Phase 1: fetch one date's player game logs, for the season type of the date's games in the
/// kept schedule (play-in and playoff dates ask `PlayIn` / `Playoffs`).
pub async fn fetch(deps: &crate::Deps, date: &str) -> crate::Result<nbaprops_proto::ScrapeResult> {
    let day = super::parse_date(date)?;
    let ids = super::scheduled_game_ids(deps, date)
        .await?
        .unwrap_or_default();
    let req = request_for(&deps.sources.config, day, season_type_of(&ids));
    let body = deps.sources.get(SOURCE, date, &req).await?;
    let (payload, rows) =
        super::http::keep_payload(&deps.raw, &deps.warehouse, SOURCE, date, &req, body, |b| {
            parse(b).map(|rows| rows.len())
        })
        .await?;
    super::check_not_empty_on_game_day(deps, SOURCE, date, rows, &payload.object_key).await?;
    Ok(nbaprops_proto::ScrapeResult {
        source: SOURCE.to_string(),
        payloads: vec![payload],
        records_seen: rows as u32,
        warnings: vec![],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_recorded_leaguegamelog() {
        let path = "../../shared/data/samples/nbac_player_boxscore/raw_2ad17718.json";
        let body = std::fs::read(path).expect("tests read ../shared/data beside the project");
        let rows = parse(&body).unwrap();
        assert!(rows.len() > 100, "{} rows", rows.len());
        let curry = rows.iter().find(|r| r.player_id == 201939).unwrap();
        assert_eq!(curry.player_name, "Stephen Curry");
        assert_eq!(curry.points, 28);
        assert_eq!(curry.game_id, "0022400974");
        assert_eq!(curry.game_date, "2025-03-15");
        assert!(curry.is_home());
        assert_eq!(curry.opponent(), "NYK");
        assert!(rows.iter().all(|r| r.game_date == "2025-03-15"));
    }

    #[test]
    fn a_missing_column_is_schema_drift() {
        let body = br#"{"resultSets":[{"headers":["PLAYER_ID"],"rowSet":[[1]]}]}"#;
        assert!(parse(body).unwrap_err().contains("PLAYER_NAME"));
    }

    #[test]
    fn an_empty_day_is_zero_rows() {
        let body = br#"{"resultSets":[{"headers":["PLAYER_ID","PLAYER_NAME","TEAM_ID","TEAM_ABBREVIATION","GAME_ID","GAME_DATE","MATCHUP","MIN","PTS"],"rowSet":[]}]}"#;
        assert_eq!(parse(body).unwrap().len(), 0);
    }
}
