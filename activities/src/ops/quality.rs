//! Quality gates between phases. After Phases 2, 3 and 4 the day runs the gate of the phase;
//! every check measures a number and holds it to a bound, and a failed check stops the phases
//! that depend on it, with the numbers in the failure and in the alerts table. A gate never
//! passes silently: a check that cannot measure (no schedule for the date) fails and says why.
//!
//! The bounds are here, in one place, and in docs/architecture.md. What each gate reads, and
//! the names of its checks, are declared in `registry::gates` (the backfill places the gates
//! by those reads); the tests below hold this code to the declaration.

use std::collections::{BTreeMap, BTreeSet};

use nbaprops_proto::registry;
use nbaprops_proto::{GateCheck, GateReport, Mode, RunContext};

use crate::analytics::inputs;
use crate::error::Result;
use crate::storage::queries;
use crate::Deps;

/// Every team that played on a date has box-score rows (a share of the scheduled teams).
pub const MIN_BOX_SCORE_TEAM_COVERAGE: f64 = 1.0;
/// A team's box score with fewer players than this is truncated.
pub const MIN_PLAYERS_PER_TEAM_GAME: f64 = 5.0;
/// Sportsbook names that resolve to exactly one NBA player id.
pub const MIN_LINE_MATCH_RATE: f64 = 0.8;
/// Players in a box score without minutes in the game summary.
pub const MAX_MINUTES_NULL_RATE: f64 = 0.02;
/// Players with a resolved line and a game this season or the last that have precomputed
/// history for the date (players without such a game are counted apart). All of them have it
/// when Phase 4 ran whole; the tenth of allowance lets a slate with a few missing rows publish.
pub const MIN_CACHE_COVERAGE: f64 = 0.9;
/// Players with a resolved line that got an ensemble prediction, the line-only rows of players
/// without history included (the same allowance).
pub const MIN_PREDICTION_COVERAGE: f64 = 0.9;
/// The share of missing values in the feature vectors of the players with a line. A live day
/// with every source misses few; imported history misses 12 of 34 by construction (no game
/// lines, play-by-play or usage), 0.35, which this bound lets through.
pub const MAX_FEATURE_NULL_RATE: f64 = 0.45;

fn at_least(name: &str, value: f64, threshold: f64, detail: String) -> GateCheck {
    GateCheck {
        name: name.to_string(),
        value,
        threshold,
        passed: value >= threshold,
        detail: format!("{detail} (must be >= {threshold})"),
    }
}

fn at_most(name: &str, value: f64, threshold: f64, detail: String) -> GateCheck {
    GateCheck {
        name: name.to_string(),
        value,
        threshold,
        passed: value <= threshold,
        detail: format!("{detail} (must be <= {threshold})"),
    }
}

fn ratio(found: usize, expected: usize) -> f64 {
    if expected == 0 {
        1.0
    } else {
        found as f64 / expected as f64
    }
}

/// The teams scheduled on a date: the kept NBA.com schedule's games and, for dates it does not
/// cover (past seasons), the games the warehouse knows (historical team games, lines' events).
async fn scheduled_teams(deps: &Deps, date: &str) -> Result<BTreeSet<String>> {
    let mut teams = BTreeSet::new();
    if let Some(games) = crate::sources::scheduled_games_on(deps, date).await? {
        for g in games {
            teams.insert(g.home_team.team_tricode);
            teams.insert(g.away_team.team_tricode);
        }
    }
    for g in inputs::games_on(deps, date).await? {
        teams.insert(g.home);
        teams.insert(g.away);
    }
    Ok(teams)
}

/// Players per (game, team) in the date's box scores, and whether they come from NBA.com
/// (whose game log lists everyone who played; the historical logs only players with lines).
async fn box_score_team_counts(
    deps: &Deps,
    date: &str,
) -> Result<(BTreeMap<(String, String), i64>, bool)> {
    let boxes = inputs::player_boxes(deps, date).await?;
    let complete = boxes.iter().all(|b| b.source == "nbac");
    let mut counts = BTreeMap::new();
    for b in boxes {
        *counts.entry((b.game_id, b.team)).or_insert(0) += 1;
    }
    Ok((counts, complete))
}

/// The date's players with a line: (resolved to one NBA id, all lines). Every line that does
/// not resolve is one warning of the plan.
async fn lined_players(deps: &Deps, ctx: &RunContext) -> Result<(Vec<i64>, usize)> {
    let lines_as_of = crate::lines::cutoff_of(Some(ctx));
    let plan = crate::predict::plan::plan(deps, &ctx.game_date, lines_as_of).await?;
    let ids: Vec<i64> = plan.players.iter().filter_map(|p| p.parse().ok()).collect();
    let total = ids.len() + plan.warnings.len();
    Ok((ids, total))
}

async fn phase2(deps: &Deps, ctx: &RunContext) -> Result<Vec<GateCheck>> {
    let (game_date, backfill) = (ctx.game_date.as_str(), ctx.mode() == Mode::Backfill);
    let mut checks = Vec::new();
    let played_on = crate::sources::shift_date(game_date, -1)?;
    let (counts, complete) = box_score_team_counts(deps, &played_on).await?;
    let found: BTreeSet<String> = counts.keys().map(|(_, t)| t.clone()).collect();
    let expected = scheduled_teams(deps, &played_on).await?;
    let covered = expected.intersection(&found).count();
    let missing: Vec<&String> = expected.difference(&found).collect();
    checks.push(at_least(
        "box_score_team_coverage",
        ratio(covered, expected.len()),
        MIN_BOX_SCORE_TEAM_COVERAGE,
        format!(
            "{covered} of {} teams scheduled on {played_on} have box-score rows{}",
            expected.len(),
            if missing.is_empty() {
                String::new()
            } else {
                format!("; missing {missing:?}")
            }
        ),
    ));
    // Only a complete box score can be short of players.
    if let Some(((game, team), n)) = counts.iter().filter(|_| complete).min_by_key(|(_, n)| **n) {
        checks.push(at_least(
            "players_per_team_game",
            *n as f64,
            MIN_PLAYERS_PER_TEAM_GAME,
            format!("fewest players in one team's box score on {played_on}: {n} ({team} in game {game})"),
        ));
    }
    let (resolved, total) = lined_players(deps, ctx).await?;
    let games_today = scheduled_teams(deps, game_date).await?;
    // A live day with games must have lines; a historical date may simply have none recorded.
    if total > 0 || (!games_today.is_empty() && !backfill) {
        checks.push(at_least(
            "line_name_match_rate",
            if total == 0 {
                0.0
            } else {
                resolved.len() as f64 / total as f64
            },
            MIN_LINE_MATCH_RATE,
            format!(
                "{} of {total} players with a line on {game_date} resolve to one NBA player id",
                resolved.len()
            ),
        ));
    }
    Ok(checks)
}

async fn phase3(deps: &Deps, game_date: &str) -> Result<Vec<GateCheck>> {
    let played_on = crate::sources::shift_date(game_date, -1)?;
    let box_rows = inputs::player_boxes(deps, &played_on).await?.len() as i64;
    let (summary_rows, null_minutes) =
        queries::ops::game_summary_counts(&deps.warehouse, &played_on).await?;
    Ok(vec![
        at_least(
            "game_summary_rows",
            ratio(summary_rows as usize, box_rows as usize),
            1.0,
            format!(
                "{summary_rows} game-summary rows for {box_rows} box-score rows on {played_on}"
            ),
        ),
        at_most(
            "game_summary_minutes_null_rate",
            if summary_rows == 0 {
                0.0
            } else {
                null_minutes as f64 / summary_rows as f64
            },
            MAX_MINUTES_NULL_RATE,
            format!(
                "{null_minutes} of {summary_rows} game-summary rows on {played_on} have no minutes"
            ),
        ),
    ])
}

/// The players with a line who have no game this season or the last before the date:
/// rookies before their first game, or everyone on the first dates of the data. Known
/// unknowns: no data is missing, so the gates count them apart, and the ensemble gives them
/// the line, PASS (`predict::ensemble::without_history`, the same seasons). Only players with a
/// game context count (a missing context is a gap, not a rookie).
async fn without_history(deps: &Deps, game_date: &str, resolved: &[i64]) -> Result<BTreeSet<i64>> {
    let with_context = queries::ops::context_players(&deps.warehouse, game_date).await?;
    let from = crate::precompute::last_season_start(game_date)?;
    let played = queries::ops::players_with_games_since(&deps.warehouse, &from, game_date).await?;
    Ok(resolved
        .iter()
        .copied()
        .filter(|p| with_context.contains(p) && !played.contains(p))
        .collect())
}

/// `"; N more have no game … before D …"` for a gate's detail, empty when there are none.
fn known_unknowns(unknown: &BTreeSet<i64>, game_date: &str) -> String {
    if unknown.is_empty() {
        return String::new();
    }
    format!(
        "; {} more have no game this season or the last before {game_date} (rookies, or the \
         first dates of the data) and are predicted from the line only",
        unknown.len()
    )
}

async fn phase4(deps: &Deps, ctx: &RunContext) -> Result<Vec<GateCheck>> {
    let game_date = ctx.game_date.as_str();
    let (resolved, _) = lined_players(deps, ctx).await?;
    let unknown = without_history(deps, game_date, &resolved).await?;
    let cached = queries::ops::cached_players(&deps.warehouse, game_date).await?;
    // A player whose context has recent games (last season's count too) has history to
    // predict from even without a cache row.
    let recent = queries::ops::players_with_recent_games(&deps.warehouse, game_date).await?;
    let judged: Vec<i64> = resolved
        .iter()
        .copied()
        .filter(|p| !unknown.contains(p))
        .collect();
    let covered = judged
        .iter()
        .filter(|p| cached.contains(p) || recent.contains(p))
        .count();
    Ok(vec![at_least(
        "daily_cache_coverage",
        ratio(covered, judged.len()),
        MIN_CACHE_COVERAGE,
        format!(
            "{covered} of {} players with a line on {game_date} and a game this season or the \
             last have precomputed history{}",
            judged.len(),
            known_unknowns(&unknown, game_date)
        ),
    )])
}

async fn phase5(deps: &Deps, ctx: &RunContext) -> Result<Vec<GateCheck>> {
    let game_date = ctx.game_date.as_str();
    let (resolved, _) = lined_players(deps, ctx).await?;
    let live = queries::ops::live_points(&deps.warehouse, game_date).await?;
    let ensembled: BTreeSet<i64> = live
        .iter()
        .filter(|(_, s, _)| s == crate::predict::ensemble::NAME)
        .map(|(p, _, _)| *p)
        .collect();
    let covered = resolved.iter().filter(|p| ensembled.contains(p)).count();
    let out_of_range: Vec<String> = live
        .iter()
        .filter(|(_, _, v)| {
            !(crate::predict::system::MIN_POINTS..=crate::predict::system::MAX_POINTS).contains(v)
        })
        .map(|(p, s, v)| format!("{s} {p}: {v}"))
        .collect();
    // A player with no game this season or the last has no form to miss: his vector is left
    // out.
    let unknown = without_history(deps, game_date, &resolved).await?;
    let gaps = queries::ops::feature_gaps(&deps.warehouse, game_date).await?;
    let judged: Vec<i64> = gaps
        .iter()
        .filter(|(p, _)| !unknown.contains(p))
        .map(|(_, missing)| *missing)
        .collect();
    let (missing, vectors) = (judged.iter().sum::<i64>(), judged.len() as i64);
    let features = crate::precompute::ml_feature_store::FEATURE_NAMES.len() as f64;
    let null_rate = if vectors == 0 {
        0.0
    } else {
        missing as f64 / (vectors as f64 * features)
    };
    Ok(vec![
        at_least(
            "prediction_coverage",
            ratio(covered, resolved.len()),
            MIN_PREDICTION_COVERAGE,
            format!(
                "{covered} of {} players with a line on {game_date} have an ensemble prediction",
                resolved.len()
            ),
        ),
        at_most(
            "predictions_out_of_range",
            out_of_range.len() as f64,
            0.0,
            format!(
                "{} live predictions outside 0-80 points{}",
                out_of_range.len(),
                if out_of_range.is_empty() {
                    String::new()
                } else {
                    format!(": {}", out_of_range.join(", "))
                }
            ),
        ),
        at_most(
            "feature_null_rate",
            null_rate,
            MAX_FEATURE_NULL_RATE,
            format!(
                "{missing} of the {} values of {vectors} feature vectors are missing{}",
                vectors * features as i64,
                if unknown.is_empty() {
                    String::new()
                } else {
                    format!(
                        " (the vectors of {} players with no game this season or the last left \
                         out)",
                        unknown.len()
                    )
                }
            ),
        ),
    ])
}

/// Runs the gate after `phase` for the context's game date; a phase without a gate in
/// `registry::gates` passes with no checks.
pub async fn check(deps: &Deps, ctx: &RunContext, phase: u32) -> Result<GateReport> {
    let checks = match registry::gate(phase).map(|g| g.phase) {
        Some(2) => phase2(deps, ctx).await?,
        Some(3) => phase3(deps, &ctx.game_date).await?,
        Some(4) => phase4(deps, ctx).await?,
        Some(5) => phase5(deps, ctx).await?,
        _ => vec![],
    };
    Ok(GateReport {
        phase,
        game_date: ctx.game_date.clone(),
        passed: checks.iter().all(|c| c.passed),
        checks,
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::raw::test_support::temp_deps;

    fn context() -> RunContext {
        RunContext {
            correlation_id: "day-2025-01-13".into(),
            game_date: "2025-01-13".into(),
            ..Default::default()
        }
    }

    /// The warehouse table a declared read lands on: raw-store reads go through the index of
    /// kept payloads.
    fn warehouse_table(read: &registry::Read) -> &'static str {
        match read.table() {
            t if t.starts_with("raw:") => "raw_payloads",
            t => t,
        }
    }

    async fn tables(deps: &Deps) -> BTreeSet<String> {
        crate::storage::schema::read(&deps.warehouse)
            .await
            .unwrap()
            .tables
            .into_keys()
            .collect()
    }

    async fn drop_tables(deps: &Deps, tables: impl IntoIterator<Item = &str>) {
        for t in tables {
            crate::storage::queries::testing::execute(
                &deps.warehouse,
                crate::storage::sql::Sql::new(format!("DROP TABLE {t}")),
            )
            .await
            .unwrap();
        }
    }

    /// Each gate reads the tables `registry::gates` declares for it and no other: with every
    /// other table gone it still measures, and with any one declared table gone it fails
    /// naming that table.
    #[tokio::test]
    async fn each_gate_reads_exactly_its_declared_tables() {
        for gate in registry::gates() {
            let declared: BTreeSet<&str> = gate.reads.iter().map(warehouse_table).collect();
            let (_dir, deps) = temp_deps().await;
            let others: Vec<String> = tables(&deps)
                .await
                .into_iter()
                .filter(|t| !declared.contains(t.as_str()))
                .collect();
            drop_tables(&deps, others.iter().map(String::as_str)).await;
            if let Err(e) = check(&deps, &context(), gate.phase).await {
                panic!("gate {} reads an undeclared table: {e}", gate.phase);
            }
            for table in &declared {
                let (_dir, deps) = temp_deps().await;
                drop_tables(&deps, [*table]).await;
                match check(&deps, &context(), gate.phase).await {
                    Err(e) if e.to_string().contains(table) => {}
                    other => panic!(
                        "gate {} declares {table} but did not read it: {other:?}",
                        gate.phase
                    ),
                }
            }
        }
    }

    /// Every check a gate reports is one its declaration names, and a phase without a gate
    /// reports none.
    #[tokio::test]
    async fn gate_checks_are_the_declared_ones() {
        let (_dir, deps) = temp_deps().await;
        for phase in 1..=6 {
            let report = check(&deps, &context(), phase).await.unwrap();
            let declared = registry::gate(phase).map_or(&[][..], |g| g.checks);
            for c in &report.checks {
                assert!(
                    declared.contains(&c.name.as_str()),
                    "phase {phase}: {}",
                    c.name
                );
            }
            if declared.is_empty() {
                assert!(report.checks.is_empty(), "phase {phase}");
            }
        }
    }
}
