//! The native formats of the sources added to the simulator after the first ones (see
//! `writers.rs` for those): play-by-play, the official injury report PDF, BettingPros events and
//! points offers, ESPN team rosters, Ball Don't Lie box scores and NBA.com's player index. Each
//! is a pure function of the simulated season; `writers::write_all` names and writes them.

use chrono::{Duration, NaiveDate};
use nbaprops_activities::sources::nba_season;
use nbaprops_activities::sources::nbac_injury_report::{DrawRow, InjuryStatus};
use rand::RngExt;
use serde_json::{json, Value};

use super::players::Player;
use super::season_out::{GameOut, Injury, SeasonOut, Stats, TeamBox};
use super::teams::{Team, TEAMS};
use super::writers::DayClock;

fn team_of(b: &TeamBox) -> &'static Team {
    &TEAMS[b.team]
}

fn name_i(p: &Player) -> String {
    format!("{}. {}", p.first.chars().next().unwrap_or('X'), p.last)
}

// ---------------------------------------------------------------------------------------------
// Play-by-play (cdn liveData).

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
    let mut rng = super::sub_rng(0, &format!("pbp-{}", g.game.game_id), 0);
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

// ---------------------------------------------------------------------------------------------
// The official injury report.

/// The report slot the simulator publishes (the one the day's Phase 1 takes first).
pub const REPORT_HOUR_ET: u32 =
    nbaprops_activities::sources::nbac_injury_report::DAY_REPORT_LAST_HOUR_ET;

fn title_case(s: &str) -> String {
    s.split_whitespace()
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The reason the report prints for an injury.
pub fn report_reason(inj: &Injury) -> String {
    if inj.part == "illness" {
        "Injury/Illness - Illness".to_string()
    } else if inj.part == "concussion" {
        "Injury/Illness - Concussion Protocol".to_string()
    } else {
        let kind = if inj.missed.len() >= 3 {
            "Sprain"
        } else {
            "Soreness"
        };
        format!("Injury/Illness - {}; {kind}", title_case(inj.part))
    }
}

/// The report's status for a listing: "Out" stays Out, a day-to-day listing is Questionable.
pub fn report_status(inj: &Injury) -> InjuryStatus {
    if inj.status == "Out" {
        InjuryStatus::Out
    } else {
        InjuryStatus::Questionable
    }
}

/// The rows of the report published on `date`: the games of the date (on a date without games,
/// those of the season's next game date within a week, as the real report lists the coming
/// games), the away team first, each team's listed players by name, or "NOT YET SUBMITTED" for
/// a team without any. `None` when there is no game to report on (no report is published).
pub fn injury_report_rows(
    players: &[Player],
    season: Option<&SeasonOut>,
    date: NaiveDate,
) -> Option<Vec<DrawRow>> {
    let s = season?;
    let from = s.games.partition_point(|g| g.game.date < date);
    let first = s.games.get(from)?;
    if (first.game.date - date).num_days() > 7 {
        return None;
    }
    let day = first.game.date;
    let mut games: Vec<&GameOut> = s.games[from..]
        .iter()
        .take_while(|g| g.game.date == day)
        .collect();
    games.sort_by_key(|g| (g.game.tip_et, g.game.game_id.clone()));
    let mut rows = Vec::new();
    for g in games {
        let (home, away) = (team_of(&g.home), team_of(&g.away));
        let h = g.game.tip_et / 60;
        let h12 = if h % 12 == 0 { 12 } else { h % 12 };
        let time = format!("{h12:02}:{:02} (ET)", g.game.tip_et % 60);
        let matchup = format!("{}@{}", away.tricode, home.tricode);
        for b in [&g.away, &g.home] {
            let t = team_of(b);
            let mut listed: Vec<&Injury> = s
                .injuries
                .iter()
                .filter(|i| i.team == b.team && i.listed_on(date))
                .collect();
            listed.sort_by_key(|i| {
                (
                    players[i.player].last.clone(),
                    players[i.player].first.clone(),
                )
            });
            listed.dedup_by_key(|i| i.player);
            let base = DrawRow {
                game_date: day,
                game_time_et: time.clone(),
                matchup: matchup.clone(),
                team: t.full_name(),
                entry: None,
            };
            if listed.is_empty() {
                rows.push(base);
                continue;
            }
            for inj in listed {
                let p = &players[inj.player];
                rows.push(DrawRow {
                    entry: Some((
                        format!("{}, {}", p.last, p.first),
                        report_status(inj),
                        report_reason(inj),
                    )),
                    ..base.clone()
                });
            }
        }
    }
    Some(rows)
}

/// The report PDF published on `date` at [`REPORT_HOUR_ET`], if any.
pub fn injury_report_pdf(
    players: &[Player],
    season: Option<&SeasonOut>,
    date: NaiveDate,
) -> Option<Vec<u8>> {
    let rows = injury_report_rows(players, season, date)?;
    let issued = date
        .and_hms_opt(REPORT_HOUR_ET, 30, 0)
        .expect("a report time");
    Some(nbaprops_activities::sources::nbac_injury_report::render_report(issued, &rows))
}

// ---------------------------------------------------------------------------------------------
// BettingPros.

/// BettingPros' event id of a game (its own number space).
pub fn bp_event_id(g: &GameOut) -> i64 {
    g.game.game_id.parse::<i64>().expect("numeric game id") % 100_000_000
}

/// BettingPros' player id (its own number space).
pub fn bp_player_id(p: &Player) -> i64 {
    p.id - 1_600_000
}

/// BettingPros' book ids: DraftKings, FanDuel.
const BP_BOOKS: [i64; 2] = [12, 10];

/// The `v3/events` answer of a date (`{"events": []}` without games).
pub fn bp_events(games: &[&GameOut], clock: &DayClock) -> Value {
    let events: Vec<Value> = games
        .iter()
        .map(|g| {
            json!({
                "id": bp_event_id(g),
                "sport": "NBA",
                "league": "NBA",
                "scheduled": clock.utc(g.game.tip_et).format("%Y-%m-%d %H:%M:%S").to_string(),
                "status": "scheduled",
                "home": team_of(&g.home).tricode,
                "visitor": team_of(&g.away).tricode,
            })
        })
        .collect();
    json!({"events": events, "_parameters": {"sport": "NBA", "date": clock.date.to_string()}})
}

/// One event's points offers (market 156): each player with a line, both books.
pub fn bp_offers(players: &[Player], g: &GameOut, clock: &DayClock) -> Value {
    let updated = clock.utc(12 * 60).format("%Y-%m-%d %H:%M:%S").to_string();
    let offers: Vec<Value> = g
        .props
        .iter()
        .map(|prop| {
            let p = &players[prop.player];
            let selection = |over: bool| {
                let books: Vec<Value> = BP_BOOKS
                    .iter()
                    .zip(prop.books)
                    .map(|(id, l)| {
                        json!({"id": id, "lines": [{
                            "line": l.line, "cost": if over { l.over } else { l.under },
                            "main": true, "active": true, "updated": updated,
                        }]})
                    })
                    .collect();
                json!({"selection": if over { "over" } else { "under" },
                       "label": if over { "Over" } else { "Under" }, "books": books})
            };
            json!({
                "event_id": bp_event_id(g),
                "market_id": nbaprops_activities::sources::bp_player_props::POINTS_MARKET_ID,
                "participants": [{"id": bp_player_id(p).to_string(), "name": super::book_spelling(&p.name()),
                                  "player": {"team": TEAMS[p.team].tricode, "position": p.pos.to_string()}}],
                "selections": [selection(true), selection(false)],
            })
        })
        .collect();
    json!({"offers": offers, "_pagination": {"page": 1, "total_pages": 1}})
}

// ---------------------------------------------------------------------------------------------
// ESPN rosters.

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

// ---------------------------------------------------------------------------------------------
// Ball Don't Lie box scores.

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

// ---------------------------------------------------------------------------------------------
// NBA.com player index.

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
