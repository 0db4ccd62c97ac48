//! An event's spreads and totals (what `oddsa_game_lines` reads).

use serde_json::{json, Value};

use super::format::{team_of, DayClock};
use super::oddsa::event_odds;
use crate::season_out::GameOut;

/// One event's spreads and totals, both books.
pub fn game_lines_odds(g: &GameOut, clock: &DayClock) -> Value {
    let (home, away) = (team_of(&g.home).odds_name, team_of(&g.away).odds_name);
    let markets = [0, 1].map(|b| {
        let l = g.lines[b];
        vec![
            (
                "spreads",
                vec![
                    json!({"name": home, "price": l.home_price, "point": l.home_spread}),
                    json!({"name": away, "price": l.away_price, "point": -l.home_spread}),
                ],
            ),
            (
                "totals",
                vec![
                    json!({"name": "Over", "price": l.over, "point": l.total}),
                    json!({"name": "Under", "price": l.under, "point": l.total}),
                ],
            ),
        ]
    });
    event_odds(g, clock, markets)
}
