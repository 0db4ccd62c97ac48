//! The play-by-play of a game (cdn liveData, what `nbac_play_by_play` reads).

use chrono::Duration;
use rand::RngExt;
use serde_json::{json, Value};

use super::format::team_of;
use crate::players::Player;
use crate::rng::sub_rng;
use crate::season_out::GameOut;

fn name_i(p: &Player) -> String {
    format!("{}. {}", p.first.chars().next().unwrap_or('X'), p.last)
}

/// One scoring or shooting event before it is placed on the clock.
struct Shot {
    side: usize,
    player: usize,
    /// "2pt", "3pt" or "freethrow".
    kind: &'static str,
    made: bool,
    /// "1 of 2" for free throws.
    sub: String,
    period: u32,
    /// Seconds left in the period.
    left: u32,
}

fn period_secs(period: u32) -> u32 {
    if period <= 4 {
        720
    } else {
        300
    }
}

fn clock(left: u32) -> String {
    format!("PT{:02}M{:02}.00S", left / 60, left % 60)
}

/// The play-by-play of a game: every field-goal attempt and free throw of the box score (made
/// and missed), placed on the game clock at random, with running scores and each scorer's
/// running points; period starts and ends, and the game's end. Made points per player add up to
/// his box-score points, and the last running score is the final score.
pub fn play_by_play(players: &[Player], g: &GameOut) -> Value {
    let mut rng = sub_rng(0, &format!("pbp-{}", g.game.game_id), 0);
    let mut shots: Vec<Shot> = Vec::new();
    let total_secs: u32 = (1..=g.periods).map(period_secs).sum();
    let when = |rng: &mut rand::rngs::Xoshiro256PlusPlus| {
        let mut t = rng.random_range(0..total_secs);
        let mut period = 1;
        while t >= period_secs(period) {
            t -= period_secs(period);
            period += 1;
        }
        (period, period_secs(period) - t)
    };
    for (side, b) in [&g.home, &g.away].into_iter().enumerate() {
        for e in &b.entries {
            let Ok(s) = &e.played else { continue };
            let mut add = |kind: &'static str, made: i64, attempts: i64, rng: &mut _| {
                for k in 0..attempts {
                    let (period, left) = when(rng);
                    shots.push(Shot {
                        side,
                        player: e.player,
                        kind,
                        made: k < made,
                        sub: String::new(),
                        period,
                        left,
                    });
                }
            };
            add("2pt", s.fgm - s.fg3m, s.fga - s.fg3a, &mut rng);
            add("3pt", s.fg3m, s.fg3a, &mut rng);
            // Free throws in trips of two (one when odd), at one moment each.
            let mut outcomes: Vec<bool> = (0..s.fta).map(|k| k < s.ftm).collect();
            for i in (1..outcomes.len()).rev() {
                outcomes.swap(i, rng.random_range(0..=i));
            }
            for trip in outcomes.chunks(2) {
                let (period, left) = when(&mut rng);
                for (k, made) in trip.iter().enumerate() {
                    shots.push(Shot {
                        side,
                        player: e.player,
                        kind: "freethrow",
                        made: *made,
                        sub: format!("{} of {}", k + 1, trip.len()),
                        period,
                        left,
                    });
                }
            }
        }
    }
    // Game order: period, then clock running down; free throws of a trip stay in order.
    shots.sort_by_key(|s| (s.period, std::cmp::Reverse(s.left), s.sub.clone()));

    let teams = [team_of(&g.home), team_of(&g.away)];
    let mut actions = Vec::new();
    let mut score = [0i64; 2];
    let mut running: std::collections::BTreeMap<usize, i64> = Default::default();
    let mut n = 0i64;
    let mut push = |actions: &mut Vec<Value>, mut a: Value, score: [i64; 2]| {
        n += 1;
        a["actionNumber"] = json!(n);
        a["orderNumber"] = json!(n * 10_000);
        a["scoreHome"] = json!(score[0].to_string());
        a["scoreAway"] = json!(score[1].to_string());
        actions.push(a);
    };
    let mut period = 0;
    for s in &shots {
        while period < s.period {
            if period > 0 {
                push(
                    &mut actions,
                    json!({"period": period, "clock": clock(0), "actionType": "period", "subType": "end", "qualifiers": [], "description": format!("Period End: {period}")}),
                    score,
                );
            }
            period += 1;
            push(
                &mut actions,
                json!({"period": period, "clock": clock(period_secs(period)), "actionType": "period", "subType": "start", "qualifiers": [], "description": format!("Period Start: {period}")}),
                score,
            );
        }
        let p = &players[s.player];
        let t = teams[s.side];
        let points = match (s.made, s.kind) {
            (false, _) => 0,
            (true, "3pt") => 3,
            (true, "2pt") => 2,
            (true, _) => 1,
        };
        score[s.side] += points;
        let total = running.entry(s.player).or_insert(0);
        *total += points;
        let mut a = json!({
            "period": s.period,
            "clock": clock(s.left),
            "teamId": t.nba_id,
            "teamTricode": t.tricode,
            "personId": p.id,
            "playerNameI": name_i(p),
            "actionType": s.kind,
            "qualifiers": [],
            "shotResult": if s.made { "Made" } else { "Missed" },
        });
        if s.kind == "freethrow" {
            a["subType"] = json!(s.sub);
            a["isFieldGoal"] = json!(0);
            a["description"] = json!(if s.made {
                format!("{} Free Throw {} ({} PTS)", p.last, s.sub, total)
            } else {
                format!("MISS {} Free Throw {}", p.last, s.sub)
            });
        } else {
            let three = s.kind == "3pt";
            let (area, distance, qualifiers): (&str, f64, Vec<&str>) = if three {
                let areas = ["Above the Break 3", "Left Corner 3", "Right Corner 3"];
                (
                    areas[rng.random_range(0..3)],
                    rng.random_range(22.0..28.0),
                    vec![],
                )
            } else {
                match rng.random_range(0..10) {
                    0..=4 => (
                        "Restricted Area",
                        rng.random_range(0.0..4.0),
                        vec!["pointsinthepaint"],
                    ),
                    5..=7 => (
                        "In The Paint (Non-RA)",
                        rng.random_range(4.0..12.0),
                        vec!["pointsinthepaint"],
                    ),
                    _ => ("Mid-Range", rng.random_range(10.0..22.0), vec![]),
                }
            };
            let distance = (distance * 100.0f64).round() / 100.0;
            let sub = if three || distance > 8.0 {
                "Jump Shot"
            } else {
                "Layup"
            };
            a["subType"] = json!(sub);
            a["isFieldGoal"] = json!(1);
            a["qualifiers"] = json!(qualifiers);
            a["area"] = json!(area);
            a["shotDistance"] = json!(distance);
            // The basket is at x = 5.3 (home) or 94.7 (away), y = 50, in percent of the court.
            let x = if s.side == 0 {
                5.3 + distance / 0.94
            } else {
                94.7 - distance / 0.94
            };
            a["x"] = json!((x * 100.0f64).round() / 100.0);
            a["y"] = json!(50.0);
            a["description"] = json!(if s.made {
                format!("{} {}' {} ({} PTS)", p.last, distance.round(), sub, total)
            } else {
                format!("MISS {} {}' {}", p.last, distance.round(), sub)
            });
        }
        if s.made {
            a["pointsTotal"] = json!(*total);
        }
        push(&mut actions, a, score);
    }
    let last_period = g.periods.max(period);
    while period < last_period {
        if period > 0 {
            push(
                &mut actions,
                json!({"period": period, "clock": clock(0), "actionType": "period", "subType": "end", "qualifiers": [], "description": format!("Period End: {period}")}),
                score,
            );
        }
        period += 1;
        push(
            &mut actions,
            json!({"period": period, "clock": clock(period_secs(period)), "actionType": "period", "subType": "start", "qualifiers": [], "description": format!("Period Start: {period}")}),
            score,
        );
    }
    push(
        &mut actions,
        json!({"period": last_period, "clock": clock(0), "actionType": "period", "subType": "end", "qualifiers": [], "description": format!("Period End: {last_period}")}),
        score,
    );
    push(
        &mut actions,
        json!({"period": last_period, "clock": clock(0), "actionType": "game", "subType": "end", "qualifiers": [], "description": "Game End"}),
        score,
    );
    json!({
        "meta": {"version": 1, "code": 200, "request": format!("https://cdn.nba.com/static/json/liveData/playbyplay/playbyplay_{}.json", g.game.game_id), "time": format!("{}T06:00:00.000Z", g.game.date + Duration::days(1))},
        "game": {"gameId": g.game.game_id, "actions": actions},
    })
}
