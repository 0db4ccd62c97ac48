//! What Phase 3 reads, with the source fallbacks in one place: a date's player and team box
//! scores come from NBA.com when it has them and from the historical import otherwise; points
//! lines from The Odds API and the historical import; a date's games from the schedule, the
//! historical team games, or (for a season without them) the lines' events.

use std::collections::BTreeMap;

use crate::error::Result;
use crate::matchups::{sides_of_matchup, synthetic_game_id, team_of_matchup};
use crate::raw::historical_player_game_logs::HistPlayerLogRow;
use crate::raw::historical_points_lines::HistPointsLineRow;
use crate::raw::historical_team_games::HistTeamGameRow;
use crate::raw::nbac_player_boxscores::BoxScoreRow;
use crate::raw::nbac_schedule::ScheduleRow;
use crate::raw::nbac_team_boxscores::TeamBoxRow;
use crate::raw::oddsa_player_props::PropLineRow;
use crate::storage::Filter;
use crate::storage::TableRow;
use crate::Deps;

/// One player's box score in one game, whatever the source.
#[derive(Debug, Clone, PartialEq)]
pub struct PlayerBox {
    pub game_date: String,
    pub game_id: String,
    pub player_id: i64,
    pub player_name: String,
    pub team: String,
    pub opponent: String,
    pub home: i64,
    pub source: &'static str,
    pub minutes: Option<f64>,
    pub points: i64,
    pub fgm: Option<i64>,
    pub fga: Option<i64>,
    pub fg3m: Option<i64>,
    pub fg3a: Option<i64>,
    pub ftm: Option<i64>,
    pub fta: Option<i64>,
    pub reb: Option<i64>,
    pub ast: Option<i64>,
    pub tov: Option<i64>,
    /// The hash of the source row, for input hashes.
    pub row_hash: String,
}

/// One team's totals in one game, whatever the source.
#[derive(Debug, Clone, PartialEq)]
pub struct TeamBox {
    pub game_date: String,
    pub game_id: String,
    pub team: String,
    pub opponent: String,
    pub home: i64,
    pub source: &'static str,
    pub minutes: f64,
    pub points: i64,
    pub fgm: i64,
    pub fga: i64,
    pub fg3m: i64,
    pub fg3a: i64,
    pub ftm: i64,
    pub fta: i64,
    pub tov: i64,
    pub oreb: Option<i64>,
    pub row_hash: String,
}

/// A game on a date.
#[derive(Debug, Clone, PartialEq)]
pub struct Game {
    pub game_id: String,
    pub home: String,
    pub away: String,
    /// UTC RFC 3339; empty when unknown.
    pub start_time_utc: String,
}

fn hash_of<R: TableRow>(r: &R) -> String {
    crate::hashing::row_hash(&r.values())
}

/// The date's player box scores: NBA.com's, else the historical import's.
pub async fn player_boxes(deps: &Deps, date: &str) -> Result<Vec<PlayerBox>> {
    let nbac: Vec<BoxScoreRow> = deps
        .warehouse
        .rows(&Filter::new().eq("game_date", date))
        .await?;
    if !nbac.is_empty() {
        return Ok(nbac
            .into_iter()
            .map(|r| PlayerBox {
                row_hash: hash_of(&r),
                game_date: r.game_date,
                game_id: r.game_id,
                player_id: r.player_id,
                player_name: r.player_name,
                team: r.team,
                opponent: r.opponent,
                home: r.home,
                source: "nbac",
                minutes: r.minutes,
                points: r.points,
                fgm: r.fgm,
                fga: r.fga,
                fg3m: r.fg3m,
                fg3a: r.fg3a,
                ftm: r.ftm,
                fta: r.fta,
                reb: r.reb,
                ast: r.ast,
                tov: r.tov,
            })
            .collect());
    }
    let logs: Vec<HistPlayerLogRow> = deps
        .warehouse
        .rows(&Filter::new().eq("game_date", date))
        .await?;
    if logs.is_empty() {
        return Ok(vec![]);
    }
    // Game ids from the historical team games when the date has them.
    let team_games: Vec<HistTeamGameRow> = deps
        .warehouse
        .rows(&Filter::new().eq("game_date", date))
        .await?;
    let game_of: BTreeMap<String, String> = team_games
        .into_iter()
        .map(|t| (t.team, t.game_id))
        .collect();
    Ok(logs
        .into_iter()
        .map(|r| {
            let team = team_of_matchup(&r.matchup);
            let (away, home) = if r.home == 1 {
                (r.opponent.clone(), team.clone())
            } else {
                (team.clone(), r.opponent.clone())
            };
            PlayerBox {
                row_hash: hash_of(&r),
                game_id: game_of
                    .get(&team)
                    .cloned()
                    .unwrap_or_else(|| synthetic_game_id(date, &away, &home)),
                game_date: r.game_date,
                player_id: r.player_id,
                player_name: r.player_name,
                team,
                opponent: r.opponent,
                home: r.home,
                source: "historical",
                minutes: Some(r.minutes),
                points: r.points,
                fgm: Some(r.fgm),
                fga: Some(r.fga),
                fg3m: Some(r.fg3m),
                fg3a: Some(r.fg3a),
                ftm: Some(r.ftm),
                fta: Some(r.fta),
                reb: Some(r.reb),
                ast: Some(r.ast),
                tov: Some(r.tov),
            }
        })
        .collect())
}

/// The date's team totals: NBA.com team box scores, else the historical team games, else the
/// sums of the players' box scores (complete for NBA.com's game log, which lists everyone).
pub async fn team_boxes(deps: &Deps, date: &str, players: &[PlayerBox]) -> Result<Vec<TeamBox>> {
    let nbac: Vec<TeamBoxRow> = deps
        .warehouse
        .rows(&Filter::new().eq("game_date", date))
        .await?;
    if !nbac.is_empty() {
        // v2 box scores do not say who was home; the player rows do.
        let home_of: BTreeMap<(String, String), i64> = players
            .iter()
            .map(|p| ((p.game_id.clone(), p.team.clone()), p.home))
            .collect();
        return Ok(nbac
            .into_iter()
            .map(|r| TeamBox {
                row_hash: hash_of(&r),
                home: r
                    .home
                    .or_else(|| home_of.get(&(r.game_id.clone(), r.team.clone())).copied())
                    .unwrap_or(0),
                game_date: r.game_date,
                game_id: r.game_id,
                team: r.team,
                opponent: r.opponent,
                source: "nbac_team_box",
                minutes: r.minutes,
                points: r.points,
                fgm: r.fgm,
                fga: r.fga,
                fg3m: r.fg3m,
                fg3a: r.fg3a,
                ftm: r.ftm,
                fta: r.fta,
                tov: r.tov,
                oreb: Some(r.oreb),
            })
            .collect());
    }
    let hist: Vec<HistTeamGameRow> = deps
        .warehouse
        .rows(&Filter::new().eq("game_date", date))
        .await?;
    if !hist.is_empty() {
        return Ok(hist
            .into_iter()
            .map(|r| TeamBox {
                row_hash: hash_of(&r),
                game_date: r.game_date,
                game_id: r.game_id,
                team: r.team,
                opponent: r.opponent,
                home: r.home,
                source: "historical",
                minutes: r.minutes,
                points: r.points,
                fgm: r.fgm,
                fga: r.fga,
                fg3m: r.fg3m,
                fg3a: r.fg3a,
                ftm: r.ftm,
                fta: r.fta,
                tov: r.tov,
                oreb: None,
            })
            .collect());
    }
    // Sum the players (only NBA.com's log is complete enough for it).
    let mut sums: BTreeMap<(String, String), TeamBox> = BTreeMap::new();
    for p in players.iter().filter(|p| p.source == "nbac") {
        let t = sums
            .entry((p.game_id.clone(), p.team.clone()))
            .or_insert_with(|| TeamBox {
                game_date: p.game_date.clone(),
                game_id: p.game_id.clone(),
                team: p.team.clone(),
                opponent: p.opponent.clone(),
                home: p.home,
                source: "player_sum",
                minutes: 0.0,
                points: 0,
                fgm: 0,
                fga: 0,
                fg3m: 0,
                fg3a: 0,
                ftm: 0,
                fta: 0,
                tov: 0,
                oreb: None,
                row_hash: String::new(),
            });
        t.minutes += p.minutes.unwrap_or(0.0);
        t.points += p.points;
        t.fgm += p.fgm.unwrap_or(0);
        t.fga += p.fga.unwrap_or(0);
        t.fg3m += p.fg3m.unwrap_or(0);
        t.fg3a += p.fg3a.unwrap_or(0);
        t.ftm += p.ftm.unwrap_or(0);
        t.fta += p.fta.unwrap_or(0);
        t.tov += p.tov.unwrap_or(0);
    }
    Ok(sums
        .into_values()
        .map(|mut t| {
            t.row_hash = crate::hashing::row_hash(&[
                t.game_id.clone().into(),
                t.team.clone().into(),
                t.points.into(),
                t.fga.into(),
                t.fta.into(),
                t.tov.into(),
                t.minutes.into(),
            ]);
            t
        })
        .collect())
}

/// Points lines of a date from every line source, as Odds API rows (the historical import's
/// "Away @ Home" game becomes the two team names).
pub async fn points_lines(deps: &Deps, date: &str) -> Result<Vec<PropLineRow>> {
    let mut rows: Vec<PropLineRow> = deps
        .warehouse
        .rows(&Filter::new().eq("game_date", date))
        .await?;
    let hist: Vec<HistPointsLineRow> = deps
        .warehouse
        .rows(
            &Filter::new()
                .eq("game_date", date)
                .eq("market", "player_points"),
        )
        .await?;
    for h in hist {
        let (away, home) = h
            .game
            .split_once(" @ ")
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .unwrap_or_default();
        rows.push(PropLineRow {
            game_date: h.game_date,
            event_id: h.event_id,
            bookmaker: h.bookmaker,
            player_name: h.player_name,
            player_lookup: h.player_lookup,
            snapshot_time: h.snapshot_time,
            line: h.line,
            over_price: h.over_price,
            under_price: h.under_price,
            commence_time: h.commence_time,
            home_team: home,
            away_team: away,
        });
    }
    Ok(rows)
}

/// The games of a date: the NBA.com schedule rows, else the historical team games, else the
/// events the lines were posted for.
pub async fn games_on(deps: &Deps, date: &str) -> Result<Vec<Game>> {
    let sched: Vec<ScheduleRow> = deps
        .warehouse
        .rows(&Filter::new().eq("game_date", date))
        .await?;
    if !sched.is_empty() {
        return Ok(sched
            .into_iter()
            .map(|g| Game {
                game_id: g.game_id,
                home: g.home_team,
                away: g.away_team,
                start_time_utc: g.start_time_utc,
            })
            .collect());
    }
    let hist: Vec<HistTeamGameRow> = deps
        .warehouse
        .rows(&Filter::new().eq("game_date", date).eq("home", 1i64))
        .await?;
    if !hist.is_empty() {
        return Ok(hist
            .into_iter()
            .map(|t| Game {
                game_id: t.game_id,
                home: t.team,
                away: t.opponent,
                start_time_utc: String::new(),
            })
            .collect());
    }
    // A season without team games (2025-26 in the shared history): the games the lines were
    // posted for, and the games the player logs show (a game without a single line still
    // counts). Both name a game by its two teams, so they meet on the same synthetic id.
    let mut games: BTreeMap<(String, String), Game> = BTreeMap::new();
    for l in points_lines(deps, date).await? {
        let (Some(home), Some(away)) = (
            crate::teams::tricode_of(&l.home_team),
            crate::teams::tricode_of(&l.away_team),
        ) else {
            continue;
        };
        games
            .entry((home.to_string(), away.to_string()))
            .or_insert_with(|| Game {
                game_id: synthetic_game_id(date, away, home),
                home: home.to_string(),
                away: away.to_string(),
                start_time_utc: l.commence_time.clone(),
            });
    }
    let logged = crate::storage::queries::raw::logged_matchups(&deps.warehouse, date).await?;
    for matchup in logged {
        let Some((team, opponent, home)) = sides_of_matchup(&matchup) else {
            continue;
        };
        let (home_team, away_team) = if home {
            (team, opponent)
        } else {
            (opponent, team)
        };
        games
            .entry((home_team.clone(), away_team.clone()))
            .or_insert_with(|| Game {
                game_id: synthetic_game_id(date, &away_team, &home_team),
                home: home_team,
                away: away_team,
                start_time_utc: String::new(),
            });
    }
    Ok(games.into_values().collect())
}
