//! `boxscoretraditionalv3` of a game (what `nbac_team_boxscore` reads).

use chrono::Duration;
use serde_json::{json, Value};

use super::format::{clock_text, pct, team_of};
use crate::players::Player;
use crate::season_out::{Entry, GameOut, Stats, TeamBox};

fn v3_stats(s: Option<&Stats>, minutes: String, plus_minus: Option<f64>) -> Value {
    let z = Stats::default();
    let s = s.unwrap_or(&z);
    let mut v = json!({
        "minutes": minutes,
        "fieldGoalsMade": s.fgm, "fieldGoalsAttempted": s.fga, "fieldGoalsPercentage": pct(s.fgm, s.fga),
        "threePointersMade": s.fg3m, "threePointersAttempted": s.fg3a, "threePointersPercentage": pct(s.fg3m, s.fg3a),
        "freeThrowsMade": s.ftm, "freeThrowsAttempted": s.fta, "freeThrowsPercentage": pct(s.ftm, s.fta),
        "reboundsOffensive": s.oreb, "reboundsDefensive": s.dreb, "reboundsTotal": s.reb(),
        "assists": s.ast, "steals": s.stl, "blocks": s.blk, "turnovers": s.tov,
        "foulsPersonal": s.pf, "points": s.pts,
    });
    if let Some(pm) = plus_minus {
        v["plusMinusPoints"] = json!(pm);
    }
    v
}

fn slug(name: &str) -> String {
    deunicode::deunicode(name)
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == ' ' || *c == '-')
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join("-")
}

fn v3_player(players: &[Player], e: &Entry) -> Value {
    let p = &players[e.player];
    let (stats, comment) = match &e.played {
        Ok(s) => (
            v3_stats(Some(s), clock_text(s.secs), Some(s.plus_minus as f64)),
            "",
        ),
        Err(c) => (v3_stats(None, String::new(), Some(0.0)), *c),
    };
    json!({
        "personId": p.id,
        "firstName": p.first,
        "familyName": p.last,
        "nameI": format!("{}. {}", p.first.chars().next().unwrap_or('X'), p.last),
        "playerSlug": slug(&p.name()),
        "position": e.starter.map(String::from).unwrap_or_default(),
        "comment": comment,
        "jerseyNum": p.jersey.to_string(),
        "statistics": stats,
    })
}

fn v3_team(players: &[Player], b: &TeamBox) -> Value {
    let t = team_of(b);
    json!({
        "teamId": t.nba_id,
        "teamCity": t.city,
        "teamName": t.name,
        "teamTricode": t.tricode,
        "teamSlug": t.slug,
        "players": b.entries.iter().map(|e| v3_player(players, e)).collect::<Vec<_>>(),
        "statistics": v3_stats(Some(&b.totals), clock_text(b.totals.secs), Some(b.totals.plus_minus as f64)),
        "starters": v3_stats(Some(&b.starters), clock_text(b.starters.secs), None),
        "bench": v3_stats(Some(&b.bench), clock_text(b.bench.secs), None),
    })
}

/// `boxscoretraditionalv3` of one game (long-term absentees are not listed, as in life).
pub fn box_v3(players: &[Player], g: &GameOut) -> Value {
    let id = &g.game.game_id;
    json!({
        "meta": {
            "version": 1,
            "request": format!("http://nba.cloud/games/{id}/boxscoretraditional?Format=json"),
            "time": format!("{}T06:00:00.000Z", g.game.date + Duration::days(1)),
        },
        "boxScoreTraditional": {
            "gameId": id,
            "awayTeamId": team_of(&g.away).nba_id,
            "homeTeamId": team_of(&g.home).nba_id,
            "homeTeam": v3_team(players, &g.home),
            "awayTeam": v3_team(players, &g.away),
        }
    })
}
