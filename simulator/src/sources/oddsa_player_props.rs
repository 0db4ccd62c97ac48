//! An event's `player_points` odds (what `oddsa_player_props` reads).

use serde_json::{json, Value};

use super::format::DayClock;
use super::oddsa::event_odds;
use crate::naming::book_spelling;
use crate::players::Player;
use crate::season_out::GameOut;

/// One event's `player_points` odds, both books.
pub fn props_odds(players: &[Player], g: &GameOut, clock: &DayClock) -> Value {
    let markets = [0, 1].map(|b| {
        let mut outcomes = Vec::new();
        for prop in &g.props {
            let name = book_spelling(&players[prop.player].name());
            let l = prop.books[b];
            outcomes.push(
                json!({"name": "Over", "description": name, "price": l.over, "point": l.line}),
            );
            outcomes.push(
                json!({"name": "Under", "description": name, "price": l.under, "point": l.line}),
            );
        }
        vec![("player_points", outcomes)]
    });
    event_odds(g, clock, markets)
}
