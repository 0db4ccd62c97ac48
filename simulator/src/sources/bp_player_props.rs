//! BettingPros' events of a date and an event's points offers (what `bp_player_props` reads).

use serde_json::{json, Value};

use super::format::{team_of, DayClock};
use crate::naming::book_spelling;
use crate::players::Player;
use crate::season_out::GameOut;
use crate::teams::TEAMS;

/// BettingPros' event id of a game (its own number space).
pub fn bp_event_id(g: &GameOut) -> i64 {
    g.game.game_id.parse::<i64>().expect("numeric game id") % 100_000_000
}

/// BettingPros' player id (its own number space).
pub fn bp_player_id(p: &Player) -> i64 {
    p.id - 1_600_000
}

/// BettingPros' book ids: DraftKings, FanDuel.
const BP_BOOKS: [i64; 2] = [12, 10];

/// The `v3/events` answer of a date (`{"events": []}` without games).
pub fn bp_events(games: &[&GameOut], clock: &DayClock) -> Value {
    let events: Vec<Value> = games
        .iter()
        .map(|g| {
            json!({
                "id": bp_event_id(g),
                "sport": "NBA",
                "league": "NBA",
                "scheduled": clock.utc(g.game.tip_et).format("%Y-%m-%d %H:%M:%S").to_string(),
                "status": "scheduled",
                "home": team_of(&g.home).tricode,
                "visitor": team_of(&g.away).tricode,
            })
        })
        .collect();
    json!({"events": events, "_parameters": {"sport": "NBA", "date": clock.date.to_string()}})
}

/// One event's points offers (market 156): each player with a line, both books.
pub fn bp_offers(players: &[Player], g: &GameOut, clock: &DayClock) -> Value {
    let updated = clock.utc(12 * 60).format("%Y-%m-%d %H:%M:%S").to_string();
    let offers: Vec<Value> = g
        .props
        .iter()
        .map(|prop| {
            let p = &players[prop.player];
            let selection = |over: bool| {
                let books: Vec<Value> = BP_BOOKS
                    .iter()
                    .zip(prop.books)
                    .map(|(id, l)| {
                        json!({"id": id, "lines": [{
                            "line": l.line, "cost": if over { l.over } else { l.under },
                            "main": true, "active": true, "updated": updated,
                        }]})
                    })
                    .collect();
                json!({"selection": if over { "over" } else { "under" },
                       "label": if over { "Over" } else { "Under" }, "books": books})
            };
            json!({
                "event_id": bp_event_id(g),
                "market_id": nbaprops_activities::sources::bp_player_props::POINTS_MARKET_ID,
                "participants": [{"id": bp_player_id(p).to_string(), "name": book_spelling(&p.name()),
                                  "player": {"team": TEAMS[p.team].tricode, "position": p.pos.to_string()}}],
                "selections": [selection(true), selection(false)],
            })
        })
        .collect();
    json!({"offers": offers, "_pagination": {"page": 1, "total_pages": 1}})
}
