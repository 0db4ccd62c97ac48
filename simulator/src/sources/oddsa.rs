//! The Odds API's events and the shape of an event's odds, shared by the points props and the
//! game lines.

use serde_json::{json, Value};

use super::format::{team_of, DayClock, TS};
use crate::naming::event_id;
use crate::season_out::GameOut;

fn event_head(g: &GameOut, clock: &DayClock) -> Value {
    json!({
        "id": event_id(&g.game.game_id),
        "sport_key": "basketball_nba",
        "sport_title": "NBA",
        "commence_time": clock.utc(g.game.tip_et).format(TS).to_string(),
        "home_team": team_of(&g.home).odds_name,
        "away_team": team_of(&g.away).odds_name,
    })
}

/// The Odds API events of a date (`[]` without games).
pub fn events(games: &[&GameOut], clock: &DayClock) -> Value {
    Value::Array(games.iter().map(|g| event_head(g, clock)).collect())
}

const BOOKS: [(&str, &str); 2] = [("draftkings", "DraftKings"), ("fanduel", "FanDuel")];

pub(crate) fn event_odds(
    g: &GameOut,
    clock: &DayClock,
    markets: [Vec<(&str, Vec<Value>)>; 2],
) -> Value {
    let snap = clock.snapshot();
    let mut ev = event_head(g, clock);
    let bookmakers: Vec<Value> = BOOKS
        .iter()
        .zip(markets)
        .filter(|(_, m)| m.iter().any(|(_, outcomes)| !outcomes.is_empty()))
        .map(|((key, title), m)| {
            let markets: Vec<Value> = m
                .into_iter()
                .map(|(mk, outcomes)| json!({"key": mk, "last_update": snap, "outcomes": outcomes}))
                .collect();
            json!({"key": key, "title": title, "last_update": snap, "markets": markets})
        })
        .collect();
    ev["bookmakers"] = Value::Array(bookmakers);
    ev
}
