//! Native-format answers of every source for the simulated seasons, named with each source's
//! own request builder so the replay server serves them.
//!
//! Per date (games or not): `leaguegamelog` (nbac_player_boxscore, asked with the SeasonType of
//! the date's games), The Odds API events (shared by oddsa_player_props and oddsa_game_lines),
//! the ESPN scoreboard, BettingPros events, Ball Don't Lie box scores, and the Ball Don't Lie
//! injury list as of that date; the official injury report PDF of the date (the `09AM` slot)
//! when there is a game to report on (the date's, or the season's next within a week). Per game:
//! the v3 traditional box score (nbac_team_boxscore), the play-by-play, the event's
//! `player_points` odds and its `spreads,totals` odds, and the BettingPros points offers. Per
//! team playing on a date: its ESPN roster as of that date. Per season: the stats-host schedule
//! (nbac_schedule_api) and the player index (nbac_player_list). Once: the CDN schedule
//! (nbac_schedule), listing every game of every simulated season, since its request names no
//! season.
//!
//! The snapshot sources (Ball Don't Lie injuries, ESPN rosters) name no date in their live
//! requests; the replay requests carry the date as the replay-only `as_of` parameter (see
//! `SourceConfig::dated_snapshots`), and each date's snapshot is written under that name. The
//! undated Ball Don't Lie file (what a live fetch would get) is the list as of the last date.

use std::path::Path;

use anyhow::Result;
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use nbaprops_activities::sources::{
    bdl, bdl_box_scores, bdl_injuries, bp_player_props, espn_roster, espn_scoreboard, nba_season,
    nbac_injury_report, nbac_play_by_play, nbac_player_boxscore, nbac_player_list, nbac_schedule,
    nbac_schedule_api, nbac_team_boxscore, oddsa_game_lines, oddsa_player_props, SourceConfig,
};
use serde_json::{json, Value};

use super::feeds;
use super::players::Player;
use super::season_out::{Entry, GameOut, Injury, SeasonOut, Stats, TeamBox};
use super::teams::{Team, TEAMS};
use super::{book_spelling, event_id, write, write_bytes};

const TS: &str = "%Y-%m-%dT%H:%M:%SZ";

/// When an Eastern date starts and ends, in UTC.
#[derive(Clone, Copy)]
pub struct DayClock {
    pub date: NaiveDate,
    start: NaiveDateTime,
    end: NaiveDateTime,
}

impl DayClock {
    pub fn new(date: NaiveDate) -> Self {
        let (start, end) = oddsa_player_props::et_day_bounds_utc(date);
        let parse = |s: &str| NaiveDateTime::parse_from_str(s, TS).expect("bounds parse");
        Self {
            date,
            start: parse(&start),
            end: parse(&end),
        }
    }

    /// `minutes` after Eastern midnight, in UTC. Counted back from the next midnight, so the
    /// offset is right on the days clocks change (they change at 2 AM, before any game).
    pub fn utc(&self, minutes: u32) -> NaiveDateTime {
        self.end - Duration::minutes(1440 - minutes as i64)
    }

    pub fn start_utc(&self) -> NaiveDateTime {
        self.start
    }

    /// The books' snapshot: noon Eastern.
    pub fn snapshot(&self) -> String {
        self.utc(12 * 60).format(TS).to_string()
    }
}

fn pct(made: i64, att: i64) -> f64 {
    if att == 0 {
        0.0
    } else {
        (made as f64 / att as f64 * 1000.0).round() / 1000.0
    }
}

fn clock_text(secs: u32) -> String {
    format!("{}:{:02}", secs / 60, secs % 60)
}

fn team_of(b: &TeamBox) -> &'static Team {
    &TEAMS[b.team]
}

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

fn event_head(g: &GameOut, clock: &DayClock) -> Value {
    json!({
        "id": event_id(&g.game.game_id),
        "sport_key": "basketball_nba",
        "sport_title": "NBA",
        "commence_time": clock.utc(g.game.tip_et).format(TS).to_string(),
        "home_team": team_of(&g.home).odds_name,
        "away_team": team_of(&g.away).odds_name,
    })
}

/// The Odds API events of a date (`[]` without games).
pub fn events(games: &[&GameOut], clock: &DayClock) -> Value {
    Value::Array(games.iter().map(|g| event_head(g, clock)).collect())
}

const BOOKS: [(&str, &str); 2] = [("draftkings", "DraftKings"), ("fanduel", "FanDuel")];

fn event_odds(g: &GameOut, clock: &DayClock, markets: [Vec<(&str, Vec<Value>)>; 2]) -> Value {
    let snap = clock.snapshot();
    let mut ev = event_head(g, clock);
    let bookmakers: Vec<Value> = BOOKS
        .iter()
        .zip(markets)
        .filter(|(_, m)| m.iter().any(|(_, outcomes)| !outcomes.is_empty()))
        .map(|((key, title), m)| {
            let markets: Vec<Value> = m
                .into_iter()
                .map(|(mk, outcomes)| json!({"key": mk, "last_update": snap, "outcomes": outcomes}))
                .collect();
            json!({"key": key, "title": title, "last_update": snap, "markets": markets})
        })
        .collect();
    ev["bookmakers"] = Value::Array(bookmakers);
    ev
}

/// One event's `player_points` odds, both books.
pub fn props_odds(players: &[Player], g: &GameOut, clock: &DayClock) -> Value {
    let markets = [0, 1].map(|b| {
        let mut outcomes = Vec::new();
        for prop in &g.props {
            let name = book_spelling(&players[prop.player].name());
            let l = prop.books[b];
            outcomes.push(
                json!({"name": "Over", "description": name, "price": l.over, "point": l.line}),
            );
            outcomes.push(
                json!({"name": "Under", "description": name, "price": l.under, "point": l.line}),
            );
        }
        vec![("player_points", outcomes)]
    });
    event_odds(g, clock, markets)
}

/// One event's spreads and totals, both books.
pub fn game_lines_odds(g: &GameOut, clock: &DayClock) -> Value {
    let (home, away) = (team_of(&g.home).odds_name, team_of(&g.away).odds_name);
    let markets = [0, 1].map(|b| {
        let l = g.lines[b];
        vec![
            (
                "spreads",
                vec![
                    json!({"name": home, "price": l.home_price, "point": l.home_spread}),
                    json!({"name": away, "price": l.away_price, "point": -l.home_spread}),
                ],
            ),
            (
                "totals",
                vec![
                    json!({"name": "Over", "price": l.over, "point": l.total}),
                    json!({"name": "Under", "price": l.under, "point": l.total}),
                ],
            ),
        ]
    });
    event_odds(g, clock, markets)
}

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

fn espn_season(date: NaiveDate) -> (i32, String) {
    let s = nba_season(date);
    (s[..4].parse::<i32>().expect("a season year") + 1, s)
}

/// ESPN's scoreboard of a date (`"events": []` without games).
pub fn espn(date: NaiveDate, games: &[&GameOut], clock: &DayClock) -> Value {
    let (year, display) = espn_season(date);
    let events: Vec<Value> = games
        .iter()
        .map(|g| {
            let when = clock.utc(g.game.tip_et).format("%Y-%m-%dT%H:%MZ").to_string();
            let detail = match g.periods {
                4 => "Final".to_string(),
                5 => "Final/OT".to_string(),
                n => format!("Final/{}OT", n - 4),
            };
            let status = json!({
                "clock": 0.0, "displayClock": "0.0", "period": g.periods,
                "type": {"id": "3", "name": "STATUS_FINAL", "state": "post", "completed": true,
                         "description": "Final", "detail": detail, "shortDetail": detail}
            });
            let side = |b: &TeamBox, other: &TeamBox, order: u32, home_away: &str| {
                let t = team_of(b);
                json!({
                    "id": t.espn_id.to_string(), "uid": format!("s:40~l:46~t:{}", t.espn_id),
                    "type": "team", "order": order, "homeAway": home_away,
                    "winner": b.totals.pts > other.totals.pts,
                    "team": {
                        "id": t.espn_id.to_string(), "uid": format!("s:40~l:46~t:{}", t.espn_id),
                        "location": t.city, "name": t.name, "abbreviation": t.espn_abbr,
                        "displayName": t.full_name(), "shortDisplayName": t.name, "isActive": true
                    },
                    "score": b.totals.pts.to_string(),
                    "records": [{"name": "overall", "abbreviation": "Game", "type": "total",
                                 "summary": format!("{}-{}", b.wins, b.losses)}]
                })
            };
            let (h, a) = (team_of(&g.home), team_of(&g.away));
            json!({
                "id": g.espn_id,
                "uid": format!("s:40~l:46~e:{}", g.espn_id),
                "date": when,
                "name": format!("{} at {}", a.full_name(), h.full_name()),
                "shortName": format!("{} @ {}", a.espn_abbr, h.espn_abbr),
                "season": {"year": year, "type": 2, "slug": "regular-season"},
                "competitions": [{
                    "id": g.espn_id, "uid": format!("s:40~l:46~e:{}~c:{}", g.espn_id, g.espn_id),
                    "date": when, "type": {"id": "1", "abbreviation": "STD"},
                    "timeValid": true, "neutralSite": false,
                    "venue": {"fullName": h.arena, "address": {"city": h.city, "state": h.state}, "indoor": true},
                    "competitors": [side(&g.home, &g.away, 0, "home"), side(&g.away, &g.home, 1, "away")],
                    "status": status,
                }],
                "status": status,
            })
        })
        .collect();
    json!({
        "leagues": [{
            "id": "46", "uid": "s:40~l:46", "name": "National Basketball Association",
            "abbreviation": "NBA", "slug": "nba",
            "season": {"year": year, "displayName": display,
                       "type": {"id": "2", "type": 2, "name": "Regular Season", "abbreviation": "reg"}},
            "calendarType": "day",
        }],
        "season": {"type": 2, "year": year},
        "day": {"date": date.format("%Y-%m-%d").to_string()},
        "events": events,
    })
}

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

fn schedule_file(season_label: &str, seasons: &[&SeasonOut], full: bool) -> Value {
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

/// Which files [`write_all`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coverage {
    /// Every source.
    All,
    /// All but the CDN schedule, the game log and The Odds API events and points odds, which
    /// the dense shape writes itself (byte for byte as it always has).
    AllButDenseOwn,
}

/// Writes every file of `dates` (which must lie in the simulated seasons or between them),
/// on `threads` threads; the bytes do not depend on the thread count.
pub fn write_all(
    out: &Path,
    players: &[Player],
    seasons: &[SeasonOut],
    dates: &[NaiveDate],
    threads: usize,
    coverage: Coverage,
) -> Result<usize> {
    let all = coverage == Coverage::All;
    let config = SourceConfig::replay("http://replay");
    let mut undated = config.clone();
    undated.dated_snapshots = false;
    let season_of = |date: NaiveDate| {
        let year = super::schedule::season_year(date);
        seasons.iter().find(|s| s.year == year)
    };
    let mut files = 0;

    // The schedules: one CDN file for everything, one stats-host file per season.
    let every: Vec<&SeasonOut> = seasons.iter().collect();
    let first_label = nba_season(*dates.first().expect("at least one date"));
    if all {
        write(
            out,
            &nbac_schedule::request(&config),
            &schedule_file(&first_label, &every, false),
        )?;
        files += 1;
    }
    for s in seasons {
        let day = s.calendar.opening;
        write(
            out,
            &nbac_schedule_api::request(&config, day),
            &schedule_file(&nba_season(day), &[s], true),
        )?;
        write(
            out,
            &nbac_player_list::request(&config, day),
            &feeds::player_index(players, s.year),
        )?;
        files += 2;
    }
    // The injury list a live fetch would get (no date): as of the last date.
    let last = *dates.last().expect("at least one date");
    for (req, body) in injury_pages(&undated, players, last, season_of(last)) {
        write(out, &req, &body)?;
        files += 1;
    }

    let next = std::sync::atomic::AtomicUsize::new(0);
    let written = std::sync::atomic::AtomicUsize::new(0);
    let one_date = |date: NaiveDate| -> Result<usize> {
        let clock = DayClock::new(date);
        let season = season_of(date);
        let games: Vec<&GameOut> = season
            .map(|s| {
                let from = s.games.partition_point(|g| g.game.date < date);
                s.games[from..]
                    .iter()
                    .take_while(|g| g.game.date == date)
                    .collect()
            })
            .unwrap_or_default();
        let mut n = 0;
        let mut put = |req: &nbaprops_activities::sources::SourceRequest, body: Value| {
            n += 1;
            write(out, req, &body).map(|_| ())
        };
        if all {
            let ids: Vec<String> = games.iter().map(|g| g.game.game_id.clone()).collect();
            put(
                &nbac_player_boxscore::request_for(
                    &config,
                    date,
                    nbac_player_boxscore::season_type_of(&ids),
                ),
                leaguegamelog(players, date, &games),
            )?;
            put(
                &oddsa_player_props::events_request(&config, date),
                events(&games, &clock),
            )?;
        }
        put(
            &espn_scoreboard::request(&config, date),
            espn(date, &games, &clock),
        )?;
        put(
            &bp_player_props::events_request(&config, date),
            feeds::bp_events(&games, &clock),
        )?;
        put(
            &bdl_box_scores::request(&config, date),
            feeds::bdl_box_scores(players, date, &games),
        )?;
        for g in &games {
            let ev = event_id(&g.game.game_id);
            if all {
                put(
                    &oddsa_player_props::event_odds_request(&config, &ev),
                    props_odds(players, g, &clock),
                )?;
            }
            put(
                &oddsa_game_lines::event_odds_request(&config, &ev),
                game_lines_odds(g, &clock),
            )?;
            put(
                &nbac_team_boxscore::request(&config, &g.game.game_id),
                box_v3(players, g),
            )?;
            put(
                &nbac_play_by_play::request(&config, &g.game.game_id),
                feeds::play_by_play(players, g),
            )?;
            put(
                &bp_player_props::offers_request(&config, feeds::bp_event_id(g)),
                feeds::bp_offers(players, g, &clock),
            )?;
            for b in [&g.home, &g.away] {
                let espn_id = TEAMS[b.team].espn_id.to_string();
                put(
                    &espn_roster::request(&config, &espn_id, date),
                    feeds::espn_roster(players, b.team, season, date),
                )?;
            }
        }
        for (req, body) in injury_pages(&config, players, date, season) {
            put(&req, body)?;
        }
        if let Some(pdf) = feeds::injury_report_pdf(players, season, date) {
            n += 1;
            write_bytes(
                out,
                &nbac_injury_report::request(&config, date, feeds::REPORT_HOUR_ET),
                &pdf,
            )?;
        }
        Ok(n)
    };
    let results: Vec<Result<()>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads.max(1))
            .map(|_| {
                scope.spawn(|| -> Result<()> {
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(&date) = dates.get(i) else {
                            return Ok(());
                        };
                        let n = one_date(date)?;
                        written.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| {
                w.join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("a writer thread panicked")))
            })
            .collect()
    });
    for r in results {
        r?;
    }
    Ok(files + written.into_inner())
}
