//! `leaguegamelog` (what `nbac_player_boxscore` reads): a date's player box scores.

use chrono::NaiveDate;
use nbaprops_activities::sources::{nba_season, nbac_player_boxscore};
use serde_json::{json, Value};

use super::format::{pct, team_of};
use crate::players::Player;
use crate::season_out::{GameOut, TeamBox};

fn wl(b: &TeamBox, other: &TeamBox) -> &'static str {
    if b.totals.pts > other.totals.pts {
        "W"
    } else {
        "L"
    }
}

/// `leaguegamelog` for one date: a row per player who played.
pub fn leaguegamelog(players: &[Player], date: NaiveDate, games: &[&GameOut]) -> Value {
    let d = date.format("%Y-%m-%d").to_string();
    let season = nba_season(date);
    let ids: Vec<String> = games.iter().map(|g| g.game.game_id.clone()).collect();
    let season_type = nbac_player_boxscore::season_type_of(&ids);
    let type_digit = match season_type {
        nbac_player_boxscore::PLAYOFFS => '4',
        nbac_player_boxscore::PLAY_IN => '5',
        _ => '2',
    };
    let season_id = format!("{type_digit}{}", &season[..4]);
    let mut rows = Vec::new();
    for g in games {
        for (b, other, home) in [(&g.home, &g.away, true), (&g.away, &g.home, false)] {
            let (t, o) = (team_of(b), team_of(other));
            let matchup = if home {
                format!("{} vs. {}", t.tricode, o.tricode)
            } else {
                format!("{} @ {}", t.tricode, o.tricode)
            };
            for e in &b.entries {
                let Ok(s) = &e.played else { continue };
                let p = &players[e.player];
                let fantasy = s.pts as f64 + 1.2 * s.reb() as f64 + 1.5 * s.ast as f64
                    - s.tov as f64
                    + 3.0 * (s.stl + s.blk) as f64;
                rows.push(json!([
                    season_id,
                    p.id,
                    p.name(),
                    t.nba_id,
                    t.tricode,
                    t.full_name(),
                    g.game.game_id,
                    d,
                    matchup,
                    wl(b, other),
                    (s.secs as f64 / 60.0).round() as i64,
                    s.fgm,
                    s.fga,
                    pct(s.fgm, s.fga),
                    s.fg3m,
                    s.fg3a,
                    pct(s.fg3m, s.fg3a),
                    s.ftm,
                    s.fta,
                    pct(s.ftm, s.fta),
                    s.oreb,
                    s.dreb,
                    s.reb(),
                    s.ast,
                    s.stl,
                    s.blk,
                    s.tov,
                    s.pf,
                    s.pts,
                    s.plus_minus,
                    (fantasy * 10.0).round() / 10.0,
                    1
                ]));
            }
        }
    }
    json!({
        "resource": "leaguegamelog",
        "parameters": {
            "LeagueID": "00", "Season": season, "SeasonType": season_type,
            "PlayerOrTeam": "P", "Counter": 1000, "Sorter": "DATE", "Direction": "DESC",
            "DateFrom": d, "DateTo": d
        },
        "resultSets": [{"name": "LeagueGameLog", "headers": [
            "SEASON_ID", "PLAYER_ID", "PLAYER_NAME", "TEAM_ID", "TEAM_ABBREVIATION", "TEAM_NAME",
            "GAME_ID", "GAME_DATE", "MATCHUP", "WL", "MIN", "FGM", "FGA", "FG_PCT", "FG3M",
            "FG3A", "FG3_PCT", "FTM", "FTA", "FT_PCT", "OREB", "DREB", "REB", "AST", "STL", "BLK",
            "TOV", "PF", "PTS", "PLUS_MINUS", "FANTASY_PTS", "VIDEO_AVAILABLE"],
            "rowSet": rows}]
    })
}
