//! NBA.com's player index of a season (what `nbac_player_list` reads).

use serde_json::{json, Value};

use crate::players::Player;
use crate::teams::TEAMS;

/// `playerindex` of a season: every player of the league with his team.
pub fn player_index(players: &[Player], season_year: i32) -> Value {
    let rows: Vec<Value> = players
        .iter()
        .map(|p| {
            let t = &TEAMS[p.team];
            let slug = deunicode::deunicode(&p.name())
                .to_lowercase()
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect::<String>();
            json!([
                p.id,
                p.last,
                p.first,
                slug,
                t.nba_id,
                t.slug,
                t.city,
                t.name,
                t.tricode,
                p.jersey.to_string(),
                p.pos.to_string(),
                p.height,
                p.weight.to_string(),
                p.college,
                p.country,
                p.draft.map(|d| d.0),
                p.draft.map(|d| d.1),
                p.draft.map(|d| d.2),
                1,
                (p.birth_year + 21).min(season_year).to_string(),
                season_year.to_string(),
            ])
        })
        .collect();
    json!({
        "resource": "playerindex",
        "parameters": {"LeagueID": "00", "Season": format!("{season_year}-{:02}", (season_year + 1) % 100), "Historical": 0},
        "resultSets": [{"name": "PlayerIndex", "headers": [
            "PERSON_ID", "PLAYER_LAST_NAME", "PLAYER_FIRST_NAME", "PLAYER_SLUG", "TEAM_ID",
            "TEAM_SLUG", "TEAM_CITY", "TEAM_NAME", "TEAM_ABBREVIATION", "JERSEY_NUMBER",
            "POSITION", "HEIGHT", "WEIGHT", "COLLEGE", "COUNTRY", "DRAFT_YEAR", "DRAFT_ROUND",
            "DRAFT_NUMBER", "ROSTER_STATUS", "FROM_YEAR", "TO_YEAR"],
            "rowSet": rows}]
    })
}
