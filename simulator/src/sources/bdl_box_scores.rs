//! Ball Don't Lie's box scores of a date (what `bdl_box_scores` reads).

use chrono::NaiveDate;
use nbaprops_activities::sources::nba_season;
use serde_json::{json, Value};

use super::format::team_of;
use crate::players::Player;
use crate::season_out::{GameOut, Stats, TeamBox};

fn bdl_line(p: &Player, s: &Stats) -> Value {
    json!({
        "min": format!("{}", (s.secs as f64 / 60.0).round() as i64),
        "fgm": s.fgm, "fga": s.fga, "fg3m": s.fg3m, "fg3a": s.fg3a, "ftm": s.ftm, "fta": s.fta,
        "oreb": s.oreb, "dreb": s.dreb, "reb": s.reb(), "ast": s.ast, "stl": s.stl, "blk": s.blk,
        "turnover": s.tov, "pf": s.pf, "pts": s.pts, "plus_minus": s.plus_minus,
        "player": {"id": p.bdl_id, "first_name": p.first, "last_name": p.last, "position": p.pos.to_string()},
    })
}

/// `v1/box_scores?date=`: the date's games with every player who played (`{"data": []}`
/// without games).
pub fn bdl_box_scores(players: &[Player], date: NaiveDate, games: &[&GameOut]) -> Value {
    let season: i64 = nba_season(date)[..4].parse().expect("a season year");
    let data: Vec<Value> = games
        .iter()
        .map(|g| {
            let side = |b: &TeamBox| {
                let t = team_of(b);
                let lines: Vec<Value> = b
                    .entries
                    .iter()
                    .filter_map(|e| e.played.as_ref().ok().map(|s| bdl_line(&players[e.player], s)))
                    .collect();
                json!({"id": t.bdl_id, "abbreviation": t.tricode, "full_name": t.full_name(), "players": lines})
            };
            json!({
                "id": 18_000_000 + g.game.game_id[3..].parse::<i64>().expect("numeric id") % 10_000_000,
                "date": date.to_string(),
                "season": season,
                "status": "Final",
                "period": g.periods,
                "postseason": !g.game.game_id.starts_with("002"),
                "home_team_score": g.home.totals.pts,
                "visitor_team_score": g.away.totals.pts,
                "home_team": side(&g.home),
                "visitor_team": side(&g.away),
            })
        })
        .collect();
    json!({"data": data, "meta": {"per_page": 100}})
}
