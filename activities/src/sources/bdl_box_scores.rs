//! Ball Don't Lie v1 box scores: `GET /v1/box_scores?date=YYYY-MM-DD` (and the same shape from
//! `/v1/box_scores/live`), one player line per record.
//!
//! The box-score answer nests players under each game's `home_team` / `visitor_team`. The parser
//! also reads the flat `/v1/stats` shape (one item per player line with its `team` and `game`),
//! since the recorded `bdl_player_box_scores` sample is that endpoint. Older box-score answers
//! carry no game `id` and no `plus_minus`: both are optional here.

use chrono::NaiveDate;
use serde::Deserialize;

use super::bdl::Page;
use super::{SourceConfig, SourceRequest};

pub const SOURCE: &str = "bdl_box_scores";

pub fn request(config: &SourceConfig, date: NaiveDate) -> SourceRequest {
    SourceRequest {
        base_url: config.bdl_url.clone(),
        path: "/v1/box_scores".into(),
        query: vec![("date".into(), date.format("%Y-%m-%d").to_string())],
        request_key: "all".into(),
    }
}

/// The games in progress right now (same shape; `{"data":[]}` when none are).
pub fn live_request(config: &SourceConfig) -> SourceRequest {
    SourceRequest {
        base_url: config.bdl_url.clone(),
        path: "/v1/box_scores/live".into(),
        query: vec![],
        request_key: "live".into(),
    }
}

#[derive(Debug, Deserialize)]
struct GameBox {
    id: Option<i64>,
    date: String,
    season: i64,
    status: String,
    #[serde(default)]
    postseason: bool,
    home_team: TeamBox,
    visitor_team: TeamBox,
}

#[derive(Debug, Deserialize)]
struct TeamBox {
    id: i64,
    abbreviation: String,
    players: Vec<StatLine>,
}

#[derive(Debug, Deserialize)]
struct StatLine {
    min: Option<String>,
    fgm: Option<f64>,
    fga: Option<f64>,
    fg3m: Option<f64>,
    fg3a: Option<f64>,
    ftm: Option<f64>,
    fta: Option<f64>,
    oreb: Option<f64>,
    dreb: Option<f64>,
    reb: Option<f64>,
    ast: Option<f64>,
    stl: Option<f64>,
    blk: Option<f64>,
    turnover: Option<f64>,
    pf: Option<f64>,
    pts: Option<f64>,
    plus_minus: Option<f64>,
    player: PlayerRef,
}

#[derive(Debug, Deserialize)]
struct PlayerRef {
    id: i64,
    first_name: String,
    last_name: String,
    position: Option<String>,
}

/// An item of `/v1/stats`: a stat line with its team and game beside it.
#[derive(Debug, Deserialize)]
struct FlatStat {
    #[serde(flatten)]
    line: StatLine,
    team: TeamRef,
    game: GameRef,
}

#[derive(Debug, Deserialize)]
struct TeamRef {
    id: i64,
    abbreviation: String,
}

#[derive(Debug, Deserialize)]
struct GameRef {
    id: i64,
    date: String,
    season: i64,
    status: String,
    #[serde(default)]
    postseason: bool,
    home_team_id: i64,
    visitor_team_id: i64,
}

/// One player's line in one game, as Ball Don't Lie reports it (its own ids).
#[derive(Debug, Clone, PartialEq)]
pub struct BdlPlayerBox {
    /// Absent in older box-score answers.
    pub game_id: Option<i64>,
    /// The game's (US) date, YYYY-MM-DD.
    pub game_date: String,
    /// The season's first year (2023 for 2023-24).
    pub season: i64,
    pub postseason: bool,
    /// "Final", a quarter, or a tip time for games not started.
    pub game_status: String,
    pub team_id: i64,
    pub team: String,
    pub opponent_team_id: i64,
    pub is_home: bool,
    pub player_id: i64,
    pub first_name: String,
    pub last_name: String,
    pub position: Option<String>,
    /// Minutes played ("37" or "37:12" in the answer); `None` when blank.
    pub minutes: Option<f64>,
    pub fgm: Option<i64>,
    pub fga: Option<i64>,
    pub fg3m: Option<i64>,
    pub fg3a: Option<i64>,
    pub ftm: Option<i64>,
    pub fta: Option<i64>,
    pub oreb: Option<i64>,
    pub dreb: Option<i64>,
    pub reb: Option<i64>,
    pub ast: Option<i64>,
    pub stl: Option<i64>,
    pub blk: Option<i64>,
    pub tov: Option<i64>,
    pub pf: Option<i64>,
    pub points: Option<i64>,
    pub plus_minus: Option<i64>,
}

fn minutes(min: Option<&str>) -> Result<Option<f64>, String> {
    let Some(m) = min.map(str::trim).filter(|m| !m.is_empty()) else {
        return Ok(None);
    };
    let bad = || format!("schema mismatch: minutes {m:?} are not MM or MM:SS");
    let (mm, ss) = m.split_once(':').unwrap_or((m, "0"));
    let mm: f64 = mm.parse().map_err(|_| bad())?;
    let ss: f64 = ss.parse().map_err(|_| bad())?;
    Ok(Some(mm + ss / 60.0))
}

struct GameCtx<'a> {
    game_id: Option<i64>,
    date: &'a str,
    season: i64,
    postseason: bool,
    status: &'a str,
    team_id: i64,
    team: &'a str,
    opponent_team_id: i64,
    is_home: bool,
}

fn record(g: &GameCtx<'_>, s: &StatLine) -> Result<BdlPlayerBox, String> {
    let int = |v: Option<f64>| v.map(|f| f.round() as i64);
    Ok(BdlPlayerBox {
        game_id: g.game_id,
        game_date: g.date.chars().take(10).collect(),
        season: g.season,
        postseason: g.postseason,
        game_status: g.status.to_string(),
        team_id: g.team_id,
        team: g.team.to_string(),
        opponent_team_id: g.opponent_team_id,
        is_home: g.is_home,
        player_id: s.player.id,
        first_name: s.player.first_name.clone(),
        last_name: s.player.last_name.clone(),
        position: s.player.position.clone().filter(|p| !p.is_empty()),
        minutes: minutes(s.min.as_deref())?,
        fgm: int(s.fgm),
        fga: int(s.fga),
        fg3m: int(s.fg3m),
        fg3a: int(s.fg3a),
        ftm: int(s.ftm),
        fta: int(s.fta),
        oreb: int(s.oreb),
        dreb: int(s.dreb),
        reb: int(s.reb),
        ast: int(s.ast),
        stl: int(s.stl),
        blk: int(s.blk),
        tov: int(s.turnover),
        pf: int(s.pf),
        points: int(s.pts),
        plus_minus: int(s.plus_minus),
    })
}

/// Parses a box-score (or `/v1/stats`) page into player lines; `{"data":[]}` is no games.
pub fn parse(body: &[u8]) -> Result<Vec<BdlPlayerBox>, String> {
    let page: Page<serde_json::Value> = super::http::parse_json(body)?;
    let mut out = Vec::new();
    for (i, item) in page.data.into_iter().enumerate() {
        let drift = |e: serde_json::Error| format!("schema mismatch: data[{i}]: {e}");
        if item.get("home_team").is_some() {
            let g: GameBox = serde_json::from_value(item).map_err(drift)?;
            for (team, opp, is_home) in [
                (&g.home_team, &g.visitor_team, true),
                (&g.visitor_team, &g.home_team, false),
            ] {
                let ctx = GameCtx {
                    game_id: g.id,
                    date: &g.date,
                    season: g.season,
                    postseason: g.postseason,
                    status: &g.status,
                    team_id: team.id,
                    team: &team.abbreviation,
                    opponent_team_id: opp.id,
                    is_home,
                };
                for s in &team.players {
                    out.push(record(&ctx, s)?);
                }
            }
        } else if item.get("game").is_some() {
            let f: FlatStat = serde_json::from_value(item).map_err(drift)?;
            let is_home = f.team.id == f.game.home_team_id;
            if !is_home && f.team.id != f.game.visitor_team_id {
                return Err(format!(
                    "schema mismatch: data[{i}]: team {} plays in neither side of game {}",
                    f.team.id, f.game.id
                ));
            }
            let ctx = GameCtx {
                game_id: Some(f.game.id),
                date: &f.game.date,
                season: f.game.season,
                postseason: f.game.postseason,
                status: &f.game.status,
                team_id: f.team.id,
                team: &f.team.abbreviation,
                opponent_team_id: if is_home {
                    f.game.visitor_team_id
                } else {
                    f.game.home_team_id
                },
                is_home,
            };
            out.push(record(&ctx, &f.line)?);
        } else {
            return Err(format!(
                "schema mismatch: data[{i}] is neither a game box score nor a stat line"
            ));
        }
    }
    Ok(out)
}

/// Phase 1: the date's box scores, following `meta.next_cursor` if the answer pages.
pub async fn fetch(deps: &crate::Deps, date: &str) -> crate::Result<nbaprops_proto::ScrapeResult> {
    let req = request(&deps.sources.config, super::parse_date(date)?);
    super::bdl::fetch_pages(deps, SOURCE, date, req, |b| parse(b).map(|r| r.len())).await
}

/// Phase 1 for a game date: [`fetch`], failing loudly when the answer is empty on a date the
/// schedule lists games for (the payload is kept either way).
pub async fn fetch_checked(
    deps: &crate::Deps,
    date: &str,
) -> crate::Result<nbaprops_proto::ScrapeResult> {
    let scraped = fetch(deps, date).await?;
    let kept = scraped.payloads.first().map(|p| p.object_key.clone());
    super::check_not_empty_on_game_day(
        deps,
        SOURCE,
        date,
        scraped.records_seen as usize,
        &kept.unwrap_or_default(),
    )
    .await?;
    Ok(scraped)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FOLDERS: &[&str] = &[
        "bdl_box_scores",
        "bdl_player_box_scores",
        "bdl_live_box_scores",
    ];

    fn sample(folder: &str, file: &str) -> Vec<BdlPlayerBox> {
        let path = format!("../../shared/data/samples/{folder}/{file}");
        parse(&std::fs::read(&path).unwrap()).unwrap()
    }

    #[test]
    fn every_recorded_box_score_file_parses() {
        let mut lines = 0;
        for folder in FOLDERS {
            let dir = format!("../../shared/data/samples/{folder}");
            for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{dir}: {e}")) {
                let path = entry.unwrap().path();
                let body = std::fs::read(&path).unwrap();
                let rows = parse(&body).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                for r in &rows {
                    assert!(r.team_id != r.opponent_team_id, "{r:?}");
                    assert_eq!(r.game_date.len(), 10);
                    assert!(r.points.is_some_and(|p| (0..=100).contains(&p)), "{r:?}");
                    assert!(r.minutes.is_some_and(|m| (0.0..=70.0).contains(&m)));
                }
                lines += rows.len();
            }
        }
        assert!(lines > 700, "{lines} lines");
    }

    #[test]
    fn nested_box_scores_old_and_new() {
        // 2024-01-15: the older answer, without game ids or plus-minus.
        let rows = sample("bdl_box_scores", "raw_7a649e12.json");
        let embiid = rows.iter().find(|r| r.player_id == 145).unwrap();
        assert_eq!(
            (embiid.first_name.as_str(), embiid.last_name.as_str()),
            ("Joel", "Embiid")
        );
        assert_eq!(embiid.game_id, None);
        assert_eq!(embiid.game_date, "2024-01-15");
        assert_eq!(embiid.season, 2023);
        assert_eq!((embiid.team.as_str(), embiid.team_id), ("PHI", 23));
        assert!(embiid.is_home);
        assert_eq!(embiid.points, Some(41));
        assert_eq!(embiid.minutes, Some(31.0));
        assert_eq!((embiid.ftm, embiid.fta), (Some(16), Some(17)));
        assert_eq!(embiid.plus_minus, None);
        assert_eq!(embiid.position.as_deref(), Some("F-C"));

        // 2026-01-09: game ids and plus-minus present.
        let rows = sample("bdl_box_scores", "raw_71b3c5b2.json");
        let brown = rows.iter().find(|r| r.player_id == 70).unwrap();
        assert_eq!(brown.game_id, Some(18447346));
        assert_eq!(brown.game_date, "2026-01-09");
        assert_eq!(brown.team, "BOS");
        assert_eq!(brown.points, Some(25));
        assert_eq!(brown.plus_minus, Some(17));
        assert_eq!(brown.game_status, "Final");
    }

    #[test]
    fn flat_stat_lines() {
        let rows = sample("bdl_player_box_scores", "raw_1db4c01e.json");
        assert_eq!(rows.len(), 30);
        let jdub = rows.iter().find(|r| r.player_id == 38017703).unwrap();
        assert_eq!(jdub.last_name, "Williams");
        assert_eq!(jdub.game_id, Some(18444564));
        assert_eq!(jdub.game_date, "2025-06-22");
        assert!(jdub.postseason);
        assert_eq!((jdub.team.as_str(), jdub.is_home), ("OKC", true));
        assert_eq!(jdub.opponent_team_id, 12);
        assert_eq!(jdub.points, Some(20));
        assert_eq!(jdub.minutes, Some(38.0));
        assert!(rows.iter().any(|r| r.minutes == Some(0.0)));
    }

    #[test]
    fn minutes_read_both_ways() {
        assert_eq!(minutes(Some("37:30")).unwrap(), Some(37.5));
        assert_eq!(minutes(Some("00")).unwrap(), Some(0.0));
        assert_eq!(minutes(Some("")).unwrap(), None);
        assert_eq!(minutes(None).unwrap(), None);
        assert!(minutes(Some("DNP"))
            .unwrap_err()
            .contains("schema mismatch"));
    }

    #[test]
    fn schema_drift_is_named() {
        let no_player_id = br#"{"data":[{"date":"2024-01-15","season":2023,"status":"Final","home_team":{"id":1,"abbreviation":"ATL","players":[{"min":"30","pts":10,"player":{"first_name":"A","last_name":"B"}}]},"visitor_team":{"id":2,"abbreviation":"BOS","players":[]}}]}"#;
        let err = parse(no_player_id).unwrap_err();
        assert!(
            err.contains("schema mismatch") && err.contains("id"),
            "{err}"
        );
        assert!(parse(br#"{"games":[]}"#)
            .unwrap_err()
            .contains("schema mismatch"));
        assert!(parse(br#"{"data":[{"x":1}]}"#)
            .unwrap_err()
            .contains("schema mismatch"));
    }

    #[test]
    fn html_and_empty_answers() {
        assert!(parse(b"<html><body>502</body></html>")
            .unwrap_err()
            .contains("HTML"));
        assert_eq!(parse(b"   ").unwrap_err(), "empty body");
        assert_eq!(parse(br#"{"data":[]}"#).unwrap(), vec![]);
        assert_eq!(sample("bdl_box_scores", "raw_d62cc934.json"), vec![]);
    }

    #[test]
    fn requests() {
        let d = NaiveDate::from_ymd_opt(2024, 1, 15).unwrap();
        let req = request(&SourceConfig::live(), d);
        assert_eq!(
            req.url(),
            "https://api.balldontlie.io/v1/box_scores?date=2024-01-15"
        );
        assert_eq!(
            live_request(&SourceConfig::replay("http://r/")).url(),
            "http://r/v1/box_scores/live"
        );
    }
}
