//! `upcoming_team_game_context`: every team playing on the game date: rest and back-to-backs,
//! its spread, the game total and its implied points, and who is out (everyone Out or
//! Doubtful on the latest injury report before tip-off, and how many of them are among its five
//! most-used players of the last ten games).

use std::collections::{BTreeMap, BTreeSet};

use nbaprops_proto::{ProcessorRequest, ProcessorResult};

use super::inputs;
use super::player_game_summary::{round4, GameSummaryRow};
use super::upcoming_player_game_context::{
    days_rest, history_before, injuries_for, latest_statuses, utc_to_et,
};
use crate::error::Result;
use crate::hashing;
use crate::lines::game_odds;
use crate::names::player_lookup;
use crate::raw::oddsa_game_lines::GameLineRow;
use crate::storage::warehouse::WriteMeta;
use crate::storage::Filter;
use crate::storage::TableRow;
use crate::Deps;

pub const NAME: &str = "upcoming_team_game_context";

crate::warehouse_table! {
    pub struct TeamContextRow in "upcoming_team_game_context" {
        partition: game_date,
        key: [team],
        entities: [(team, Team), (game_id, Game)],
        mode: Replace,
    } {
        game_date: String,
        team: String,
        game_id: String,
        opponent: String,
        home: i64,
        days_rest: Option<i64>,
        back_to_back: i64,
        spread: Option<f64>,
        game_total: Option<f64>,
        implied_points: Option<f64>,
        players_out: i64,
        starters_out: i64,
    }
}

/// Statuses that mean a player will (very likely) not play.
pub fn is_out(status: &str) -> bool {
    matches!(status, "Out" | "Doubtful")
}

/// A team's five players with the most minutes over its last ten games before `date`.
pub fn top_five(history: &[&GameSummaryRow]) -> BTreeSet<String> {
    let mut dates: Vec<&str> = history.iter().map(|g| g.game_date.as_str()).collect();
    dates.sort_unstable();
    dates.dedup();
    let recent: BTreeSet<&str> = dates.iter().rev().take(10).copied().collect();
    let mut minutes: BTreeMap<String, f64> = BTreeMap::new();
    for g in history
        .iter()
        .filter(|g| recent.contains(g.game_date.as_str()))
    {
        *minutes.entry(player_lookup(&g.player_name)).or_default() += g.minutes.unwrap_or(0.0);
    }
    let mut ranked: Vec<(String, f64)> = minutes.into_iter().collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    ranked.into_iter().take(5).map(|(p, _)| p).collect()
}

pub fn transform(
    date: &str,
    games: &[inputs::Game],
    history: &[&GameSummaryRow],
    odds: &BTreeMap<(String, String), crate::lines::GameOdds>,
    injuries: &[crate::raw::nbac_injury_report::InjuryReportRow],
) -> Vec<TeamContextRow> {
    let mut rows = Vec::new();
    for g in games {
        let cutoff_et = utc_to_et(&g.start_time_utc).unwrap_or_else(|| format!("{date}T23:59"));
        let statuses = latest_statuses(injuries, date, &cutoff_et);
        let o = odds.get(&(g.home.clone(), g.away.clone()));
        for (team, opponent, home) in [(&g.home, &g.away, 1), (&g.away, &g.home, 0)] {
            let mine: Vec<&GameSummaryRow> = history
                .iter()
                .copied()
                .filter(|h| &h.team == team && h.game_date.as_str() < date)
                .collect();
            let last = mine.iter().map(|h| h.game_date.as_str()).max();
            let rest = days_rest(last, date);
            let spread = o
                .and_then(|o| o.home_spread)
                .map(|s| if home == 1 { s } else { -s });
            let total = o.and_then(|o| o.total);
            let out: BTreeSet<&String> = statuses
                .iter()
                .filter(|(_, (status, _, printed))| {
                    is_out(status) && crate::teams::tricode_of(printed) == Some(team.as_str())
                })
                .map(|(lookup, _)| lookup)
                .collect();
            let starters = top_five(&mine);
            rows.push(TeamContextRow {
                game_date: date.to_string(),
                team: team.clone(),
                game_id: g.game_id.clone(),
                opponent: opponent.clone(),
                home,
                days_rest: rest,
                back_to_back: (rest == Some(0)) as i64,
                spread,
                game_total: total,
                implied_points: match (total, spread) {
                    (Some(t), Some(s)) => Some(round4((t - s) / 2.0)),
                    _ => None,
                },
                players_out: out.len() as i64,
                starters_out: out.iter().filter(|p| starters.contains(**p)).count() as i64,
            });
        }
    }
    rows
}

pub async fn run(
    deps: &Deps,
    req: &ProcessorRequest,
    date: &str,
    meta: &WriteMeta,
) -> Result<ProcessorResult> {
    let games = inputs::games_on(deps, date).await?;
    let history = history_before(deps, date, 60).await?;
    let game_lines: Vec<GameLineRow> = deps
        .warehouse
        .rows(&Filter::new().eq("game_date", date))
        .await?;
    let injuries = injuries_for(deps, date).await?;
    let input_hash = hashing::combine(
        games
            .iter()
            .map(|g| format!("{}{}{}{}", g.game_id, g.home, g.away, g.start_time_utc))
            .chain(history.iter_hashed().map(|(_, h)| h.to_string()))
            .chain(game_lines.iter().map(|r| hashing::row_hash(&r.values())))
            .chain(injuries.iter().map(|r| hashing::row_hash(&r.values())))
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str),
    );
    let history_rows: Vec<&GameSummaryRow> = history.iter().collect();
    let rows = transform(
        date,
        &games,
        &history_rows,
        &game_odds(&game_lines, crate::lines::cutoff_of(req.context.as_ref())),
        &injuries,
    );
    let stats = deps
        .warehouse
        .write_partition(date, None, &rows, meta)
        .await?;
    Ok(crate::result::processor_result(
        NAME,
        date,
        games.len() + history.len() + game_lines.len() + injuries.len(),
        input_hash,
        stats,
        vec![],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn implied_points_and_who_is_out() {
        let games = vec![inputs::Game {
            game_id: "g1".into(),
            home: "BOS".into(),
            away: "NYK".into(),
            start_time_utc: "2025-01-11T00:30:00Z".into(),
        }];
        let mut odds = BTreeMap::new();
        odds.insert(
            ("BOS".to_string(), "NYK".to_string()),
            crate::lines::GameOdds {
                home_spread: Some(-6.5),
                total: Some(221.5),
            },
        );
        let injury = |name: &str, status: &str| crate::raw::nbac_injury_report::InjuryReportRow {
            report_date: "2025-01-10".into(),
            report_time: "2025-01-10T17:30".into(),
            report_slot: "5:30PM".into(),
            game_date: "2025-01-10".into(),
            game_time_et: "19:30".into(),
            matchup: "NYK@BOS".into(),
            team: "Boston Celtics".into(),
            player_name: name.into(),
            player_lookup: player_lookup(name),
            status: status.into(),
            reason: "Rest".into(),
        };
        let injuries = vec![injury("Jay Tatum", "Out"), injury("Al Horford", "Probable")];
        let rows = transform("2025-01-10", &games, &[], &odds, &injuries);
        let bos = rows.iter().find(|r| r.team == "BOS").unwrap();
        // (221.5 + 6.5) / 2 = 114.
        assert_eq!(bos.implied_points, Some(114.0));
        assert_eq!(bos.spread, Some(-6.5));
        assert_eq!(bos.players_out, 1);
        assert_eq!(bos.starters_out, 0, "no history: no starters known");
        let nyk = rows.iter().find(|r| r.team == "NYK").unwrap();
        assert_eq!(nyk.spread, Some(6.5));
        assert_eq!(nyk.implied_points, Some(107.5));
        assert_eq!(nyk.players_out, 0);
        assert_eq!(nyk.days_rest, None);
    }
}
