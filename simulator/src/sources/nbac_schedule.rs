//! `leagueSchedule` of the given seasons: the CDN schedule (what `nbac_schedule` reads, every
//! simulated season in one file) and the stats host's schedule of one season (what
//! `nbac_schedule_api` reads).

use chrono::Datelike;
use nbaprops_activities::sources::nbac_schedule_api;
use serde_json::{json, Value};

use super::format::{team_of, DayClock, TS};
use crate::season_out::{SeasonOut, TeamBox};

fn schedule_team(b: &TeamBox) -> Value {
    let t = team_of(b);
    json!({
        "teamId": t.nba_id, "teamName": t.name, "teamCity": t.city, "teamTricode": t.tricode,
        "teamSlug": t.slug, "wins": b.wins, "losses": b.losses, "score": b.totals.pts, "seed": 0
    })
}

/// `leagueSchedule.gameDates` of the given seasons, every game final with its score; `full`
/// adds the times, day and arena fields (the CDN file, which lists every season, leaves them
/// out to stay small: the day workflow keeps a copy of it for every date).
fn game_dates(seasons: &[&SeasonOut], full: bool) -> Vec<Value> {
    let mut out = Vec::new();
    for s in seasons {
        let mut i = 0;
        while i < s.games.len() {
            let date = s.games[i].game.date;
            let clock = DayClock::new(date);
            let mut games = Vec::new();
            let mut seq = 0;
            while i < s.games.len() && s.games[i].game.date == date {
                let g = &s.games[i];
                seq += 1;
                let (h, a) = (team_of(&g.home), team_of(&g.away));
                let tip = clock.utc(g.game.tip_et);
                let et = format!("{:02}:{:02}:00", g.game.tip_et / 60, g.game.tip_et % 60);
                let mut game = json!({
                    "gameId": g.game.game_id,
                    "gameCode": format!("{}/{}{}", date.format("%Y%m%d"), a.tricode, h.tricode),
                    "gameStatus": nbac_schedule_api::STATUS_FINAL,
                    "gameStatusText": "Final",
                    "gameSequence": seq,
                    "gameDateEst": format!("{date}T00:00:00Z"),
                    "gameDateTimeUTC": tip.format(TS).to_string(),
                    "homeTeam": schedule_team(&g.home),
                    "awayTeam": schedule_team(&g.away),
                });
                if full {
                    let extra = json!({
                        "gameTimeEst": format!("1900-01-01T{et}Z"),
                        "gameDateTimeEst": format!("{date}T{et}Z"),
                        "gameDateUTC": clock.start_utc().format(TS).to_string(),
                        "gameTimeUTC": tip.format("1900-01-01T%H:%M:%SZ").to_string(),
                        "day": date.format("%a").to_string(),
                        "monthNum": date.month(),
                        "arenaName": h.arena, "arenaCity": h.city, "arenaState": h.state,
                        "isNeutral": false,
                    });
                    if let (Some(g), Value::Object(extra)) = (game.as_object_mut(), extra) {
                        g.extend(extra);
                    }
                }
                games.push(game);
                i += 1;
            }
            out.push(json!({
                "gameDate": date.format("%m/%d/%Y 00:00:00").to_string(),
                "games": games,
            }));
        }
    }
    out
}

pub(crate) fn schedule_file(season_label: &str, seasons: &[&SeasonOut], full: bool) -> Value {
    json!({
        "meta": {
            "version": 1,
            "request": format!("http://nba.cloud/league/00/{season_label}/scheduleleaguev2?Format=json"),
            "time": "simulated",
        },
        "leagueSchedule": {
            "seasonYear": season_label,
            "leagueId": "00",
            "gameDates": game_dates(seasons, full),
        }
    })
}
