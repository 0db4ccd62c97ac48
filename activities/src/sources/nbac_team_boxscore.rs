//! stats.nba.com traditional box score for one game: every player's line and each team's totals.
//!
//! Two native formats, both parsed by [`parse`]:
//! - `boxscoretraditionalv2`: `resultSets` tables `PlayerStats` and `TeamStats` (columns named
//!   by `headers`); minutes as "34:12"; players who did not play have null numbers. NBA.com
//!   stopped filling v2 for 2025-26 games (it answers with empty tables), so it serves backfills.
//! - `boxscoretraditionalv3`: `boxScoreTraditional.{homeTeam,awayTeam}` with `players[]` and
//!   `statistics`; minutes as "34:12" or "PT34M12.00S", empty for players who did not play; it
//!   says which team is home. [`fetch_games`] asks v3.
//!
//! Recorded answers wrapped as `{request_uri, status, body}` are accepted too.

use serde::Deserialize;
use serde_json::Value;

use super::nba_json::{self, parse_minutes, Row};
use super::{SourceConfig, SourceRequest};

pub const SOURCE: &str = "nbac_team_boxscore";

fn box_query(game_id: &str) -> Vec<(String, String)> {
    let q = |k: &str, v: &str| (k.to_string(), v.to_string());
    vec![
        q("EndPeriod", "0"),
        q("EndRange", "0"),
        q("GameID", game_id),
        q("RangeType", "0"),
        q("StartPeriod", "0"),
        q("StartRange", "0"),
    ]
}

/// The v3 box score of one game (what [`fetch_games`] asks).
pub fn request(config: &SourceConfig, game_id: &str) -> SourceRequest {
    SourceRequest {
        base_url: config.nba_stats_url.clone(),
        path: "/stats/boxscoretraditionalv3".into(),
        query: box_query(game_id),
        request_key: game_id.to_string(),
    }
}

/// The v2 box score of one game (filled for games up to 2024-25).
pub fn request_v2(config: &SourceConfig, game_id: &str) -> SourceRequest {
    SourceRequest {
        base_url: config.nba_stats_url.clone(),
        path: "/stats/boxscoretraditionalv2".into(),
        query: box_query(game_id),
        request_key: game_id.to_string(),
    }
}

/// One line of a box score: a player's, or (with `player: None`) a team's totals.
#[derive(Debug, Clone, PartialEq)]
pub struct BoxLine {
    pub game_id: String,
    pub team_id: i64,
    /// The team's tricode.
    pub team: String,
    /// v3 says which team is home; v2 does not.
    pub is_home: Option<bool>,
    /// `None` on a team-totals line.
    pub player: Option<BoxPlayer>,
    /// `None` when the player did not play (the feed gives no minutes).
    pub stats: Option<StatLine>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BoxPlayer {
    pub person_id: i64,
    pub name: String,
    /// "F", "C", "G" for starters; empty for the bench.
    pub start_position: String,
    /// Why a player did not play ("DNP - Coach's Decision", "DND - Injury/Illness"); often empty.
    pub comment: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StatLine {
    /// Decimal minutes (34:12 is 34.2); a team's total is five times the game length.
    pub minutes: f64,
    pub fgm: i64,
    pub fga: i64,
    pub fg3m: i64,
    pub fg3a: i64,
    pub ftm: i64,
    pub fta: i64,
    pub oreb: i64,
    pub dreb: i64,
    pub reb: i64,
    pub ast: i64,
    pub stl: i64,
    pub blk: i64,
    pub tov: i64,
    pub pf: i64,
    pub pts: i64,
    pub plus_minus: Option<f64>,
}

impl BoxLine {
    pub fn is_team_total(&self) -> bool {
        self.player.is_none()
    }

    pub fn played(&self) -> bool {
        self.stats.is_some()
    }

    pub fn starter(&self) -> bool {
        self.player
            .as_ref()
            .is_some_and(|p| !p.start_position.is_empty())
    }

    /// Points, 0 for a player who did not play.
    pub fn points(&self) -> i64 {
        self.stats.as_ref().map_or(0, |s| s.pts)
    }
}

/// Parses a v2 or v3 box score (plain, gzipped or recorded-wrapped JSON) into its lines:
/// player lines, then team totals. A game without players yet is no lines.
pub fn parse(body: &[u8]) -> Result<Vec<BoxLine>, String> {
    let answer = nba_json::load(body)?;
    if answer.get("resultSets").is_some() || answer.get("resultSet").is_some() {
        parse_v2(&answer)
    } else if answer.get("boxScoreTraditional").is_some() {
        parse_v3(answer)
    } else {
        Err("schema mismatch: neither resultSets (v2) nor boxScoreTraditional (v3)".into())
    }
}

const V2_STATS: &[&str] = &[
    "MIN", "FGM", "FGA", "FG3M", "FG3A", "FTM", "FTA", "OREB", "DREB", "REB", "AST", "STL", "BLK",
    "TO", "PF", "PTS",
];

fn v2_stats(row: &Row<'_>) -> Result<Option<StatLine>, String> {
    let Some(minutes) = v2_minutes(row)? else {
        return Ok(None);
    };
    let n = |c: &str| row.req_int(c);
    Ok(Some(StatLine {
        minutes,
        fgm: n("FGM")?,
        fga: n("FGA")?,
        fg3m: n("FG3M")?,
        fg3a: n("FG3A")?,
        ftm: n("FTM")?,
        fta: n("FTA")?,
        oreb: n("OREB")?,
        dreb: n("DREB")?,
        reb: n("REB")?,
        ast: n("AST")?,
        stl: n("STL")?,
        blk: n("BLK")?,
        tov: n("TO")?,
        pf: n("PF")?,
        pts: n("PTS")?,
        plus_minus: row.float("PLUS_MINUS")?,
    }))
}

/// MIN is text ("34:12") in current answers; accept a plain number too.
fn v2_minutes(row: &Row<'_>) -> Result<Option<f64>, String> {
    match row.text("MIN") {
        Ok(Some(text)) => parse_minutes(&text).map_err(|e| format!("schema mismatch: MIN: {e}")),
        Ok(None) => Ok(None),
        Err(not_text) => row.float("MIN").map_err(|_| not_text),
    }
}

fn parse_v2(answer: &Value) -> Result<Vec<BoxLine>, String> {
    let tables = nba_json::result_sets(answer)?;
    let players = nba_json::find(&tables, "PlayerStats")?;
    let teams = nba_json::find(&tables, "TeamStats")?;
    let ids = ["GAME_ID", "TEAM_ID", "TEAM_ABBREVIATION"];
    players.require(&ids)?;
    players.require(&["PLAYER_ID", "PLAYER_NAME", "START_POSITION", "COMMENT"])?;
    players.require(V2_STATS)?;
    teams.require(&ids)?;
    teams.require(V2_STATS)?;
    let mut out = Vec::new();
    for row in players.rows() {
        out.push(BoxLine {
            game_id: row.req_text("GAME_ID")?,
            team_id: row.req_int("TEAM_ID")?,
            team: row.req_text("TEAM_ABBREVIATION")?,
            is_home: None,
            player: Some(BoxPlayer {
                person_id: row.req_int("PLAYER_ID")?,
                name: row.req_text("PLAYER_NAME")?,
                start_position: row.text("START_POSITION")?.unwrap_or_default(),
                comment: row.text("COMMENT")?.unwrap_or_default().trim().to_string(),
            }),
            stats: v2_stats(&row)?,
        });
    }
    for row in teams.rows() {
        out.push(BoxLine {
            game_id: row.req_text("GAME_ID")?,
            team_id: row.req_int("TEAM_ID")?,
            team: row.req_text("TEAM_ABBREVIATION")?,
            is_home: None,
            player: None,
            stats: v2_stats(&row)?,
        });
    }
    Ok(out)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct V3File {
    box_score_traditional: V3Box,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct V3Box {
    game_id: String,
    home_team_id: i64,
    away_team_id: i64,
    home_team: V3Team,
    away_team: V3Team,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct V3Team {
    team_id: i64,
    team_tricode: String,
    statistics: V3Stats,
    players: Vec<V3Player>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct V3Player {
    person_id: i64,
    first_name: String,
    family_name: String,
    #[serde(default)]
    position: String,
    #[serde(default)]
    comment: String,
    statistics: V3Stats,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct V3Stats {
    minutes: Option<String>,
    field_goals_made: i64,
    field_goals_attempted: i64,
    three_pointers_made: i64,
    three_pointers_attempted: i64,
    free_throws_made: i64,
    free_throws_attempted: i64,
    rebounds_offensive: i64,
    rebounds_defensive: i64,
    rebounds_total: i64,
    assists: i64,
    steals: i64,
    blocks: i64,
    turnovers: i64,
    fouls_personal: i64,
    points: i64,
    #[serde(default)]
    plus_minus_points: Option<f64>,
}

impl V3Stats {
    fn line(self, whose: &str) -> Result<Option<StatLine>, String> {
        let minutes = parse_minutes(self.minutes.as_deref().unwrap_or(""))
            .map_err(|e| format!("schema mismatch: {whose}: {e}"))?;
        Ok(minutes.map(|minutes| StatLine {
            minutes,
            fgm: self.field_goals_made,
            fga: self.field_goals_attempted,
            fg3m: self.three_pointers_made,
            fg3a: self.three_pointers_attempted,
            ftm: self.free_throws_made,
            fta: self.free_throws_attempted,
            oreb: self.rebounds_offensive,
            dreb: self.rebounds_defensive,
            reb: self.rebounds_total,
            ast: self.assists,
            stl: self.steals,
            blk: self.blocks,
            tov: self.turnovers,
            pf: self.fouls_personal,
            pts: self.points,
            plus_minus: self.plus_minus_points,
        }))
    }
}

fn parse_v3(answer: Value) -> Result<Vec<BoxLine>, String> {
    let file: V3File = serde_json::from_value(answer)
        .map_err(|e| format!("schema mismatch: boxscoretraditionalv3: {e}"))?;
    let b = file.box_score_traditional;
    for (side, team, id) in [
        ("homeTeam", &b.home_team, b.home_team_id),
        ("awayTeam", &b.away_team, b.away_team_id),
    ] {
        if team.team_id != id {
            return Err(format!(
                "schema mismatch: {side}.teamId {} differs from {side}Id {id}",
                team.team_id
            ));
        }
    }
    let mut out = Vec::new();
    let mut totals = Vec::new();
    for (team, is_home) in [(b.home_team, true), (b.away_team, false)] {
        if team.players.is_empty() {
            continue;
        }
        for p in team.players {
            let name = format!("{} {}", p.first_name.trim(), p.family_name.trim())
                .trim()
                .to_string();
            let stats = p.statistics.line(&format!("player {}", p.person_id))?;
            out.push(BoxLine {
                game_id: b.game_id.clone(),
                team_id: team.team_id,
                team: team.team_tricode.clone(),
                is_home: Some(is_home),
                player: Some(BoxPlayer {
                    person_id: p.person_id,
                    name,
                    start_position: p.position,
                    comment: p.comment.trim().to_string(),
                }),
                stats,
            });
        }
        totals.push(BoxLine {
            game_id: b.game_id.clone(),
            team_id: team.team_id,
            team: team.team_tricode.clone(),
            is_home: Some(is_home),
            player: None,
            stats: team
                .statistics
                .line(&format!("team {}", team.team_tricode))?,
        });
    }
    out.extend(totals);
    Ok(out)
}

/// Phase 1: fetch the v3 box score of each of the date's games, one payload per game.
pub async fn fetch_games(
    deps: &crate::Deps,
    date: &str,
    game_ids: &[String],
) -> crate::Result<nbaprops_proto::ScrapeResult> {
    let requests = game_ids
        .iter()
        .map(|g| request(&deps.sources.config, g))
        .collect();
    super::http::fetch_each(
        deps,
        SOURCE,
        date,
        requests,
        |b| parse(b).map(|r| r.len()),
        |req| format!("game {}: the box score has no players yet", req.request_key),
    )
    .await
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    const V2_DIR: &str = "../../shared/data/samples/nbac_team_boxscore";
    const V3: &str = "../../shared/data/samples/nba_stats_api/BoxScoreTraditionalV3.json";

    fn read(path: &std::path::Path) -> Vec<u8> {
        std::fs::read(path).expect("tests read ../shared/data beside the project")
    }

    /// Every team's totals equal the sum of its players' lines, and minutes add up to the
    /// team's five-on-the-floor total.
    fn check_totals(lines: &[BoxLine]) {
        let mut sums: BTreeMap<i64, (i64, i64, i64, i64, f64)> = BTreeMap::new();
        for l in lines.iter().filter(|l| !l.is_team_total()) {
            if let Some(s) = &l.stats {
                let e = sums.entry(l.team_id).or_default();
                e.0 += s.pts;
                e.1 += s.fgm;
                e.2 += s.fg3m;
                e.3 += s.reb;
                e.4 += s.minutes;
            }
        }
        let teams: Vec<&BoxLine> = lines.iter().filter(|l| l.is_team_total()).collect();
        assert_eq!(teams.len(), 2);
        for t in teams {
            let s = t.stats.as_ref().unwrap();
            let (pts, fgm, fg3m, reb, minutes) = sums[&t.team_id];
            assert_eq!(s.pts, pts, "{} points", t.team);
            assert_eq!(
                s.pts,
                2 * s.fgm + s.fg3m + s.ftm,
                "{} points from shots",
                t.team
            );
            assert_eq!((s.fgm, s.fg3m, s.reb), (fgm, fg3m, reb), "{}", t.team);
            assert!((s.minutes - minutes).abs() < 0.2, "{} minutes", t.team);
        }
    }

    #[test]
    fn requests_name_the_game() {
        let c = SourceConfig::live();
        let r = request(&c, "0022400561");
        assert_eq!(
            r.url(),
            "https://stats.nba.com/stats/boxscoretraditionalv3?EndPeriod=0&EndRange=0&\
             GameID=0022400561&RangeType=0&StartPeriod=0&StartRange=0"
        );
        assert_eq!(r.request_key, "0022400561");
        assert!(request_v2(&c, "0022400561")
            .url()
            .contains("/stats/boxscoretraditionalv2?"));
    }

    #[test]
    fn parses_every_recorded_v2_box_score() {
        let mut files = 0;
        for entry in std::fs::read_dir(V2_DIR).unwrap() {
            let path = entry.unwrap().path();
            let lines = parse(&read(&path)).unwrap();
            files += 1;
            assert_eq!(lines.len(), 25 + 2, "{path:?}");
            assert!(lines.iter().all(|l| l.game_id == "0022400561"));
            assert!(lines.iter().all(|l| l.is_home.is_none()));
            check_totals(&lines);

            let brunson = lines
                .iter()
                .find(|l| l.player.as_ref().is_some_and(|p| p.person_id == 1628973))
                .unwrap();
            let s = brunson.stats.as_ref().unwrap();
            assert_eq!(
                (brunson.team.as_str(), s.pts, s.fgm, s.fga),
                ("NYK", 38, 14, 22)
            );
            assert!((s.minutes - (45.0 + 28.0 / 60.0)).abs() < 1e-9);
            assert!(brunson.starter());
            let drummond = lines
                .iter()
                .find(|l| l.player.as_ref().is_some_and(|p| p.person_id == 203083))
                .unwrap();
            assert!(!drummond.played() && !drummond.starter());
            assert_eq!(
                drummond.player.as_ref().unwrap().comment,
                "DND - Injury/Illness"
            );
            assert_eq!(lines.iter().filter(|l| !l.played()).count(), 8);
            let phi = lines
                .iter()
                .find(|l| l.is_team_total() && l.team == "PHI")
                .unwrap();
            assert_eq!(phi.points(), 119);
            assert_eq!(phi.stats.as_ref().unwrap().minutes, 265.0, "one overtime");
        }
        assert_eq!(files, 3);
    }

    #[test]
    fn parses_the_recorded_v3_box_score() {
        let lines = parse(&read(V3.as_ref())).unwrap();
        assert_eq!(lines.len(), 11 + 12 + 2);
        assert!(lines.iter().all(|l| l.game_id == "0022200552"));
        check_totals(&lines);
        let mitchell = lines
            .iter()
            .find(|l| l.player.as_ref().is_some_and(|p| p.person_id == 1628378))
            .unwrap();
        let p = mitchell.player.as_ref().unwrap();
        assert_eq!(p.name, "Donovan Mitchell");
        assert_eq!(
            (mitchell.team.as_str(), mitchell.is_home),
            ("CLE", Some(true))
        );
        let s = mitchell.stats.as_ref().unwrap();
        assert_eq!(
            (s.pts, s.fgm, s.fga, s.fg3m, s.ftm, s.fta),
            (71, 22, 34, 7, 20, 25)
        );
        assert!((s.minutes - 49.8).abs() < 1e-9);
        let dnp: Vec<&str> = lines
            .iter()
            .filter(|l| !l.played())
            .map(|l| l.player.as_ref().unwrap().comment.as_str())
            .collect();
        assert_eq!(dnp.len(), 4);
        assert!(dnp.contains(&"DNP - Injury/Illness"));
        let cle = lines
            .iter()
            .find(|l| l.is_team_total() && l.is_home == Some(true))
            .unwrap();
        let chi = lines
            .iter()
            .find(|l| l.is_team_total() && l.is_home == Some(false))
            .unwrap();
        assert_eq!((cle.team.as_str(), cle.points()), ("CLE", 145));
        assert_eq!((chi.team.as_str(), chi.points()), ("CHI", 134));
    }

    #[test]
    fn v3_minutes_in_iso_form_and_unwrapped_bodies() {
        let wrapped: Value = serde_json::from_slice(&read(V3.as_ref())).unwrap();
        let mut body = wrapped["body"].clone();
        body["boxScoreTraditional"]["homeTeam"]["players"][0]["statistics"]["minutes"] =
            "PT19M09.00S".into();
        let lines = parse(&serde_json::to_vec(&body).unwrap()).unwrap();
        let stevens = lines[0].stats.as_ref().unwrap();
        assert!((stevens.minutes - (19.0 + 9.0 / 60.0)).abs() < 1e-9);
        assert_eq!(lines.len(), 25);
    }

    #[test]
    fn schema_drift_is_named() {
        let mut v2: Value = serde_json::from_slice(&read(
            &std::path::Path::new(V2_DIR).join("raw_12f99055.json"),
        ))
        .unwrap();
        let headers = &mut v2["resultSets"][0]["headers"];
        let pos = headers
            .as_array()
            .unwrap()
            .iter()
            .position(|h| h == "PTS")
            .unwrap();
        headers[pos] = "POINTS".into();
        let err = parse(&serde_json::to_vec(&v2).unwrap()).unwrap_err();
        assert!(
            err.contains("schema mismatch") && err.contains("PTS"),
            "{err}"
        );

        let no_team_stats = br#"{"resultSets":[{"name":"PlayerStats","headers":[],"rowSet":[]}]}"#;
        assert!(parse(no_team_stats)
            .unwrap_err()
            .contains("schema mismatch: no TeamStats result set"));

        let wrapped: Value = serde_json::from_slice(&read(V3.as_ref())).unwrap();
        let mut v3 = wrapped["body"].clone();
        v3["boxScoreTraditional"]["awayTeam"]["players"][1]["statistics"]
            .as_object_mut()
            .unwrap()
            .remove("points");
        let err = parse(&serde_json::to_vec(&v3).unwrap()).unwrap_err();
        assert!(
            err.contains("schema mismatch") && err.contains("points"),
            "{err}"
        );
        v3["boxScoreTraditional"]["awayTeam"]["players"][1]["statistics"]["points"] = "7".into();
        assert!(parse(&serde_json::to_vec(&v3).unwrap())
            .unwrap_err()
            .contains("schema mismatch"));
        assert!(parse(br#"{"boxScore":{}}"#)
            .unwrap_err()
            .contains("neither resultSets"));
    }

    #[test]
    fn html_and_empty_answers() {
        assert!(parse(b"\n<html><body>Access Denied</body></html>")
            .unwrap_err()
            .contains("HTML"));
        assert_eq!(parse(b"  ").unwrap_err(), "empty body");
        // What v2 answers for a 2025-26 game: the tables, without rows.
        let empty_v2 = br#"{"resource":"boxscore","resultSets":[
            {"name":"PlayerStats","headers":["GAME_ID","TEAM_ID","TEAM_ABBREVIATION","PLAYER_ID","PLAYER_NAME","START_POSITION","COMMENT","MIN","FGM","FGA","FG3M","FG3A","FTM","FTA","OREB","DREB","REB","AST","STL","BLK","TO","PF","PTS","PLUS_MINUS"],"rowSet":[]},
            {"name":"TeamStats","headers":["GAME_ID","TEAM_ID","TEAM_ABBREVIATION","MIN","FGM","FGA","FG3M","FG3A","FTM","FTA","OREB","DREB","REB","AST","STL","BLK","TO","PF","PTS","PLUS_MINUS"],"rowSet":[]}]}"#;
        assert_eq!(parse(empty_v2).unwrap(), vec![]);
        // A v3 box score before tip-off: teams without players.
        let wrapped: Value = serde_json::from_slice(&read(V3.as_ref())).unwrap();
        let mut v3 = wrapped["body"].clone();
        for side in ["homeTeam", "awayTeam"] {
            v3["boxScoreTraditional"][side]["players"] = Value::Array(vec![]);
            v3["boxScoreTraditional"][side]["statistics"]["minutes"] = "".into();
        }
        assert_eq!(parse(&serde_json::to_vec(&v3).unwrap()).unwrap(), vec![]);
    }
}
