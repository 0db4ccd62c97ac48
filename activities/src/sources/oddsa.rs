//! The Odds API v4 wire types shared by its sources: an event's odds (bookmakers, markets,
//! outcomes) and the historical endpoints' `{"timestamp", "data"}` envelope.

use serde::Deserialize;

/// A live answer, or the historical endpoint's `{"timestamp", "data"}` envelope around it.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Wrapped<T> {
    Historical { data: T },
    Live(T),
}

impl<T> Wrapped<T> {
    pub(crate) fn into_inner(self) -> T {
        match self {
            Wrapped::Historical { data } | Wrapped::Live(data) => data,
        }
    }
}

/// One event's odds as the API returns them (live, or inside `Wrapped::Historical`).
#[derive(Debug, Deserialize)]
pub struct EventOdds {
    pub id: String,
    pub commence_time: String,
    pub home_team: String,
    pub away_team: String,
    #[serde(default)]
    pub bookmakers: Vec<Bookmaker>,
}

#[derive(Debug, Deserialize)]
pub struct Bookmaker {
    pub key: String,
    pub markets: Vec<Market>,
}

#[derive(Debug, Deserialize)]
pub struct Market {
    /// `player_points`, `spreads`, `totals`, ...
    pub key: String,
    pub last_update: String,
    pub outcomes: Vec<Outcome>,
}

#[derive(Debug, Deserialize)]
pub struct Outcome {
    /// "Over" / "Under", or a team (spreads).
    pub name: String,
    /// The player of a player market, in the bookmaker's spelling.
    pub description: Option<String>,
    /// American (-110) or decimal (1.91), as the request's oddsFormat asked.
    pub price: serde_json::Number,
    pub point: Option<f64>,
}
