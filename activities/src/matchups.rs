//! Matchup strings as the sources print them ("BOS @ NYK", "OKC vs. HOU") and the synthetic
//! game ids built from a matchup's teams.

/// A synthetic game id for sources without one: `2025-11-01:BOS@NYK`.
pub fn synthetic_game_id(date: &str, away: &str, home: &str) -> String {
    format!("{date}:{away}@{home}")
}

/// The team of a "BOS @ NYK" / "BOS vs. NYK" matchup: the first tricode.
pub fn team_of_matchup(matchup: &str) -> String {
    matchup.split_whitespace().next().unwrap_or("").to_string()
}

/// A matchup's team, opponent and whether the team is at home: `"OKC vs. HOU"` is OKC at home
/// to HOU, `"GSW @ LAL"` is GSW away at LAL.
pub fn sides_of_matchup(matchup: &str) -> Option<(String, String, bool)> {
    let parts: Vec<&str> = matchup.split_whitespace().collect();
    match parts.as_slice() {
        [team, "vs.", opponent] | [team, "vs", opponent] => {
            Some((team.to_string(), opponent.to_string(), true))
        }
        [team, "@", opponent] => Some((team.to_string(), opponent.to_string(), false)),
        _ => None,
    }
}
