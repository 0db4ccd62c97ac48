//! cdn.nba.com live data play-by-play: `liveData/playbyplay/playbyplay_{gameId}.json`, one file per
//! game, `game.actions[]` in the order the scorers entered them (`orderNumber`; `actionNumber`
//! is not monotonic). The feed does not say which team is home: the running `scoreHome` /
//! `scoreAway` do, and [`home_away_team_ids`] reads it from them.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use super::nba_json::{self, parse_minutes};
use super::{SourceConfig, SourceRequest};

pub const SOURCE: &str = "nbac_play_by_play";

pub fn request(config: &SourceConfig, game_id: &str) -> SourceRequest {
    SourceRequest {
        base_url: config.nba_cdn_url.clone(),
        path: format!("/static/json/liveData/playbyplay/playbyplay_{game_id}.json"),
        query: vec![],
        request_key: game_id.to_string(),
    }
}

#[derive(Debug, Deserialize)]
struct PbpFile {
    game: RawGame,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawGame {
    game_id: String,
    actions: Vec<RawAction>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawAction {
    action_number: i64,
    #[serde(default)]
    order_number: Option<i64>,
    period: i64,
    clock: String,
    #[serde(default)]
    team_id: Option<i64>,
    #[serde(default)]
    team_tricode: Option<String>,
    #[serde(default)]
    person_id: Option<i64>,
    #[serde(rename = "playerNameI", default)]
    player_name_i: Option<String>,
    action_type: String,
    #[serde(default)]
    sub_type: Option<String>,
    #[serde(default)]
    qualifiers: Vec<String>,
    #[serde(default)]
    is_field_goal: Option<i64>,
    #[serde(default)]
    shot_result: Option<String>,
    #[serde(default)]
    shot_distance: Option<f64>,
    #[serde(default)]
    area: Option<String>,
    #[serde(default)]
    area_detail: Option<String>,
    #[serde(default)]
    x: Option<f64>,
    #[serde(default)]
    y: Option<f64>,
    #[serde(default)]
    points_total: Option<i64>,
    #[serde(default)]
    assist_person_id: Option<i64>,
    score_home: Value,
    score_away: Value,
    #[serde(default)]
    description: Option<String>,
}

/// One play-by-play action.
#[derive(Debug, Clone, PartialEq)]
pub struct PbpAction {
    pub game_id: String,
    pub action_number: i64,
    pub order_number: Option<i64>,
    /// 1-4, then 5, 6, … for overtimes.
    pub period: i64,
    /// As the feed writes it: "PT11M15.00S" left in the period.
    pub clock: String,
    pub clock_seconds_left: f64,
    pub team_id: Option<i64>,
    pub team: Option<String>,
    pub person_id: Option<i64>,
    /// "J. Randle".
    pub player_name_i: Option<String>,
    /// "2pt", "3pt", "freethrow", "rebound", "turnover", "foul", "substitution", "period", …
    pub action_type: String,
    /// "Jump Shot", "Layup", "1 of 2", …
    pub sub_type: String,
    /// "pointsinthepaint", "2ndchance", "fastbreak", "fromturnover", …
    pub qualifiers: Vec<String>,
    pub is_field_goal: bool,
    /// "Made" or "Missed" on shots and free throws.
    pub shot_result: Option<String>,
    /// Feet from the basket.
    pub shot_distance: Option<f64>,
    /// "Restricted Area", "In The Paint (Non-RA)", "Mid-Range", "Left Corner 3",
    /// "Right Corner 3", "Above the Break 3", "Backcourt".
    pub area: Option<String>,
    /// "8-16 Left", "24+ Left Center", …
    pub area_detail: Option<String>,
    /// Shot location in percent of the court's length (x, 0-100) and width (y, 0-100).
    pub x: Option<f64>,
    pub y: Option<f64>,
    /// The shooter's running points in the game, on made shots.
    pub points_total: Option<i64>,
    pub assist_person_id: Option<i64>,
    pub score_home: i64,
    pub score_away: i64,
    pub description: String,
}

/// Where a field goal was taken from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ShotZone {
    /// The restricted area and the rest of the paint.
    Paint,
    /// Two-pointers outside the paint.
    MidRange,
    Three,
}

impl ShotZone {
    pub fn as_str(self) -> &'static str {
        match self {
            ShotZone::Paint => "paint",
            ShotZone::MidRange => "mid_range",
            ShotZone::Three => "three",
        }
    }
}

impl PbpAction {
    /// A field-goal attempt (made or missed).
    pub fn is_shot(&self) -> bool {
        self.is_field_goal || matches!(self.action_type.as_str(), "2pt" | "3pt")
    }

    pub fn made(&self) -> bool {
        self.shot_result.as_deref() == Some("Made")
    }

    /// The points this action scored: 3, 2 or 1 on a made shot or free throw, else 0.
    pub fn points_scored(&self) -> i64 {
        if !self.made() {
            return 0;
        }
        match self.action_type.as_str() {
            "3pt" => 3,
            "2pt" => 2,
            "freethrow" => 1,
            _ => 0,
        }
    }
}

/// Classifies a field-goal attempt: `three` for 3-pointers; `paint` for 2-pointers in the
/// restricted area or the paint; `mid_range` for other 2-pointers. `None` for anything that is
/// not a field goal, or a 2-pointer the feed does not locate at all.
///
/// For 2-pointers the feed's `pointsinthepaint` qualifier wins over `area`: tip-ins and putbacks
/// are charted at the rim (distance 0) yet sometimes labelled "Mid-Range 8-16 Left". Without an
/// area, the coordinates decide (the paint is 16 ft wide and 19 ft deep), then the distance.
pub fn shot_zone(a: &PbpAction) -> Option<ShotZone> {
    if !a.is_shot() {
        return None;
    }
    if a.action_type == "3pt" {
        return Some(ShotZone::Three);
    }
    if a.qualifiers.iter().any(|q| q == "pointsinthepaint") {
        return Some(ShotZone::Paint);
    }
    match a.area.as_deref() {
        Some("Restricted Area") => return Some(ShotZone::Paint),
        Some(area) if area.starts_with("In The Paint") => return Some(ShotZone::Paint),
        Some(area) if !area.is_empty() => return Some(ShotZone::MidRange),
        _ => {}
    }
    if let (Some(x), Some(y)) = (a.x, a.y) {
        let from_baseline = (x * 0.94).min(94.0 - x * 0.94);
        let from_middle = (y * 0.5 - 25.0).abs();
        return Some(if from_baseline <= 19.0 && from_middle <= 8.0 {
            ShotZone::Paint
        } else {
            ShotZone::MidRange
        });
    }
    a.shot_distance.map(|d| {
        if d <= 8.0 {
            ShotZone::Paint
        } else {
            ShotZone::MidRange
        }
    })
}

fn score(v: &Value, field: &str, action: i64) -> Result<i64, String> {
    let n = match v {
        Value::String(s) => s.trim().parse().ok(),
        Value::Number(n) => n.as_i64(),
        _ => None,
    };
    n.ok_or_else(|| format!("schema mismatch: action {action}: {field} {v} is not a score"))
}

/// Parses a play-by-play file (plain or gzipped): its actions in feed order.
pub fn parse(body: &[u8]) -> Result<Vec<PbpAction>, String> {
    let value = nba_json::load(body)?;
    let file: PbpFile =
        serde_json::from_value(value).map_err(|e| format!("schema mismatch: playbyplay: {e}"))?;
    let game_id = file.game.game_id;
    let mut out = Vec::with_capacity(file.game.actions.len());
    for a in file.game.actions {
        let n = a.action_number;
        let clock_seconds_left = parse_minutes(&a.clock)
            .map_err(|e| format!("schema mismatch: action {n}: clock: {e}"))?
            .ok_or_else(|| format!("schema mismatch: action {n} has an empty clock"))?
            * 60.0;
        out.push(PbpAction {
            game_id: game_id.clone(),
            action_number: n,
            order_number: a.order_number,
            period: a.period,
            clock: a.clock,
            clock_seconds_left,
            team_id: a.team_id.filter(|id| *id != 0),
            team: a.team_tricode.filter(|t| !t.is_empty()),
            person_id: a.person_id.filter(|id| *id != 0),
            player_name_i: a.player_name_i.filter(|t| !t.is_empty()),
            action_type: a.action_type,
            sub_type: a.sub_type.unwrap_or_default(),
            qualifiers: a.qualifiers,
            is_field_goal: a.is_field_goal == Some(1),
            shot_result: a.shot_result.filter(|t| !t.is_empty()),
            shot_distance: a.shot_distance,
            area: a.area.filter(|t| !t.is_empty()),
            area_detail: a.area_detail.filter(|t| !t.is_empty()),
            x: a.x,
            y: a.y,
            points_total: a.points_total,
            assist_person_id: a.assist_person_id.filter(|id| *id != 0),
            score_home: score(&a.score_home, "scoreHome", n)?,
            score_away: score(&a.score_away, "scoreAway", n)?,
            description: a.description.unwrap_or_default(),
        });
    }
    Ok(out)
}

/// Points scored per team id, from made shots and free throws.
pub fn points_by_team(actions: &[PbpAction]) -> BTreeMap<i64, i64> {
    let mut out = BTreeMap::new();
    for a in actions {
        if let (Some(team), p @ 1..) = (a.team_id, a.points_scored()) {
            *out.entry(team).or_insert(0) += p;
        }
    }
    out
}

/// The score after the last action: (home, away).
pub fn final_score(actions: &[PbpAction]) -> Option<(i64, i64)> {
    actions.last().map(|a| (a.score_home, a.score_away))
}

/// (home, away) team ids, read from which running score each team's made shots move.
pub fn home_away_team_ids(actions: &[PbpAction]) -> Result<(i64, i64), String> {
    let (mut home, mut away) = (None::<i64>, None::<i64>);
    let mut prev = (0, 0);
    for a in actions {
        let now = (a.score_home, a.score_away);
        let moved = (now.0 != prev.0, now.1 != prev.1);
        prev = now;
        let Some(team) = a.team_id.filter(|_| a.points_scored() > 0) else {
            continue;
        };
        let side = match moved {
            (true, false) => &mut home,
            (false, true) => &mut away,
            _ => continue,
        };
        match side {
            Some(t) if *t != team => {
                return Err(format!(
                    "action {}: teams {t} and {team} both move one score",
                    a.action_number
                ))
            }
            _ => *side = Some(team),
        }
    }
    match (home, away) {
        (Some(h), Some(a)) if h != a => Ok((h, a)),
        _ => Err("the actions do not show which team is home".to_string()),
    }
}

/// Phase 1: fetch the play-by-play of each of the date's games, one payload per game.
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
        |req| format!("game {}: no play-by-play actions yet", req.request_key),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIR: &str = "../../shared/data/samples/nbac_play_by_play";

    fn sample(file: &str) -> Vec<PbpAction> {
        let body = std::fs::read(format!("{DIR}/{file}"))
            .expect("tests read ../shared/data beside the project");
        parse(&body).unwrap()
    }

    fn zones(actions: &[PbpAction]) -> BTreeMap<(&'static str, bool), usize> {
        let mut out = BTreeMap::new();
        for a in actions {
            if let Some(z) = shot_zone(a) {
                *out.entry((z.as_str(), a.made())).or_insert(0) += 1;
            }
        }
        out
    }

    #[test]
    fn request_is_the_cdn_file() {
        let r = request(&SourceConfig::live(), "0022400561");
        assert_eq!(
            r.url(),
            "https://cdn.nba.com/static/json/liveData/playbyplay/playbyplay_0022400561.json"
        );
        assert_eq!(r.request_key, "0022400561");
    }

    #[test]
    fn made_points_add_up_to_the_final_score_in_every_sample() {
        let mut files = 0;
        for entry in std::fs::read_dir(DIR).unwrap() {
            let path = entry.unwrap().path();
            let actions = parse(&std::fs::read(&path).unwrap()).unwrap();
            files += 1;
            let last = actions.last().unwrap();
            assert_eq!(
                (last.action_type.as_str(), last.sub_type.as_str()),
                ("game", "end")
            );
            let (home, away) = home_away_team_ids(&actions).unwrap();
            let (home_score, away_score) = final_score(&actions).unwrap();
            let points = points_by_team(&actions);
            assert_eq!(points.len(), 2, "{path:?}");
            assert_eq!(points[&home], home_score, "{path:?} home");
            assert_eq!(points[&away], away_score, "{path:?} away");
            // Every change of the running score is a made shot or free throw of that size.
            let mut prev = (0, 0);
            for a in &actions {
                let moved = (a.score_home - prev.0) + (a.score_away - prev.1);
                assert_eq!(moved, a.points_scored(), "action {}", a.action_number);
                prev = (a.score_home, a.score_away);
            }
            // Running player totals agree with the made shots.
            let mut by_player: BTreeMap<i64, i64> = BTreeMap::new();
            for a in actions.iter().filter(|a| a.points_scored() > 0) {
                let p = by_player.entry(a.person_id.unwrap()).or_insert(0);
                *p += a.points_scored();
                assert_eq!(a.points_total, Some(*p), "action {}", a.action_number);
            }
            // Zones cover every field goal; their points plus free throws make the total.
            let z = zones(&actions);
            let shots = actions.iter().filter(|a| a.is_shot()).count();
            assert_eq!(z.values().sum::<usize>(), shots);
            let ft = actions
                .iter()
                .filter(|a| a.action_type == "freethrow" && a.made())
                .count();
            let made = |zone| z.get(&(zone, true)).copied().unwrap_or(0) as i64;
            assert_eq!(
                2 * (made("paint") + made("mid_range")) + 3 * made("three") + ft as i64,
                home_score + away_score
            );
        }
        assert_eq!(files, 2);
    }

    #[test]
    fn knicks_at_76ers_overtime_checked_against_the_box_score() {
        let actions = sample("raw_416e8d5c.json.gz");
        assert_eq!(actions.len(), 506);
        assert!(actions.iter().all(|a| a.game_id == "0022400561"));
        assert_eq!(actions.iter().map(|a| a.period).max(), Some(5));
        // 76ers home 119, Knicks 125, as in the schedule and box score samples.
        assert_eq!(
            home_away_team_ids(&actions).unwrap(),
            (1610612755, 1610612752)
        );
        assert_eq!(final_score(&actions), Some((119, 125)));
        // Each player's made points equal the points in the v2 box score of the same game.
        let box_body =
            std::fs::read("../../shared/data/samples/nbac_team_boxscore/raw_12f99055.json")
                .unwrap();
        let lines = super::super::nbac_team_boxscore::parse(&box_body).unwrap();
        let mut by_player: BTreeMap<i64, i64> = BTreeMap::new();
        for a in &actions {
            if let Some(p) = a.person_id {
                *by_player.entry(p).or_insert(0) += a.points_scored();
            }
        }
        for l in lines.iter().filter(|l| l.played() && !l.is_team_total()) {
            let id = l.player.as_ref().unwrap().person_id;
            assert_eq!(by_player.get(&id).copied().unwrap_or(0), l.points(), "{id}");
        }
        // Zones, checked by hand from area + qualifiers: 63 made 2s (55 in the paint), 29 made 3s.
        let z = zones(&actions);
        assert_eq!(z[&("paint", true)], 55);
        assert_eq!(z[&("mid_range", true)], 8);
        assert_eq!(z[&("three", true)], 29);
        // J. Sims's putback dunk is charted at the rim but labelled "Mid-Range".
        let dunk = actions.iter().find(|a| a.action_number == 405).unwrap();
        assert_eq!(dunk.area.as_deref(), Some("Mid-Range"));
        assert_eq!(dunk.shot_distance, Some(0.0));
        assert_eq!(shot_zone(dunk), Some(ShotZone::Paint));
        // A made 3 with its location.
        let three = actions.iter().find(|a| a.action_number == 17).unwrap();
        assert_eq!(three.team.as_deref(), Some("NYK"));
        assert_eq!(three.person_id, Some(1628969));
        assert_eq!(three.points_total, Some(3));
        assert_eq!(three.shot_distance, Some(27.94));
        assert_eq!(three.area.as_deref(), Some("Above the Break 3"));
        assert!(three.x.is_some() && three.y.is_some());
        assert_eq!(three.assist_person_id, Some(1628404));
        assert!((three.clock_seconds_left - 655.0).abs() < 1e-9);
        assert_eq!(shot_zone(three), Some(ShotZone::Three));
    }

    #[test]
    fn clippers_at_timberwolves() {
        let actions = sample("raw_14ecf360.json.gz");
        assert_eq!(actions.len(), 571);
        assert_eq!(
            home_away_team_ids(&actions).unwrap(),
            (1610612750, 1610612746)
        );
        assert_eq!(final_score(&actions), Some((108, 106)));
        let z = zones(&actions);
        assert_eq!(
            (
                z[&("paint", true)],
                z[&("mid_range", true)],
                z[&("three", true)]
            ),
            (48, 2, 28)
        );
        // Free throws and team actions have no zone and no person.
        let ft = actions
            .iter()
            .find(|a| a.action_type == "freethrow")
            .unwrap();
        assert_eq!(shot_zone(ft), None);
        let start = &actions[0];
        assert_eq!((start.team_id, start.person_id), (None, None));
    }

    #[test]
    fn zones_fall_back_on_location() {
        let mut a = sample("raw_14ecf360.json.gz")
            .into_iter()
            .find(|a| a.action_type == "2pt")
            .unwrap();
        a.qualifiers.clear();
        a.area = None;
        (a.x, a.y) = (Some(5.3), Some(50.0));
        assert_eq!(shot_zone(&a), Some(ShotZone::Paint));
        (a.x, a.y) = (Some(80.0), Some(50.0));
        assert_eq!(
            shot_zone(&a),
            Some(ShotZone::Paint),
            "18.8 ft from the far baseline"
        );
        (a.x, a.y) = (Some(75.0), Some(50.0));
        assert_eq!(shot_zone(&a), Some(ShotZone::MidRange), "23.5 ft out");
        (a.x, a.y) = (Some(5.3), Some(20.0));
        assert_eq!(shot_zone(&a), Some(ShotZone::MidRange), "15 ft to the side");
        (a.x, a.y) = (None, None);
        a.shot_distance = Some(3.0);
        assert_eq!(shot_zone(&a), Some(ShotZone::Paint));
        a.shot_distance = None;
        assert_eq!(shot_zone(&a), None);
    }

    #[test]
    fn schema_drift_html_and_empty_games() {
        let no_type = br#"{"game":{"gameId":"0022400561","actions":[{"actionNumber":1,"period":1,
            "clock":"PT12M00.00S","scoreHome":"0","scoreAway":"0"}]}}"#;
        let err = parse(no_type).unwrap_err();
        assert!(
            err.contains("schema mismatch") && err.contains("actionType"),
            "{err}"
        );
        let bad_score = br#"{"game":{"gameId":"0022400561","actions":[{"actionNumber":1,"period":1,
            "clock":"PT12M00.00S","actionType":"period","scoreHome":"x","scoreAway":"0"}]}}"#;
        assert!(parse(bad_score)
            .unwrap_err()
            .contains("schema mismatch: action 1: scoreHome"));
        assert!(parse(br#"{"meta":{"code":200}}"#)
            .unwrap_err()
            .contains("schema mismatch"));
        assert!(parse(b"<?xml version=\"1.0\"?><Error>AccessDenied</Error>")
            .unwrap_err()
            .contains("expected JSON"));
        assert!(parse(b"<html><head><title>403</title></head></html>")
            .unwrap_err()
            .contains("HTML"));
        let empty =
            br#"{"meta":{"version":1,"code":200},"game":{"gameId":"0022500001","actions":[]}}"#;
        assert_eq!(parse(empty).unwrap(), vec![]);
        assert!(home_away_team_ids(&[]).is_err());
    }
}
