//! Ball Don't Lie's injury list as of a date (what `bdl_injuries` reads).

use chrono::NaiveDate;
use nbaprops_activities::sources::{bdl, bdl_injuries, SourceConfig};
use serde_json::{json, Value};

use crate::players::Player;
use crate::season_out::{Injury, SeasonOut};
use crate::teams::TEAMS;

fn month_day(d: NaiveDate) -> String {
    d.format("%b %-d").to_string()
}

/// "the Nets'", "the Thunder's".
fn possessive(name: &str) -> String {
    if name.ends_with('s') {
        format!("{name}'")
    } else {
        format!("{name}'s")
    }
}

fn injury_item(players: &[Player], inj: &Injury) -> Value {
    let p = &players[inj.player];
    let t = &TEAMS[inj.team];
    let theirs = possessive(t.name);
    let note = month_day(inj.listed_from);
    let games = inj.missed.len();
    let description = match (inj.status, inj.return_on) {
        ("Out", None) => format!(
            "{note}: {} ({}) has been ruled out for the rest of the season, the {} announced.",
            p.last, inj.part, t.name
        ),
        ("Out", Some(_)) if games >= 3 => format!(
            "{note}: {} ({}) will miss at least the next {games} games, the {} announced.",
            p.last, inj.part, t.name
        ),
        ("Out", Some(_)) => format!(
            "{note}: {} ({}) has been ruled out for the {theirs} next game.",
            p.last, inj.part
        ),
        _ => format!(
            "{note}: {} ({}) is listed as questionable for the {theirs} next game.",
            p.last, inj.part
        ),
    };
    let return_date = match inj.return_on {
        Some(d) => month_day(d),
        None => "Oct 1".to_string(),
    };
    json!({
        "player": {
            "id": p.bdl_id, "first_name": p.first, "last_name": p.last,
            "position": p.pos.to_string(), "height": p.height, "weight": p.weight.to_string(),
            "jersey_number": p.jersey.to_string(), "college": p.college, "country": p.country,
            "draft_year": p.draft.map(|d| d.0), "draft_round": p.draft.map(|d| d.1),
            "draft_number": p.draft.map(|d| d.2), "team_id": t.bdl_id,
        },
        "return_date": return_date,
        "description": description,
        "status": inj.status,
    })
}

/// The Ball Don't Lie injury list as of `date`, as pages of 100 (at least one, maybe empty).
pub fn injury_pages(
    config: &SourceConfig,
    players: &[Player],
    date: NaiveDate,
    season: Option<&SeasonOut>,
) -> Vec<(nbaprops_activities::sources::SourceRequest, Value)> {
    let mut listed: Vec<&Injury> = season
        .map(|s| s.injuries.iter().filter(|i| i.listed_on(date)).collect())
        .unwrap_or_default();
    listed.sort_by_key(|i| (std::cmp::Reverse(i.listed_from), players[i.player].bdl_id));
    let first = bdl_injuries::request(config, date);
    let chunks: Vec<&[&Injury]> = if listed.is_empty() {
        vec![&[]]
    } else {
        listed.chunks(100).collect()
    };
    let mut pages = Vec::new();
    let mut cursor: Option<String> = None;
    for (k, chunk) in chunks.iter().enumerate() {
        let req = bdl::with_cursor(first.clone(), cursor.as_deref(), k + 1);
        let mut meta = json!({"per_page": 100});
        if k + 1 < chunks.len() {
            let next = players[chunk[chunk.len() - 1].player].bdl_id;
            meta["next_cursor"] = json!(next);
            cursor = Some(next.to_string());
        }
        let data: Vec<Value> = chunk.iter().map(|i| injury_item(players, i)).collect();
        pages.push((req, json!({"data": data, "meta": meta})));
    }
    pages
}
