//! The 30 NBA teams: NBA.com id, tricode and full name. The sportsbooks name teams in full
//! ("Los Angeles Clippers"), NBA.com by tricode ("LAC"); analytics join the two through here.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NbaTeam {
    pub team_id: i64,
    pub tricode: &'static str,
    pub full_name: &'static str,
}

pub const TEAMS: [NbaTeam; 30] = [
    NbaTeam {
        team_id: 1610612737,
        tricode: "ATL",
        full_name: "Atlanta Hawks",
    },
    NbaTeam {
        team_id: 1610612751,
        tricode: "BKN",
        full_name: "Brooklyn Nets",
    },
    NbaTeam {
        team_id: 1610612738,
        tricode: "BOS",
        full_name: "Boston Celtics",
    },
    NbaTeam {
        team_id: 1610612766,
        tricode: "CHA",
        full_name: "Charlotte Hornets",
    },
    NbaTeam {
        team_id: 1610612741,
        tricode: "CHI",
        full_name: "Chicago Bulls",
    },
    NbaTeam {
        team_id: 1610612739,
        tricode: "CLE",
        full_name: "Cleveland Cavaliers",
    },
    NbaTeam {
        team_id: 1610612742,
        tricode: "DAL",
        full_name: "Dallas Mavericks",
    },
    NbaTeam {
        team_id: 1610612743,
        tricode: "DEN",
        full_name: "Denver Nuggets",
    },
    NbaTeam {
        team_id: 1610612765,
        tricode: "DET",
        full_name: "Detroit Pistons",
    },
    NbaTeam {
        team_id: 1610612744,
        tricode: "GSW",
        full_name: "Golden State Warriors",
    },
    NbaTeam {
        team_id: 1610612745,
        tricode: "HOU",
        full_name: "Houston Rockets",
    },
    NbaTeam {
        team_id: 1610612754,
        tricode: "IND",
        full_name: "Indiana Pacers",
    },
    NbaTeam {
        team_id: 1610612746,
        tricode: "LAC",
        full_name: "Los Angeles Clippers",
    },
    NbaTeam {
        team_id: 1610612747,
        tricode: "LAL",
        full_name: "Los Angeles Lakers",
    },
    NbaTeam {
        team_id: 1610612763,
        tricode: "MEM",
        full_name: "Memphis Grizzlies",
    },
    NbaTeam {
        team_id: 1610612748,
        tricode: "MIA",
        full_name: "Miami Heat",
    },
    NbaTeam {
        team_id: 1610612749,
        tricode: "MIL",
        full_name: "Milwaukee Bucks",
    },
    NbaTeam {
        team_id: 1610612750,
        tricode: "MIN",
        full_name: "Minnesota Timberwolves",
    },
    NbaTeam {
        team_id: 1610612740,
        tricode: "NOP",
        full_name: "New Orleans Pelicans",
    },
    NbaTeam {
        team_id: 1610612752,
        tricode: "NYK",
        full_name: "New York Knicks",
    },
    NbaTeam {
        team_id: 1610612760,
        tricode: "OKC",
        full_name: "Oklahoma City Thunder",
    },
    NbaTeam {
        team_id: 1610612753,
        tricode: "ORL",
        full_name: "Orlando Magic",
    },
    NbaTeam {
        team_id: 1610612755,
        tricode: "PHI",
        full_name: "Philadelphia 76ers",
    },
    NbaTeam {
        team_id: 1610612756,
        tricode: "PHX",
        full_name: "Phoenix Suns",
    },
    NbaTeam {
        team_id: 1610612757,
        tricode: "POR",
        full_name: "Portland Trail Blazers",
    },
    NbaTeam {
        team_id: 1610612758,
        tricode: "SAC",
        full_name: "Sacramento Kings",
    },
    NbaTeam {
        team_id: 1610612759,
        tricode: "SAS",
        full_name: "San Antonio Spurs",
    },
    NbaTeam {
        team_id: 1610612761,
        tricode: "TOR",
        full_name: "Toronto Raptors",
    },
    NbaTeam {
        team_id: 1610612762,
        tricode: "UTA",
        full_name: "Utah Jazz",
    },
    NbaTeam {
        team_id: 1610612764,
        tricode: "WAS",
        full_name: "Washington Wizards",
    },
];

/// The team of a tricode.
pub fn by_tricode(tricode: &str) -> Option<&'static NbaTeam> {
    TEAMS.iter().find(|t| t.tricode == tricode)
}

/// The team of a full name as a sportsbook writes it; "LA Clippers" and "Los Angeles
/// Clippers" are the same team.
pub fn by_full_name(name: &str) -> Option<&'static NbaTeam> {
    let norm = |s: &str| s.to_ascii_lowercase().replace("los angeles", "la");
    let want = norm(name.trim());
    TEAMS.iter().find(|t| norm(t.full_name) == want)
}

/// The tricode of a full name, or the name itself when it already is one.
pub fn tricode_of(name: &str) -> Option<&'static str> {
    by_tricode(name)
        .or_else(|| by_full_name(name))
        .map(|t| t.tricode)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sportsbook_names_resolve_to_tricodes() {
        assert_eq!(tricode_of("LA Clippers"), Some("LAC"));
        assert_eq!(tricode_of("Los Angeles Clippers"), Some("LAC"));
        assert_eq!(tricode_of("Los Angeles Lakers"), Some("LAL"));
        assert_eq!(tricode_of("Oklahoma City Thunder"), Some("OKC"));
        assert_eq!(tricode_of("BOS"), Some("BOS"));
        assert_eq!(tricode_of("Seattle SuperSonics"), None);
        let mut codes: Vec<&str> = TEAMS.iter().map(|t| t.tricode).collect();
        codes.dedup();
        assert_eq!(codes.len(), 30);
    }
}
