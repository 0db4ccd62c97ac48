//! `upcoming_player_game_context`: for every player with a points line on the game date, the
//! context of his coming game: current and opening line and the movement between them, his
//! team's spread and the game total, rest and back-to-backs, his workload over the last 7 and
//! 14 days, his last-5 and last-10 scoring, and his status on the latest injury report.
//!
//! Point in time: only games before the date, line snapshots up to his game's tip-off, and
//! injury reports published before it.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use nbaprops_proto::{ProcessorRequest, ProcessorResult};

use super::inputs;
use super::player_game_summary::{entity_scope, round4, GameSummaryRow};
use crate::error::Result;
use crate::hashing;
use crate::lines::{current_lines, game_odds, line_vs_other_books, opening_line, GameOdds};
use crate::raw::injury_updates::InjuryUpdateRow;
use crate::raw::nbac_injury_report::InjuryReportRow;
use crate::raw::oddsa_game_lines::GameLineRow;
use crate::raw::oddsa_player_props::PropLineRow;
use crate::storage::warehouse::WriteMeta;
use crate::storage::Filter;
use crate::storage::{TableRow, Value, Window};
use crate::Deps;

pub const NAME: &str = "upcoming_player_game_context";

crate::warehouse_table! {
    pub struct PlayerContextRow in "upcoming_player_game_context" {
        partition: game_date,
        key: [player_id],
        entities: [(player_id, Player), (team, Team)],
        mode: Replace,
    } {
        game_date: String,
        player_id: i64,
        player_name: String,
        team: String,
        opponent: Option<String>,
        home: Option<i64>,
        current_line: f64,
        opening_line: f64,
        line_movement: f64,
        line_bookmaker: String,
        line_snapshot_time: String,
        line_vs_other_books: Option<f64>,
        spread: Option<f64>,
        game_total: Option<f64>,
        days_rest: Option<i64>,
        back_to_back: i64,
        games_last_7: i64,
        games_last_14: i64,
        minutes_last_7: f64,
        minutes_last_14: f64,
        points_avg_l5: Option<f64>,
        points_avg_l10: Option<f64>,
        injury_status: Option<String>,
        injury_reason: Option<String>,
    }
}

#[cfg(test)]
impl PlayerContextRow {
    /// A row with every optional field empty, for tests of its readers.
    pub fn sample() -> Self {
        Self {
            game_date: "2025-01-13".into(),
            player_id: 1,
            player_name: "A".into(),
            team: "BOS".into(),
            opponent: None,
            home: None,
            current_line: 20.5,
            opening_line: 20.5,
            line_movement: 0.0,
            line_bookmaker: "draftkings".into(),
            line_snapshot_time: "2025-01-13T16:00:00Z".into(),
            line_vs_other_books: None,
            spread: None,
            game_total: None,
            days_rest: None,
            back_to_back: 0,
            games_last_7: 0,
            games_last_14: 0,
            minutes_last_7: 0.0,
            minutes_last_14: 0.0,
            points_avg_l5: None,
            points_avg_l10: None,
            injury_status: None,
            injury_reason: None,
        }
    }
}

/// How far back the history is read: two weeks for workload, ten games for form; a season's
/// worth covers a player back from a long absence.
const HISTORY_DAYS: i64 = 200;

fn days_between(a: &str, b: &str) -> Option<i64> {
    let a = NaiveDate::parse_from_str(a, "%Y-%m-%d").ok()?;
    let b = NaiveDate::parse_from_str(b, "%Y-%m-%d").ok()?;
    Some((b - a).num_days())
}

/// Rest before a game on `date` after a game on `last`: 0 on a back-to-back.
pub fn days_rest(last: Option<&str>, date: &str) -> Option<i64> {
    days_between(last?, date).map(|d| d - 1)
}

/// Workload and form from a player's earlier games (any order; only games before `date` count).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Recent {
    pub last_game: Option<String>,
    pub team: Option<String>,
    pub games_last_7: i64,
    pub games_last_14: i64,
    pub minutes_last_7: f64,
    pub minutes_last_14: f64,
    pub points_avg_l5: Option<f64>,
    pub points_avg_l10: Option<f64>,
}

pub fn recent(games: &[&GameSummaryRow], date: &str) -> Recent {
    let mut before: Vec<&&GameSummaryRow> = games
        .iter()
        .filter(|g| g.game_date.as_str() < date)
        .collect();
    before.sort_by(|a, b| b.game_date.cmp(&a.game_date));
    let mut r = Recent {
        last_game: before.first().map(|g| g.game_date.clone()),
        team: before.first().map(|g| g.team.clone()),
        ..Default::default()
    };
    for g in &before {
        let Some(ago) = days_between(&g.game_date, date) else {
            continue;
        };
        if ago <= 7 {
            r.games_last_7 += 1;
            r.minutes_last_7 += g.minutes.unwrap_or(0.0);
        }
        if ago <= 14 {
            r.games_last_14 += 1;
            r.minutes_last_14 += g.minutes.unwrap_or(0.0);
        }
    }
    r.minutes_last_7 = round4(r.minutes_last_7);
    r.minutes_last_14 = round4(r.minutes_last_14);
    let avg = |n: usize| -> Option<f64> {
        let xs: Vec<f64> = before.iter().take(n).map(|g| g.points as f64).collect();
        (!xs.is_empty()).then(|| round4(xs.iter().sum::<f64>() / xs.len() as f64))
    };
    r.points_avg_l5 = avg(5);
    r.points_avg_l10 = avg(10);
    r
}

/// An injury report's Eastern publication time as "YYYY-MM-DDTHH:MM" (untimed entries use
/// the hourly slot they came from).
pub fn report_time_et(r: &InjuryReportRow) -> String {
    if !r.report_time.starts_with("slot:") {
        return r.report_time.clone();
    }
    let slot = r.report_slot.to_ascii_uppercase();
    let pm = slot.ends_with("PM");
    let digits = slot.trim_end_matches("AM").trim_end_matches("PM");
    let (h, m) = digits.split_once(':').unwrap_or((digits, "00"));
    let mut hour: u32 = h.parse().unwrap_or(0);
    if pm && hour != 12 {
        hour += 12;
    }
    if !pm && hour == 12 {
        hour = 0;
    }
    format!("{}T{hour:02}:{m}", r.report_date)
}

/// Each player's status on the latest report published before `cutoff_et` (per player
/// lookup): (status, reason, team as printed).
pub fn latest_statuses(
    rows: &[InjuryReportRow],
    game_date: &str,
    cutoff_et: &str,
) -> BTreeMap<String, (String, String, String)> {
    let mut best: BTreeMap<String, (String, &InjuryReportRow)> = BTreeMap::new();
    for r in rows.iter().filter(|r| r.game_date == game_date) {
        let t = report_time_et(r);
        if t.as_str() >= cutoff_et {
            continue;
        }
        // At the same minute the entry read later wins: an update over the report it follows.
        match best.get(&r.player_lookup) {
            Some((bt, _)) if *bt > t => {}
            _ => {
                best.insert(r.player_lookup.clone(), (t, r));
            }
        }
    }
    best.into_iter()
        .map(|(k, (_, r))| (k, (r.status.clone(), r.reason.clone(), r.team.clone())))
        .collect()
}

/// UTC RFC 3339 to Eastern "YYYY-MM-DDTHH:MM".
pub fn utc_to_et(utc: &str) -> Option<String> {
    let t = chrono::DateTime::parse_from_rfc3339(utc).ok()?;
    Some(
        t.with_timezone(&chrono_tz::America::New_York)
            .format("%Y-%m-%dT%H:%M")
            .to_string(),
    )
}

/// Everything the context is built from, loaded once.
pub struct ContextInputs<'a> {
    pub date: &'a str,
    pub props: &'a [PropLineRow],
    /// (player id, player lookup) for every known player.
    pub registry: &'a [(i64, String)],
    pub history: &'a [&'a GameSummaryRow],
    pub games: &'a [inputs::Game],
    pub odds: &'a BTreeMap<(String, String), GameOdds>,
    pub injuries: &'a [InjuryReportRow],
    /// The team each player last played for, from the name registry (fallback).
    pub registry_team: &'a BTreeMap<i64, String>,
    /// The run's line cut-off (`RunContext.lines_as_of`); each game's tip-off applies anyway.
    pub lines_as_of: Option<&'a str>,
}

pub fn transform(inp: &ContextInputs<'_>) -> (Vec<PlayerContextRow>, Vec<String>) {
    let date = inp.date;
    // Each player's line is judged at his own game's tip-off.
    let mut by_player: BTreeMap<&str, Vec<PropLineRow>> = BTreeMap::new();
    for p in inp.props {
        by_player
            .entry(p.player_lookup.as_str())
            .or_default()
            .push(p.clone());
    }
    let tipoff: BTreeMap<&str, &str> = by_player
        .iter()
        .map(|(lookup, rows)| (*lookup, rows[0].commence_time.as_str()))
        .collect();
    let lines = current_lines(inp.props, inp.lines_as_of);
    let other_books = line_vs_other_books(inp.props, inp.lines_as_of);
    let (ids, warnings) = crate::predict::plan::resolve(
        lines
            .values()
            .map(|l| (l.player_lookup.clone(), l.player_name.clone())),
        inp.registry,
    );
    let lookup_of: BTreeMap<i64, &str> = inp
        .registry
        .iter()
        .map(|(id, l)| (*id, l.as_str()))
        .collect();
    let mut history_of: BTreeMap<i64, Vec<&GameSummaryRow>> = BTreeMap::new();
    for g in inp.history.iter().copied() {
        history_of.entry(g.player_id).or_default().push(g);
    }
    let game_of_team: BTreeMap<&str, &inputs::Game> = inp
        .games
        .iter()
        .flat_map(|g| [(g.home.as_str(), g), (g.away.as_str(), g)])
        .collect();

    let mut statuses_at: BTreeMap<String, BTreeMap<String, (String, String, String)>> =
        BTreeMap::new();
    let mut rows = Vec::new();
    for id in ids {
        let lookup = lookup_of[&id];
        let Some(line) = lines.get(lookup) else {
            continue;
        };
        let commence = tipoff.get(lookup).copied().unwrap_or("");
        let recent = recent(history_of.get(&id).map(Vec::as_slice).unwrap_or(&[]), date);
        let team = recent
            .team
            .clone()
            .or_else(|| inp.registry_team.get(&id).cloned())
            .unwrap_or_default();
        let game = game_of_team.get(team.as_str()).copied();
        let home = game.map(|g| (g.home == team) as i64);
        let opponent = game.map(|g| {
            if g.home == team {
                g.away.clone()
            } else {
                g.home.clone()
            }
        });
        let odds = game.and_then(|g| inp.odds.get(&(g.home.clone(), g.away.clone())));
        let spread = odds.and_then(|o| o.home_spread).map(|s| match home {
            Some(1) => s,
            _ => -s,
        });
        let opening = opening_line(&by_player[lookup], lookup, &line.bookmaker, inp.lines_as_of)
            .unwrap_or(line.line);
        let cutoff_et = utc_to_et(commence).unwrap_or_else(|| format!("{date}T23:59"));
        // Players of the same game share a cut-off: the report is read once per game.
        let statuses = statuses_at
            .entry(cutoff_et.clone())
            .or_insert_with(|| latest_statuses(inp.injuries, date, &cutoff_et));
        let status = statuses.get(lookup);
        rows.push(PlayerContextRow {
            game_date: date.to_string(),
            player_id: id,
            player_name: line.player_name.clone(),
            team,
            opponent,
            home,
            current_line: line.line,
            opening_line: opening,
            line_movement: round4(line.line - opening),
            line_bookmaker: line.bookmaker.clone(),
            line_snapshot_time: line.snapshot_time.clone(),
            line_vs_other_books: other_books.get(lookup).copied().map(round4),
            spread,
            game_total: odds.and_then(|o| o.total),
            days_rest: days_rest(recent.last_game.as_deref(), date),
            back_to_back: (days_rest(recent.last_game.as_deref(), date) == Some(0)) as i64,
            games_last_7: recent.games_last_7,
            games_last_14: recent.games_last_14,
            minutes_last_7: recent.minutes_last_7,
            minutes_last_14: recent.minutes_last_14,
            points_avg_l5: recent.points_avg_l5,
            points_avg_l10: recent.points_avg_l10,
            injury_status: status.map(|s| s.0.clone()),
            injury_reason: status.map(|s| s.1.clone()),
        });
    }
    (rows, warnings)
}

/// The date `days` before `date`.
pub fn days_before(date: &str, days: i64) -> Result<String> {
    crate::sources::shift_date(date, -days)
}

/// The game summaries of [from, date), for history windows (kept parsed between dates:
/// `storage::window`).
pub async fn history_before(deps: &Deps, date: &str, days: i64) -> Result<Window<GameSummaryRow>> {
    let from = days_before(date, days)?;
    deps.warehouse.select_window(&from, date).await
}

/// The name registry as (id, lookup) pairs and id -> team.
pub async fn registry(deps: &Deps) -> Result<(Vec<(i64, String)>, BTreeMap<i64, String>)> {
    let rows = crate::storage::queries::players::all(&deps.warehouse).await?;
    let pairs = rows.iter().map(|(id, l, _)| (*id, l.clone())).collect();
    let teams = rows.into_iter().map(|(id, _, t)| (id, t)).collect();
    Ok((pairs, teams))
}

/// Injury-report entries for games on `date` (published that day or the day before), then the
/// injury updates signalled to the day (`raw_injury_updates`) as entries of their own report
/// time: the latest word before a player's tip-off wins, whoever said it.
pub async fn injuries_for(deps: &Deps, date: &str) -> Result<Vec<InjuryReportRow>> {
    let from = days_before(date, 1)?;
    let mut rows: Vec<InjuryReportRow> = deps
        .warehouse
        .rows(
            &Filter::new()
                .between("report_date", from, date)
                .eq("game_date", date),
        )
        .await?;
    let updates: Vec<InjuryUpdateRow> = deps
        .warehouse
        .rows(&Filter::new().eq("game_date", date))
        .await?;
    rows.extend(updates.iter().filter_map(update_as_entry));
    Ok(rows)
}

/// A signalled update as an injury-report entry (Eastern report time, team tricode).
pub fn update_as_entry(u: &InjuryUpdateRow) -> Option<InjuryReportRow> {
    let time = utc_to_et(&u.report_time)?;
    Some(InjuryReportRow {
        report_date: time[..10].to_string(),
        report_time: time,
        report_slot: format!("update:{}", u.source),
        game_date: u.game_date.clone(),
        game_time_et: String::new(),
        matchup: String::new(),
        team: u.team.clone(),
        player_name: u.player_name.clone(),
        player_lookup: u.player_lookup.clone(),
        status: u.status.clone(),
        reason: if u.reason.is_empty() {
            format!("{} update", u.source)
        } else {
            format!("{} update: {}", u.source, u.reason)
        },
    })
}

pub async fn run(
    deps: &Deps,
    req: &ProcessorRequest,
    date: &str,
    meta: &WriteMeta,
) -> Result<ProcessorResult> {
    let props = inputs::points_lines(deps, date).await?;
    let (registry, registry_team) = registry(deps).await?;
    let history = history_before(deps, date, HISTORY_DAYS).await?;
    let games = inputs::games_on(deps, date).await?;
    let game_lines: Vec<GameLineRow> = deps
        .warehouse
        .rows(&Filter::new().eq("game_date", date))
        .await?;
    let lines_as_of = crate::lines::cutoff_of(req.context.as_ref());
    let odds = game_odds(&game_lines, lines_as_of);
    let injuries = injuries_for(deps, date).await?;
    let input_hash = hashing::combine(
        props
            .iter()
            .map(|r| hashing::row_hash(&r.values()))
            .chain(history.iter_hashed().map(|(_, h)| h.to_string()))
            .chain(game_lines.iter().map(|r| hashing::row_hash(&r.values())))
            .chain(injuries.iter().map(|r| hashing::row_hash(&r.values())))
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str),
    );
    let history_rows: Vec<&GameSummaryRow> = history.iter().collect();
    let (mut rows, warnings) = transform(&ContextInputs {
        date,
        props: &props,
        registry: &registry,
        history: &history_rows,
        games: &games,
        odds: &odds,
        injuries: &injuries,
        registry_team: &registry_team,
        lines_as_of,
    });
    let scope = entity_scope(req);
    if let Some(scope) = &scope {
        rows.retain(|r| scope.values.contains(&Value::Int(r.player_id)));
    }
    let stats = deps
        .warehouse
        .write_partition(date, scope.as_ref(), &rows, meta)
        .await?;
    Ok(crate::result::processor_result(
        NAME,
        date,
        props.len() + history.len() + game_lines.len() + injuries.len(),
        input_hash,
        stats,
        warnings,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn game(date: &str, points: i64, minutes: f64) -> GameSummaryRow {
        GameSummaryRow::sample(date, 1, points, minutes)
    }

    #[test]
    fn workload_rest_and_form_by_hand() {
        let games = [
            game("2025-01-01", 10, 30.0),
            game("2025-01-05", 20, 32.0),
            game("2025-01-08", 30, 34.0),
            game("2025-01-09", 40, 36.0),
            // On the date itself and later: never read.
            game("2025-01-10", 99, 48.0),
        ];
        let refs: Vec<&GameSummaryRow> = games.iter().collect();
        let r = recent(&refs, "2025-01-10");
        assert_eq!(r.last_game.as_deref(), Some("2025-01-09"));
        assert_eq!(days_rest(r.last_game.as_deref(), "2025-01-10"), Some(0));
        // Within 7 days of 01-10: 01-05, 01-08, 01-09.
        assert_eq!(r.games_last_7, 3);
        assert_eq!(r.minutes_last_7, 102.0);
        assert_eq!(r.games_last_14, 4);
        // Last five (only four): (10 + 20 + 30 + 40) / 4.
        assert_eq!(r.points_avg_l5, Some(25.0));
        assert_eq!(days_rest(Some("2025-01-07"), "2025-01-10"), Some(2));
    }

    #[test]
    fn the_latest_report_before_tipoff_wins() {
        let entry = |time: &str, status: &str| InjuryReportRow {
            report_date: "2025-01-10".into(),
            report_time: time.into(),
            report_slot: "x".into(),
            game_date: "2025-01-10".into(),
            game_time_et: "19:30".into(),
            matchup: "NYK@BOS".into(),
            team: "Boston Celtics".into(),
            player_name: "A B".into(),
            player_lookup: "ab".into(),
            status: status.into(),
            reason: "Ankle".into(),
        };
        let rows = vec![
            entry("2025-01-10T12:30", "Questionable"),
            entry("2025-01-10T17:30", "Out"),
            // Published after tip-off: not known before the game.
            entry("2025-01-10T20:00", "Available"),
        ];
        let s = latest_statuses(&rows, "2025-01-10", "2025-01-10T19:30");
        assert_eq!(s["ab"].0, "Out");
        let s = latest_statuses(&rows, "2025-01-10", "2025-01-10T15:00");
        assert_eq!(s["ab"].0, "Questionable");
        let mut untimed = entry("slot:5:30PM", "Doubtful");
        untimed.report_slot = "5:30PM".into();
        assert_eq!(report_time_et(&untimed), "2025-01-10T17:30");
    }
}
