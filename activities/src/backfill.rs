//! What a backfill covers: the game dates of a range, from the kept season schedules (and the
//! dates of imported history), and the registry's steps. `BackfillWorkflow` asks for this once
//! through the `plan_backfill` activity and then walks the steps date by date.
//!
//! A step's processors that write the game date's partition run on game dates; those that
//! write the day before's (box scores and their summaries) run on the day after each game date,
//! which is how a live day brings in yesterday's box scores. The day after the range's last game
//! date is included for them, so the last date is summarised and graded too.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use nbaprops_orchestration::{run_date_step, PhaseRun};
use nbaprops_proto::registry::{self, dates_of, DateStep, IMPORTED_SOURCES};
use nbaprops_proto::{BackfillPlan, BackfillPlanRequest, FailedDate, Phase, ScrapeRequest};

use crate::error::{PipelineError, Result};
use crate::inprocess::InProcessExecutor;
use crate::sources::{
    nba_season, nbac_schedule, nbac_schedule_api, parse_date, schedule_games, shift_date,
};
use crate::{runner, Deps};

/// The longest range one backfill takes (a little over six seasons of calendar days).
pub const MAX_DAYS: i64 = 2300;

fn validate(req: &BackfillPlanRequest) -> Result<(NaiveDate, NaiveDate)> {
    let from = parse_date(&req.from)?;
    let to = parse_date(&req.to)?;
    if from > to {
        return Err(PipelineError::InvalidRequest(format!(
            "backfill: from {} is after to {}",
            req.from, req.to
        )));
    }
    if (to - from).num_days() > MAX_DAYS {
        return Err(PipelineError::InvalidRequest(format!(
            "backfill: {} to {} is more than {MAX_DAYS} days; split the range",
            req.from, req.to
        )));
    }
    if !(1..=5).contains(&req.first_phase)
        || !(1..=5).contains(&req.last_phase)
        || req.first_phase > req.last_phase
    {
        return Err(PipelineError::InvalidRequest(format!(
            "backfill: phases {}-{} are not a range within 1-5",
            req.first_phase, req.last_phase
        )));
    }
    for d in &req.only_dates {
        parse_date(d)?;
    }
    Ok((from, to))
}

/// One date in each season the range touches, inside the range (the stats-host schedule is
/// asked for per season).
fn season_dates(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    let mut out: Vec<NaiveDate> = Vec::new();
    let mut d = from;
    while d <= to {
        if out
            .last()
            .is_none_or(|last| nba_season(*last) != nba_season(d))
        {
            out.push(d);
        }
        d += chrono::Duration::days(1);
    }
    out
}

/// Every date in `from..=to` that a kept season schedule lists a game on. For each season the
/// newest kept schedule that covers it answers (a schedule is re-kept whenever its content
/// changes; older copies list the same games).
pub async fn scheduled_dates(
    deps: &Deps,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<(BTreeSet<String>, Vec<String>)> {
    let wanted: BTreeSet<String> = season_dates(from, to).into_iter().map(nba_season).collect();
    let mut covered: BTreeSet<String> = BTreeSet::new();
    let mut dates = BTreeSet::new();
    for source in [nbac_schedule::SOURCE, nbac_schedule_api::SOURCE] {
        let keys =
            crate::storage::queries::raw::newest_keys(&deps.warehouse, source, i64::MAX).await?;
        for key in keys {
            if wanted.is_subset(&covered) {
                break;
            }
            let body = deps.raw.get(&key).await?;
            let games = schedule_games(source, &body).map_err(|reason| {
                PipelineError::Internal(format!("kept schedule {key} no longer parses: {reason}"))
            })?;
            let seasons: BTreeSet<String> = games
                .iter()
                .filter_map(|(_, d)| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                .map(nba_season)
                .collect();
            let new: BTreeSet<String> = seasons
                .intersection(&wanted)
                .filter(|s| !covered.contains(*s))
                .cloned()
                .collect();
            for (_, d) in games {
                let Ok(day) = NaiveDate::parse_from_str(&d, "%Y-%m-%d") else {
                    continue;
                };
                if day >= from && day <= to && new.contains(&nba_season(day)) {
                    dates.insert(d);
                }
            }
            covered.extend(new);
        }
    }
    let missing: Vec<String> = wanted
        .difference(&covered)
        .map(|s| format!("no kept season schedule covers season {s}"))
        .collect();
    Ok((dates, missing))
}

/// The dates in range that imported history (`nbaprops import`) holds rows for.
async fn imported_dates(deps: &Deps, from: &str, to: &str) -> Result<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    for source in IMPORTED_SOURCES {
        let dates = crate::storage::queries::raw::kept_dates(
            &deps.warehouse,
            source.trim_start_matches("raw:"),
            Some((from, to)),
        )
        .await?;
        out.extend(dates);
    }
    Ok(out)
}

/// The plan of a backfill. With Phase 1 in it, each season's schedule is scraped (and kept)
/// first; without, the schedules kept by earlier runs answer.
pub async fn plan(deps: &Deps, req: &BackfillPlanRequest) -> Result<BackfillPlan> {
    let (from, to) = validate(req)?;
    let context = req
        .context
        .clone()
        .ok_or_else(|| PipelineError::InvalidRequest("backfill plan: no run context".into()))?;
    if req.first_phase == Phase::Scrape.number() {
        // The CDN file is the current season's; the stats host answers per season.
        let mut asks = vec![(nbac_schedule::SOURCE, to)];
        asks.extend(
            season_dates(from, to)
                .into_iter()
                .map(|d| (nbac_schedule_api::SOURCE, d)),
        );
        for (source, date) in asks {
            let mut ctx = context.clone();
            ctx.game_date = date.format("%Y-%m-%d").to_string();
            runner::scrape(
                deps,
                &ScrapeRequest {
                    context: Some(ctx),
                    source: source.to_string(),
                },
            )
            .await?;
        }
    }
    // From the day before the range: a live day on `from` brings in that day's box scores.
    let before = from - chrono::Duration::days(1);
    let (mut games, mut warnings) = scheduled_dates(deps, before, to).await?;
    let day_before = before.format("%Y-%m-%d").to_string();
    games.extend(imported_dates(deps, &day_before, &req.to).await?);
    let mut after: BTreeSet<String> = BTreeSet::new();
    for d in &games {
        after.insert(shift_date(d, 1)?);
    }
    games.remove(&day_before);
    if games.is_empty() {
        return Err(PipelineError::InvalidRequest(format!(
            "backfill {} to {}: no kept season schedule or imported history lists a game in the \
             range ({})",
            req.from,
            req.to,
            if warnings.is_empty() {
                "the range has no games".to_string()
            } else {
                warnings.join("; ")
            }
        )));
    }
    if !req.only_dates.is_empty() {
        let only: BTreeSet<&String> = req.only_dates.iter().collect();
        games.retain(|d| only.contains(d));
        after.retain(|d| only.contains(d));
        if games.is_empty() && after.is_empty() {
            warnings.push("none of the dates to retry is in the range".into());
        }
    }
    Ok(BackfillPlan {
        game_dates: games.into_iter().collect(),
        after_game_dates: after.into_iter().collect(),
        steps: registry::backfill_steps(req.first_phase, req.last_phase),
        warnings,
    })
}

/// What an in-process backfill did (the benchmark's baseline for Temporal's overhead).
#[derive(Debug, Clone, Default)]
pub struct InProcessRun {
    /// Date-steps run and failed, and the activities they would have been.
    pub date_steps: usize,
    pub failed: Vec<FailedDate>,
    pub activities: usize,
    pub rows_written: u64,
}

/// The whole backfill without Temporal: the same plan, steps and dates, `concurrency` dates of
/// a step at once, a failed date skipped by later steps. For the benchmark's overhead ratio
/// (and tools); production backfills run as `BackfillWorkflow`.
pub async fn run_in_process(
    deps: &Deps,
    req: &BackfillPlanRequest,
    concurrency: usize,
) -> Result<InProcessRun> {
    use futures::StreamExt;
    let plan = plan(deps, req).await?;
    let base = req
        .context
        .clone()
        .ok_or_else(|| PipelineError::InvalidRequest("backfill: no run context".into()))?;
    let mut run = InProcessRun {
        activities: 1,
        ..Default::default()
    };
    for step in &plan.steps {
        let dates: Vec<DateStep> = dates_of(&plan, step)
            .into_iter()
            .filter(|d| !run.failed.iter().any(|f| f.date == d.date))
            .collect();
        let outcomes: Vec<(String, std::result::Result<PhaseRun, String>)> =
            futures::stream::iter(dates.iter().map(|d| {
                let mut ctx = base.clone();
                ctx.game_date = d.date.clone();
                async move {
                    let exec = InProcessExecutor::new(deps, ctx);
                    let out = run_date_step(&exec, d.gate_before, &d.parts).await;
                    (d.date.clone(), out)
                }
            }))
            .buffered(concurrency.max(1))
            .collect()
            .await;
        for (date, out) in outcomes {
            run.date_steps += 1;
            match out {
                Ok(done) => {
                    run.activities += done.activities as usize;
                    run.rows_written += done
                        .results
                        .iter()
                        .map(|r| r.rows_written as u64)
                        .sum::<u64>();
                }
                Err(error) => run.failed.push(FailedDate {
                    date,
                    phase: step.phase,
                    level: step.level,
                    error,
                }),
            }
        }
    }
    Ok(run)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn one_date_per_season_inside_the_range() {
        let got = season_dates(d("2021-10-19"), d("2025-06-22"));
        let seasons: Vec<String> = got.iter().map(|x| nba_season(*x)).collect();
        assert_eq!(seasons, ["2021-22", "2022-23", "2023-24", "2024-25"]);
        assert_eq!(got[0], d("2021-10-19"));
        assert_eq!(got[1], d("2022-08-01"));
    }

    #[test]
    fn bad_ranges_are_refused_with_the_reason() {
        let req = |from: &str, to: &str, first, last| BackfillPlanRequest {
            context: None,
            from: from.into(),
            to: to.into(),
            first_phase: first,
            last_phase: last,
            only_dates: vec![],
        };
        let e = validate(&req("2025-01-02", "2025-01-01", 1, 5)).unwrap_err();
        assert!(e.to_string().contains("after"), "{e}");
        let e = validate(&req("2025-01-01", "2025-01-02", 3, 2)).unwrap_err();
        assert!(e.to_string().contains("phases 3-2"), "{e}");
        let e = validate(&req("2015-01-01", "2025-01-02", 1, 5)).unwrap_err();
        assert!(e.to_string().contains("split the range"), "{e}");
        assert!(validate(&req("2025-01-01", "2025-01-01", 2, 5)).is_ok());
    }
}
