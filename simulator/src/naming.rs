//! How the simulated sources name things: The Odds API's event ids and the books' spelling of
//! player names.

/// The Odds API's event id of a game.
pub(crate) fn event_id(game_id: &str) -> String {
    blake3::hash(game_id.as_bytes()).to_hex()[..32].to_string()
}

/// The sportsbook spelling of a name: books drop accents and apostrophes.
pub(crate) fn book_spelling(name: &str) -> String {
    deunicode::deunicode(name).replace('\'', "")
}
