//! stats.nba.com `scheduleleaguev2int`: the whole season's schedule, with scores once games are
//! final. Same shape as the CDN schedule (`leagueSchedule.gameDates[].games[]`), but served by the
//! stats host and covering past seasons. A game's date is its Eastern date (`gameDateEst`).

use chrono::NaiveDate;
use serde::Deserialize;

use super::{nba_season, SourceConfig, SourceRequest};

pub const SOURCE: &str = "nbac_schedule_api";

/// `gameStatus` of a finished game (1 scheduled, 2 in progress).
pub const STATUS_FINAL: i64 = 3;

pub fn request(config: &SourceConfig, date: NaiveDate) -> SourceRequest {
    SourceRequest {
        base_url: config.nba_stats_url.clone(),
        path: "/stats/scheduleleaguev2int".into(),
        query: vec![
            ("LeagueID".into(), "00".into()),
            ("Season".into(), nba_season(date)),
        ],
        request_key: "season".into(),
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ScheduleFile {
    league_schedule: LeagueSchedule,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LeagueSchedule {
    game_dates: Vec<GameDate>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct GameDate {
    games: Vec<RawGame>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawGame {
    game_id: String,
    game_status: i64,
    #[serde(default)]
    game_status_text: String,
    game_date_est: String,
    #[serde(rename = "gameDateTimeUTC", default)]
    game_date_time_utc: Option<String>,
    home_team: RawTeam,
    away_team: RawTeam,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawTeam {
    team_id: i64,
    team_tricode: String,
    #[serde(default)]
    score: Option<i64>,
}

/// One game of the season.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleGame {
    /// Ten digits: "00" + season type (1 preseason, 2 regular, 3 All-Star, 4 playoffs,
    /// 5 play-in, 6 NBA Cup final) + two-digit season start + five-digit sequence.
    pub game_id: String,
    /// The Eastern calendar date, YYYY-MM-DD.
    pub game_date_et: String,
    /// Tip-off, RFC 3339 UTC, when the feed gives it.
    pub start_time_utc: Option<String>,
    /// 1 scheduled, 2 in progress, 3 final.
    pub status: i64,
    pub status_text: String,
    pub home: ScheduleTeam,
    pub away: ScheduleTeam,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleTeam {
    pub team_id: i64,
    pub tricode: String,
    /// The final score; `None` until the game is final.
    pub score: Option<i64>,
}

impl ScheduleGame {
    pub fn is_final(&self) -> bool {
        self.status == STATUS_FINAL
    }

    /// The season-type digit of the game id: '1' preseason, '2' regular season, '3' All-Star,
    /// '4' playoffs, '5' play-in, '6' NBA Cup final.
    pub fn season_type_digit(&self) -> char {
        self.game_id.chars().nth(2).unwrap_or('?')
    }

    /// Regular season, play-in or playoffs: the games player props are offered on.
    pub fn is_competitive(&self) -> bool {
        matches!(self.season_type_digit(), '2' | '4' | '5' | '6')
    }
}

fn team(t: RawTeam, is_final: bool) -> ScheduleTeam {
    ScheduleTeam {
        team_id: t.team_id,
        tricode: t.team_tricode,
        score: if is_final { t.score } else { None },
    }
}

/// Parses the season schedule and checks every game carries a 10-digit id and an Eastern date.
pub fn parse(body: &[u8]) -> Result<Vec<ScheduleGame>, String> {
    let value = super::nba_json::load(body)?;
    let file: ScheduleFile =
        serde_json::from_value(value).map_err(|e| format!("schema mismatch: {e}"))?;
    let mut out = Vec::new();
    for g in file
        .league_schedule
        .game_dates
        .into_iter()
        .flat_map(|d| d.games)
    {
        if g.game_id.len() != 10 || !g.game_id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "schema mismatch: game id {:?} is not a 10-digit NBA id",
                g.game_id
            ));
        }
        let date = g.game_date_est.get(..10).unwrap_or_default().to_string();
        if NaiveDate::parse_from_str(&date, "%Y-%m-%d").is_err() {
            return Err(format!(
                "schema mismatch: game {} has no Eastern date: {:?}",
                g.game_id, g.game_date_est
            ));
        }
        let is_final = g.game_status == STATUS_FINAL;
        if is_final && (g.home_team.score.is_none() || g.away_team.score.is_none()) {
            return Err(format!(
                "schema mismatch: final game {} has no score",
                g.game_id
            ));
        }
        out.push(ScheduleGame {
            game_id: g.game_id,
            game_date_et: date,
            start_time_utc: g.game_date_time_utc,
            status: g.game_status,
            status_text: g.game_status_text,
            home: team(g.home_team, is_final),
            away: team(g.away_team, is_final),
        });
    }
    Ok(out)
}

/// The games of one Eastern date.
pub fn games_on(games: Vec<ScheduleGame>, date: &str) -> Vec<ScheduleGame> {
    games
        .into_iter()
        .filter(|g| g.game_date_et == date)
        .collect()
}

/// Phase 1: fetch the season schedule from the stats host and keep it once per season and
/// content (under `nbac_schedule_api/season-{Season}/…`), like the CDN schedule.
pub async fn fetch(deps: &crate::Deps, date: &str) -> crate::Result<nbaprops_proto::ScrapeResult> {
    let day = super::parse_date(date)?;
    let req = request(&deps.sources.config, day);
    let body = deps.sources.get(SOURCE, date, &req).await?;
    let partition = format!("season-{}", nba_season(day));
    let (payload, games) = super::http::keep_payload_in(
        &deps.raw,
        &deps.warehouse,
        SOURCE,
        date,
        &partition,
        &req,
        body,
        |b| parse(b).map(|games| games_on(games, date).len()),
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

    const SAMPLE: &str = "../../shared/data/samples/nbac_schedule_api/raw_80cb1fd6.json.gz";

    fn sample() -> Vec<ScheduleGame> {
        let body = std::fs::read(SAMPLE).expect("tests read ../shared/data beside the project");
        parse(&body).unwrap()
    }

    #[test]
    fn request_names_the_season() {
        let d = NaiveDate::from_ymd_opt(2025, 3, 15).unwrap();
        let r = request(&SourceConfig::live(), d);
        assert_eq!(
            r.url(),
            "https://stats.nba.com/stats/scheduleleaguev2int?LeagueID=00&Season=2024-25"
        );
    }

    #[test]
    fn parses_the_recorded_2024_25_season() {
        let games = sample();
        assert_eq!(games.len(), 1400);
        let count = |d: char| games.iter().filter(|g| g.season_type_digit() == d).count();
        assert_eq!(count('1'), 73, "preseason");
        assert_eq!(count('2'), 1230, "regular season: 30 teams x 82 / 2");
        assert_eq!(count('4'), 84, "playoffs");
        assert_eq!(count('5'), 6, "play-in");
        assert!(games
            .iter()
            .all(|g| g.game_id.len() == 10 && g.game_id.bytes().all(|b| b.is_ascii_digit())));
        assert!(games.iter().all(|g| g.is_final()
            && g.home.score.is_some()
            && g.away.score.is_some()
            && g.home.score != g.away.score));
        let mut ids: Vec<&str> = games.iter().map(|g| g.game_id.as_str()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), games.len(), "game ids are unique");

        // Checked by hand: Warriors 97, Knicks 94 at Chase Center (see nbac_player_boxscore).
        let g = games.iter().find(|g| g.game_id == "0022400974").unwrap();
        assert_eq!(g.game_date_et, "2025-03-15");
        assert_eq!(g.status_text, "Final");
        assert_eq!(
            (g.home.team_id, g.home.tricode.as_str(), g.home.score),
            (1610612744, "GSW", Some(97))
        );
        assert_eq!(
            (g.away.team_id, g.away.tricode.as_str(), g.away.score),
            (1610612752, "NYK", Some(94))
        );
        assert!(g.is_competitive());
        // Checked by hand against the boxscore and play-by-play samples: 76ers 119, Knicks 125.
        let g = games.iter().find(|g| g.game_id == "0022400561").unwrap();
        assert_eq!(g.game_date_et, "2025-01-15");
        assert_eq!((g.home.tricode.as_str(), g.home.score), ("PHI", Some(119)));
        assert_eq!((g.away.tricode.as_str(), g.away.score), ("NYK", Some(125)));
        assert_eq!(games_on(games, "2025-03-15").len(), 8);
    }

    #[test]
    fn schema_drift_html_and_empty_seasons() {
        let drift = br#"{"leagueSchedule":{"gameDates":[{"games":[{"gameId":"0022400001"}]}]}}"#;
        let err = parse(drift).unwrap_err();
        assert!(err.contains("schema mismatch"), "{err}");
        assert!(parse(b"{\"leagueSchedule\":{}}")
            .unwrap_err()
            .contains("schema mismatch"));
        let bad_id =
            br#"{"leagueSchedule":{"gameDates":[{"games":[{"gameId":"224001","gameStatus":1,
            "gameDateEst":"2024-10-22T00:00:00Z","homeTeam":{"teamId":1,"teamTricode":"BOS"},
            "awayTeam":{"teamId":2,"teamTricode":"NYK"}}]}]}}"#;
        assert!(parse(bad_id).unwrap_err().contains("10-digit"));
        assert!(parse(b"<!DOCTYPE html><html>Access Denied</html>")
            .unwrap_err()
            .contains("HTML"));
        assert_eq!(parse(b"").unwrap_err(), "empty body");
        let empty =
            br#"{"meta":{"version":1},"leagueSchedule":{"seasonYear":"2025-26","gameDates":[]}}"#;
        assert_eq!(parse(empty).unwrap(), vec![]);
    }

    #[test]
    fn scores_are_kept_only_for_final_games() {
        let body =
            br#"{"leagueSchedule":{"gameDates":[{"games":[{"gameId":"0022500001","gameStatus":1,
            "gameStatusText":"7:30 pm ET","gameDateEst":"2025-10-21T00:00:00Z",
            "homeTeam":{"teamId":1610612738,"teamTricode":"BOS","score":0},
            "awayTeam":{"teamId":1610612752,"teamTricode":"NYK","score":0}}]}]}}"#;
        let games = parse(body).unwrap();
        assert_eq!(games[0].home.score, None);
        assert!(!games[0].is_final());
        let final_without_score = br#"{"leagueSchedule":{"gameDates":[{"games":[{"gameId":"0022500001",
            "gameStatus":3,"gameDateEst":"2025-10-21T00:00:00Z",
            "homeTeam":{"teamId":1,"teamTricode":"BOS"},"awayTeam":{"teamId":2,"teamTricode":"NYK"}}]}]}}"#;
        assert!(parse(final_without_score)
            .unwrap_err()
            .contains("has no score"));
    }
}
