//! The 30 NBA teams as every source names them: NBA.com ids and tricodes, ESPN's ids and
//! abbreviations, Ball Don't Lie's ids (1-30, alphabetical), The Odds API's full names, and the
//! conference and division the schedule is built from.
//!
//! The table is ordered by conference and division (East: Atlantic, Central, Southeast; West:
//! Northwest, Pacific, Southwest), five teams each, so a team's index says where it plays:
//! conference `i / 15`, division `(i % 15) / 5`.

/// Where a team's home games tip off, in Eastern time (the schedule's local-time classes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    Eastern,
    Central,
    Mountain,
    Pacific,
}

#[derive(Debug, Clone, Copy)]
pub struct Team {
    pub nba_id: i64,
    pub tricode: &'static str,
    pub city: &'static str,
    /// The nickname ("Celtics").
    pub name: &'static str,
    /// NBA.com's URL slug ("sixers", "blazers").
    pub slug: &'static str,
    pub espn_id: u32,
    pub espn_abbr: &'static str,
    /// Ball Don't Lie's team id.
    pub bdl_id: i64,
    /// How The Odds API (and ESPN's display name) spells the team.
    pub odds_name: &'static str,
    pub zone: Zone,
    pub arena: &'static str,
    pub state: &'static str,
}

impl Team {
    /// NBA.com's full name ("LA Clippers"), as in the stats API's TEAM_NAME.
    pub fn full_name(&self) -> String {
        format!("{} {}", self.city, self.name)
    }
}

#[allow(clippy::too_many_arguments)]
const fn t(
    nba_id: i64,
    tricode: &'static str,
    city: &'static str,
    name: &'static str,
    slug: &'static str,
    espn: (u32, &'static str),
    bdl_id: i64,
    odds_name: &'static str,
    zone: Zone,
    arena: (&'static str, &'static str),
) -> Team {
    Team {
        nba_id,
        tricode,
        city,
        name,
        slug,
        espn_id: espn.0,
        espn_abbr: espn.1,
        bdl_id,
        odds_name,
        zone,
        arena: arena.0,
        state: arena.1,
    }
}

use Zone::*;

#[rustfmt::skip]
pub const TEAMS: [Team; 30] = [
    // East, Atlantic
    t(1610612738, "BOS", "Boston", "Celtics", "celtics", (2, "BOS"), 2, "Boston Celtics", Eastern, ("TD Garden", "MA")),
    t(1610612751, "BKN", "Brooklyn", "Nets", "nets", (17, "BKN"), 3, "Brooklyn Nets", Eastern, ("Barclays Center", "NY")),
    t(1610612752, "NYK", "New York", "Knicks", "knicks", (18, "NY"), 20, "New York Knicks", Eastern, ("Madison Square Garden", "NY")),
    t(1610612755, "PHI", "Philadelphia", "76ers", "sixers", (20, "PHI"), 23, "Philadelphia 76ers", Eastern, ("Wells Fargo Center", "PA")),
    t(1610612761, "TOR", "Toronto", "Raptors", "raptors", (28, "TOR"), 28, "Toronto Raptors", Eastern, ("Scotiabank Arena", "ON")),
    // East, Central
    t(1610612741, "CHI", "Chicago", "Bulls", "bulls", (4, "CHI"), 5, "Chicago Bulls", Central, ("United Center", "IL")),
    t(1610612739, "CLE", "Cleveland", "Cavaliers", "cavaliers", (5, "CLE"), 6, "Cleveland Cavaliers", Eastern, ("Rocket Arena", "OH")),
    t(1610612765, "DET", "Detroit", "Pistons", "pistons", (8, "DET"), 9, "Detroit Pistons", Eastern, ("Little Caesars Arena", "MI")),
    t(1610612754, "IND", "Indiana", "Pacers", "pacers", (11, "IND"), 12, "Indiana Pacers", Eastern, ("Gainbridge Fieldhouse", "IN")),
    t(1610612749, "MIL", "Milwaukee", "Bucks", "bucks", (15, "MIL"), 17, "Milwaukee Bucks", Central, ("Fiserv Forum", "WI")),
    // East, Southeast
    t(1610612737, "ATL", "Atlanta", "Hawks", "hawks", (1, "ATL"), 1, "Atlanta Hawks", Eastern, ("State Farm Arena", "GA")),
    t(1610612766, "CHA", "Charlotte", "Hornets", "hornets", (30, "CHA"), 4, "Charlotte Hornets", Eastern, ("Spectrum Center", "NC")),
    t(1610612748, "MIA", "Miami", "Heat", "heat", (14, "MIA"), 16, "Miami Heat", Eastern, ("Kaseya Center", "FL")),
    t(1610612753, "ORL", "Orlando", "Magic", "magic", (19, "ORL"), 22, "Orlando Magic", Eastern, ("Kia Center", "FL")),
    t(1610612764, "WAS", "Washington", "Wizards", "wizards", (27, "WSH"), 30, "Washington Wizards", Eastern, ("Capital One Arena", "DC")),
    // West, Northwest
    t(1610612743, "DEN", "Denver", "Nuggets", "nuggets", (7, "DEN"), 8, "Denver Nuggets", Mountain, ("Ball Arena", "CO")),
    t(1610612750, "MIN", "Minnesota", "Timberwolves", "timberwolves", (16, "MIN"), 18, "Minnesota Timberwolves", Central, ("Target Center", "MN")),
    t(1610612760, "OKC", "Oklahoma City", "Thunder", "thunder", (25, "OKC"), 21, "Oklahoma City Thunder", Central, ("Paycom Center", "OK")),
    t(1610612757, "POR", "Portland", "Trail Blazers", "blazers", (22, "POR"), 25, "Portland Trail Blazers", Pacific, ("Moda Center", "OR")),
    t(1610612762, "UTA", "Utah", "Jazz", "jazz", (26, "UTAH"), 29, "Utah Jazz", Mountain, ("Delta Center", "UT")),
    // West, Pacific
    t(1610612744, "GSW", "Golden State", "Warriors", "warriors", (9, "GS"), 10, "Golden State Warriors", Pacific, ("Chase Center", "CA")),
    t(1610612746, "LAC", "LA", "Clippers", "clippers", (12, "LAC"), 13, "Los Angeles Clippers", Pacific, ("Intuit Dome", "CA")),
    t(1610612747, "LAL", "Los Angeles", "Lakers", "lakers", (13, "LAL"), 14, "Los Angeles Lakers", Pacific, ("Crypto.com Arena", "CA")),
    t(1610612756, "PHX", "Phoenix", "Suns", "suns", (21, "PHX"), 24, "Phoenix Suns", Mountain, ("Footprint Center", "AZ")),
    t(1610612758, "SAC", "Sacramento", "Kings", "kings", (23, "SAC"), 26, "Sacramento Kings", Pacific, ("Golden 1 Center", "CA")),
    // West, Southwest
    t(1610612742, "DAL", "Dallas", "Mavericks", "mavericks", (6, "DAL"), 7, "Dallas Mavericks", Central, ("American Airlines Center", "TX")),
    t(1610612745, "HOU", "Houston", "Rockets", "rockets", (10, "HOU"), 11, "Houston Rockets", Central, ("Toyota Center", "TX")),
    t(1610612763, "MEM", "Memphis", "Grizzlies", "grizzlies", (29, "MEM"), 15, "Memphis Grizzlies", Central, ("FedExForum", "TN")),
    t(1610612740, "NOP", "New Orleans", "Pelicans", "pelicans", (3, "NO"), 19, "New Orleans Pelicans", Central, ("Smoothie King Center", "LA")),
    t(1610612759, "SAS", "San Antonio", "Spurs", "spurs", (24, "SA"), 27, "San Antonio Spurs", Central, ("Frost Bank Center", "TX")),
];

/// The conference (0 East, 1 West) of the team at `index`.
pub fn conference(index: usize) -> usize {
    index / 15
}

/// The division (0..3 within the conference) of the team at `index`.
pub fn division(index: usize) -> usize {
    (index % 15) / 5
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn ids_are_unique_and_complete() {
        let nba: BTreeSet<i64> = TEAMS.iter().map(|t| t.nba_id).collect();
        assert_eq!(nba.len(), 30);
        assert!(nba.iter().all(|id| (1610612737..=1610612766).contains(id)));
        let bdl: BTreeSet<i64> = TEAMS.iter().map(|t| t.bdl_id).collect();
        assert_eq!(bdl, (1..=30).collect());
        let espn: BTreeSet<u32> = TEAMS.iter().map(|t| t.espn_id).collect();
        assert_eq!(espn, (1..=30).collect());
        let tri: BTreeSet<&str> = TEAMS.iter().map(|t| t.tricode).collect();
        assert_eq!(tri.len(), 30);
        // Ball Don't Lie numbers teams alphabetically by full name.
        let mut by_name: Vec<&Team> = TEAMS.iter().collect();
        by_name.sort_by_key(|t| t.odds_name);
        assert!(by_name
            .iter()
            .enumerate()
            .all(|(i, t)| t.bdl_id == i as i64 + 1));
    }
}
