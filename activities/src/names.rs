//! `player_lookup`: the normalized name used only to join sources that lack NBA ids
//! (sportsbooks). Lowercase ASCII letters and digits; accents transliterated; punctuation,
//! spaces and generational suffixes removed ("Kelly Oubre Jr." and "Kelly Oubre" match).

/// Normalizes a player's name for joining.
pub fn player_lookup(name: &str) -> String {
    let ascii = deunicode::deunicode(name).to_lowercase();
    let words: Vec<String> = ascii
        .split(|c: char| c.is_whitespace() || c == '-')
        .map(|w| {
            w.chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .collect();
    let keep = match words.last().map(String::as_str) {
        // Only strip a suffix that follows a first and a last name.
        Some("jr" | "sr" | "ii" | "iii" | "iv" | "v") if words.len() > 2 => words.len() - 1,
        _ => words.len(),
    };
    words[..keep].concat()
}

#[cfg(test)]
mod tests {
    use super::player_lookup;

    #[test]
    fn normalizes_accents_punctuation_and_suffixes() {
        assert_eq!(player_lookup("Nikola Jokić"), "nikolajokic");
        assert_eq!(player_lookup("Luka Dončić"), "lukadoncic");
        assert_eq!(player_lookup("Kelly Oubre Jr."), "kellyoubre");
        assert_eq!(player_lookup("Kelly Oubre"), "kellyoubre");
        assert_eq!(player_lookup("T.J. McConnell"), "tjmcconnell");
        assert_eq!(
            player_lookup("Shai Gilgeous-Alexander"),
            "shaigilgeousalexander"
        );
        assert_eq!(player_lookup("Jaren Jackson Jr"), "jarenjackson");
        assert_eq!(player_lookup("Gary Payton II"), "garypayton");
        assert_eq!(player_lookup("De'Aaron Fox"), "deaaronfox");
    }
}
