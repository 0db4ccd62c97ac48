//! A team's ESPN roster as of a date (what `espn_roster` reads).

use chrono::NaiveDate;
use serde_json::{json, Value};

use super::format::title_case;
use crate::players::Player;
use crate::season_out::SeasonOut;
use crate::teams::TEAMS;

/// ESPN's athlete id (its own number space).
pub fn espn_athlete_id(p: &Player) -> i64 {
    p.id + 2_400_000
}

/// One team's roster as of `date` (`teams/{id}?enable=roster`), with ESPN's injury notes for
/// the players listed that day.
pub fn espn_roster(
    players: &[Player],
    team: usize,
    season: Option<&SeasonOut>,
    date: NaiveDate,
) -> Value {
    let t = &TEAMS[team];
    let athletes: Vec<Value> = players
        .iter()
        .filter(|p| p.team == team)
        .map(|p| {
            let injury = season.and_then(|s| {
                s.injuries
                    .iter()
                    .rev()
                    .find(|i| players[i.player].id == p.id && i.listed_on(date))
            });
            let injuries: Vec<Value> = injury
                .map(|i| {
                    vec![json!({
                        "status": i.status,
                        "date": format!("{}T18:00Z", i.listed_from),
                        "shortComment": format!("{} ({}) is {} for the {} next game.", p.last, i.part,
                            if i.status == "Out" { "out" } else { "questionable" }, t.name),
                        "details": {"type": title_case(i.part), "returnDate": i.return_on.map(|d| d.to_string())},
                    })]
                })
                .unwrap_or_default();
            let position = match p.pos {
                'G' => "G",
                'F' => "F",
                _ => "C",
            };
            json!({
                "id": espn_athlete_id(p).to_string(),
                "displayName": p.name(),
                "fullName": p.name(),
                "firstName": p.first,
                "lastName": p.last,
                "jersey": p.jersey.to_string(),
                "position": {"abbreviation": position},
                "status": {"id": "1", "name": "Active"},
                "injuries": injuries,
            })
        })
        .collect();
    json!({
        "team": {
            "id": t.espn_id.to_string(),
            "abbreviation": t.espn_abbr,
            "location": t.city,
            "name": t.name,
            "displayName": t.full_name(),
            "athletes": athletes,
        }
    })
}
