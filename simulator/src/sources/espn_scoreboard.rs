//! ESPN's scoreboard of a date (what `espn_scoreboard` reads).

use chrono::NaiveDate;
use nbaprops_activities::sources::nba_season;
use serde_json::{json, Value};

use super::format::{team_of, DayClock};
use crate::season_out::{GameOut, TeamBox};

fn espn_season(date: NaiveDate) -> (i32, String) {
    let s = nba_season(date);
    (s[..4].parse::<i32>().expect("a season year") + 1, s)
}

/// ESPN's scoreboard of a date (`"events": []` without games).
pub fn espn(date: NaiveDate, games: &[&GameOut], clock: &DayClock) -> Value {
    let (year, display) = espn_season(date);
    let events: Vec<Value> = games
        .iter()
        .map(|g| {
            let when = clock.utc(g.game.tip_et).format("%Y-%m-%dT%H:%MZ").to_string();
            let detail = match g.periods {
                4 => "Final".to_string(),
                5 => "Final/OT".to_string(),
                n => format!("Final/{}OT", n - 4),
            };
            let status = json!({
                "clock": 0.0, "displayClock": "0.0", "period": g.periods,
                "type": {"id": "3", "name": "STATUS_FINAL", "state": "post", "completed": true,
                         "description": "Final", "detail": detail, "shortDetail": detail}
            });
            let side = |b: &TeamBox, other: &TeamBox, order: u32, home_away: &str| {
                let t = team_of(b);
                json!({
                    "id": t.espn_id.to_string(), "uid": format!("s:40~l:46~t:{}", t.espn_id),
                    "type": "team", "order": order, "homeAway": home_away,
                    "winner": b.totals.pts > other.totals.pts,
                    "team": {
                        "id": t.espn_id.to_string(), "uid": format!("s:40~l:46~t:{}", t.espn_id),
                        "location": t.city, "name": t.name, "abbreviation": t.espn_abbr,
                        "displayName": t.full_name(), "shortDisplayName": t.name, "isActive": true
                    },
                    "score": b.totals.pts.to_string(),
                    "records": [{"name": "overall", "abbreviation": "Game", "type": "total",
                                 "summary": format!("{}-{}", b.wins, b.losses)}]
                })
            };
            let (h, a) = (team_of(&g.home), team_of(&g.away));
            json!({
                "id": g.espn_id,
                "uid": format!("s:40~l:46~e:{}", g.espn_id),
                "date": when,
                "name": format!("{} at {}", a.full_name(), h.full_name()),
                "shortName": format!("{} @ {}", a.espn_abbr, h.espn_abbr),
                "season": {"year": year, "type": 2, "slug": "regular-season"},
                "competitions": [{
                    "id": g.espn_id, "uid": format!("s:40~l:46~e:{}~c:{}", g.espn_id, g.espn_id),
                    "date": when, "type": {"id": "1", "abbreviation": "STD"},
                    "timeValid": true, "neutralSite": false,
                    "venue": {"fullName": h.arena, "address": {"city": h.city, "state": h.state}, "indoor": true},
                    "competitors": [side(&g.home, &g.away, 0, "home"), side(&g.away, &g.home, 1, "away")],
                    "status": status,
                }],
                "status": status,
            })
        })
        .collect();
    json!({
        "leagues": [{
            "id": "46", "uid": "s:40~l:46", "name": "National Basketball Association",
            "abbreviation": "NBA", "slug": "nba",
            "season": {"year": year, "displayName": display,
                       "type": {"id": "2", "type": 2, "name": "Regular Season", "abbreviation": "reg"}},
            "calendarType": "day",
        }],
        "season": {"type": 2, "year": year},
        "day": {"date": date.format("%Y-%m-%d").to_string()},
        "events": events,
    })
}
