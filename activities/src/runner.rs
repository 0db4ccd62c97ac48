//! Runs any source or processor of the registry by name (the code behind each name is in
//! `catalog`). The Temporal activities call it, and so can anything that runs the pipeline
//! in-process (benchmarks, tests).

use chrono::Duration;
use nbaprops_proto::registry::{self, ProcessorSpec};
use nbaprops_proto::{AlertKind, Phase};
use nbaprops_proto::{
    DependentsRequest, EntitySet, GateReport, GateRequest, PredictionPlan, ProcessorRequest,
    ProcessorResult, RunContext, ScrapeRequest, ScrapeResult, StepOutcome, StepRequest, StepResult,
};

use crate::error::{PipelineError, Result, RetryClass};
use crate::ops::{alerts, change_health, dependents, prediction_timing, quality, run_history};
use crate::storage::warehouse::WriteMeta;
use crate::{catalog, grade, predict, sources, Deps};

/// The date a spec works on for a game date (box scores are the day before).
pub fn data_date(spec: &ProcessorSpec, game_date: &str) -> Result<String> {
    let d = sources::parse_date(game_date)? + Duration::days(spec.date_offset_days as i64);
    Ok(d.format("%Y-%m-%d").to_string())
}

fn context_of<'a>(ctx: &'a Option<RunContext>, what: &str) -> Result<&'a RunContext> {
    let ctx = ctx
        .as_ref()
        .ok_or_else(|| PipelineError::InvalidRequest(format!("{what}: no run context")))?;
    if ctx.correlation_id.is_empty() {
        return Err(PipelineError::InvalidRequest(format!(
            "{what}: empty correlation id"
        )));
    }
    nbaprops_proto::validate_game_date(&ctx.game_date)
        .map_err(|e| PipelineError::InvalidRequest(format!("{what}: {e}")))?;
    Ok(ctx)
}

fn spec_of(name: &str, phase: Option<u32>) -> Result<ProcessorSpec> {
    let spec = registry::get(name)
        .ok_or_else(|| PipelineError::InvalidRequest(format!("unknown processor {name:?}")))?;
    if let Some(p) = phase {
        if spec.phase != p {
            return Err(PipelineError::InvalidRequest(format!(
                "{name} is a phase {} processor, not phase {p}",
                spec.phase
            )));
        }
    }
    Ok(spec)
}

/// Phase 1: fetch one source for the request's game date.
pub async fn scrape(deps: &Deps, req: &ScrapeRequest) -> Result<ScrapeResult> {
    let ctx = context_of(&req.context, &req.source)?;
    let spec = spec_of(&req.source, Some(1))?;
    let date = data_date(&spec, &ctx.game_date)?;
    let source = catalog::source(spec.name).ok_or_else(|| {
        PipelineError::Internal(format!(
            "source {} is in the registry but has no code",
            spec.name
        ))
    })?;
    (source.fetch)(deps, &date).await
}

/// Phase 1 through the activity layer: fetch one source, then record the scrape in the run
/// history (succeeded or failed) with the execution that ran it.
pub async fn scrape_recorded(
    deps: &Deps,
    req: &ScrapeRequest,
    now: &str,
    origin: &run_history::RunOrigin,
) -> Result<ScrapeResult> {
    let ctx = context_of(&req.context, &req.source)?;
    let spec = spec_of(&req.source, Some(1))?;
    let date = data_date(&spec, &ctx.game_date)?;
    // `raw_payloads.first_seen_at` has whole seconds: a payload first seen from this second on
    // was kept by this scrape.
    let since = now.get(..19).unwrap_or(now).to_string();
    let started = std::time::Instant::now();
    let outcome = scrape(deps, req).await;
    let counted = match &outcome {
        Ok(r) => newly_kept(deps, r, &since).await.map(|new| {
            run_history::scrape_counts(
                spec.name,
                &date,
                r.records_seen,
                new,
                r.payloads.len() as u32,
            )
        }),
        Err(_) => Ok(ProcessorResult::default()),
    };
    // A count that failed (the warehouse refused the read) fails the attempt like the scrape.
    let outcome = match (outcome, counted) {
        (Ok(r), Ok(counts)) => Ok((r, counts)),
        (Err(e), _) | (Ok(_), Err(e)) => Err(e),
    };
    let recorded = run_history::record(
        deps,
        &run_history::RunRecord {
            kind: run_history::KIND_SCRAPE,
            processor: spec.name,
            phase: 1,
            context: ctx,
            data_date: &date,
            scope: "all".into(),
            started_at: now,
            duration_ms: started.elapsed().as_millis() as u64,
            outcome: outcome.as_ref().map(|(_, counts)| counts),
            origin,
        },
    )
    .await;
    run_history::settle(recorded, spec.name, outcome).map(|(r, _)| r)
}

/// How many of a scrape's payloads it kept first (`raw_payloads.first_seen_at` from `since`).
async fn newly_kept(deps: &Deps, scrape: &ScrapeResult, since: &str) -> Result<u32> {
    let mut new = 0u32;
    for p in &scrape.payloads {
        let first =
            crate::storage::queries::raw::first_seen(&deps.warehouse, &p.object_key).await?;
        if first.is_some_and(|f| f.get(..19).unwrap_or(&f) >= since) {
            new += 1;
        }
    }
    Ok(new)
}

/// Phases 2-5 outside Temporal (tools, the backtest, benchmarks): `run_processor_from` with an
/// in-process origin.
pub async fn run_processor(
    deps: &Deps,
    req: &ProcessorRequest,
    now: &str,
) -> Result<ProcessorResult> {
    run_processor_from(deps, req, now, &run_history::RunOrigin::in_process()).await
}

/// Phases 2-5: run one processor for the request's game date, record the run in the run
/// history (with the execution that ran it), and check change detection's health against the
/// previous run of the same date.
pub async fn run_processor_from(
    deps: &Deps,
    req: &ProcessorRequest,
    now: &str,
    origin: &run_history::RunOrigin,
) -> Result<ProcessorResult> {
    let ctx = context_of(&req.context, &req.processor)?;
    let spec = spec_of(&req.processor, None)?;
    if spec.phase == Phase::Scrape.number() {
        return Err(PipelineError::InvalidRequest(format!(
            "{} is a source: scrape it, do not process it",
            spec.name
        )));
    }
    let date = data_date(&spec, &ctx.game_date)?;
    let scope = run_history::scope_label(req.entity_filter.as_ref());
    let started = std::time::Instant::now();
    // A warehouse that refuses the first read fails the attempt, recorded like any other.
    let (previous, outcome) = match run_history::previous_ok(deps, spec.name, &date, &scope).await {
        Ok(previous) => (previous, dispatch(deps, req, &spec, ctx, &date, now).await),
        Err(e) => (None, Err(e)),
    };
    let outcome = match outcome {
        // Nothing was fetched for this processor's date: an empty run that touched nothing.
        Err(e @ PipelineError::NoPayloads { .. }) => Ok(ProcessorResult {
            processor: spec.name.to_string(),
            data_date: date.clone(),
            entities_changed: Some(EntitySet::default()),
            warnings: vec![e.to_string()],
            ..Default::default()
        }),
        other => other,
    };
    let recorded = run_history::record(
        deps,
        &run_history::RunRecord {
            kind: run_history::KIND_PROCESS,
            processor: spec.name,
            phase: spec.phase,
            context: ctx,
            data_date: &date,
            scope,
            started_at: now,
            duration_ms: started.elapsed().as_millis() as u64,
            outcome: outcome.as_ref(),
            origin,
        },
    )
    .await;
    let mut outcome = run_history::settle(recorded, spec.name, outcome);
    if let Ok(result) = &mut outcome {
        if let Some(message) = change_health::suspicious(previous.as_ref(), result) {
            alerts::raise(
                deps,
                &alerts::Alert {
                    kind: AlertKind::ChangeDetection,
                    severity: alerts::Severity::Warning,
                    game_date: ctx.game_date.clone(),
                    subject: spec.name.to_string(),
                    correlation_id: ctx.correlation_id.clone(),
                    message: message.clone(),
                    details: None,
                },
                now,
            )
            .await?;
            result.warnings.push(message);
        }
    }
    outcome
}

/// A backfill date's step in one call: every source (Phase 1) or processor of the step at
/// once, each recorded in the run history as it would be in its own activity, with its
/// outcome.
pub async fn run_step_each(
    deps: &Deps,
    req: &StepRequest,
    now: &str,
    origin: &run_history::RunOrigin,
) -> Vec<(String, Result<ProcessorResult>)> {
    let runs = req.names.iter().map(|name| async move {
        let outcome = if req.phase == Phase::Scrape.number() {
            let scrape = ScrapeRequest {
                context: req.context.clone(),
                source: name.clone(),
            };
            scrape_recorded(deps, &scrape, now, origin)
                .await
                .map(|s| ProcessorResult {
                    processor: s.source,
                    rows_read: s.records_seen,
                    warnings: s.warnings,
                    ..Default::default()
                })
        } else {
            let process = ProcessorRequest {
                context: req.context.clone(),
                processor: name.clone(),
                raw_payloads: vec![],
                entity_filter: None,
            };
            run_processor_from(deps, &process, now, origin).await
        };
        (name.clone(), outcome)
    });
    futures::future::join_all(runs).await
}

/// [`run_step_each`] for the `run_step` activity. Errors a retry cannot fix are kept in their
/// outcome, so the others' results still come back. If any failed with a retryable error the
/// whole step fails retryably, once all have finished: a retry runs the step again, which
/// every source and processor allows (idempotent; unchanged rows are not rewritten).
pub async fn run_step(
    deps: &Deps,
    req: &StepRequest,
    now: &str,
    origin: &run_history::RunOrigin,
) -> Result<StepResult> {
    let mut outcomes = Vec::new();
    let mut retryable = Vec::new();
    for (name, outcome) in run_step_each(deps, req, now, origin).await {
        match outcome {
            Ok(result) => outcomes.push(StepOutcome {
                name,
                result: Some(result),
                error: String::new(),
            }),
            Err(e) if e.retry_class() == RetryClass::Retryable => {
                retryable.push(format!("{name}: {e}"))
            }
            Err(e) => outcomes.push(StepOutcome {
                name,
                result: None,
                error: e.to_string(),
            }),
        }
    }
    if !retryable.is_empty() {
        return Err(PipelineError::StepRetry(retryable.join("; ")));
    }
    Ok(StepResult { outcomes })
}

async fn dispatch(
    deps: &Deps,
    req: &ProcessorRequest,
    spec: &ProcessorSpec,
    ctx: &RunContext,
    date: &str,
    now: &str,
) -> Result<ProcessorResult> {
    let date = date.to_string();
    let meta = WriteMeta {
        correlation_id: ctx.correlation_id.clone(),
        now: now.to_string(),
    };
    let processor = catalog::processor(spec.name).ok_or_else(|| {
        PipelineError::Internal(format!(
            "processor {} is in the registry but has no code",
            spec.name
        ))
    })?;
    (processor.run)(deps, req, &date, &meta).await
}

/// The quality gate after a phase, each attempt recorded in the run history (a failed gate as a
/// failed run naming its failed checks). A failed gate is also raised as a critical alert; a
/// passed Phase 5 gate records how early the predictions were (`ops::prediction_timing`).
pub async fn check_quality(
    deps: &Deps,
    req: &GateRequest,
    now: &str,
    origin: &run_history::RunOrigin,
) -> Result<GateReport> {
    let ctx = context_of(&req.context, "quality gate")?;
    let started = std::time::Instant::now();
    let outcome = quality::check(deps, ctx, req.phase).await;
    let judged = match &outcome {
        Ok(report) if !report.passed => Err(PipelineError::QualityCheck {
            processor: format!("the quality gate after phase {}", req.phase),
            date: ctx.game_date.clone(),
            reason: report.describe_failures(),
        }),
        Ok(report) => Ok(ProcessorResult {
            processor: run_history::QUALITY_GATE.to_string(),
            data_date: ctx.game_date.clone(),
            rows_read: report.checks.len() as u32,
            ..Default::default()
        }),
        Err(_) => Ok(ProcessorResult::default()),
    };
    let recorded = run_history::record(
        deps,
        &run_history::RunRecord {
            kind: run_history::KIND_GATE,
            processor: run_history::QUALITY_GATE,
            phase: req.phase,
            context: ctx,
            data_date: &ctx.game_date,
            scope: "all".into(),
            started_at: now,
            duration_ms: started.elapsed().as_millis() as u64,
            outcome: match (&outcome, &judged) {
                (Err(e), _) | (Ok(_), Err(e)) => Err(e),
                (Ok(_), Ok(r)) => Ok(r),
            },
            origin,
        },
    )
    .await;
    let report = run_history::settle(recorded, run_history::QUALITY_GATE, outcome)?;
    if report.passed && req.phase == Phase::Predict.number() {
        if let Ok(started_at) = chrono::DateTime::parse_from_rfc3339(now) {
            let completed_at = started_at.to_utc() + started.elapsed();
            prediction_timing::record(deps, ctx, &origin.workflow_id, completed_at).await;
        }
    }
    if !report.passed {
        alerts::raise(
            deps,
            &alerts::Alert {
                kind: AlertKind::QualityGate,
                severity: alerts::Severity::Critical,
                game_date: ctx.game_date.clone(),
                subject: format!("phase {}", req.phase),
                correlation_id: ctx.correlation_id.clone(),
                message: format!(
                    "quality gate after phase {} failed for {}: {}",
                    req.phase,
                    ctx.game_date,
                    report.describe_failures()
                ),
                details: serde_json::to_value(&report).ok(),
            },
            now,
        )
        .await?;
    }
    Ok(report)
}

/// The `write_report` activity: a date's HTML report into the raw store (`report`).
pub async fn write_report(
    deps: &Deps,
    req: &nbaprops_proto::ReportRequest,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<nbaprops_proto::ReportResult> {
    let ctx = context_of(&req.context, "report")?;
    crate::report::write_stored(deps, &ctx.game_date, &req.kind, now).await
}

/// An alert a workflow raises (a missed SLA, a stuck phase): stored, logged, POSTed.
pub async fn raise_alert(
    deps: &Deps,
    req: &nbaprops_proto::AlertRequest,
    now: &str,
) -> Result<nbaprops_proto::AlertResult> {
    let ctx = context_of(&req.context, "alert")?;
    // The kinds a workflow may raise (docs/runbook.md lists them).
    let kind = AlertKind::parse(&req.kind)
        .filter(|k| k.raised_by_workflows())
        .ok_or_else(|| {
            PipelineError::InvalidRequest(format!(
                "alert for {}: unknown kind {:?}",
                ctx.game_date, req.kind
            ))
        })?;
    let severity = match req.severity.as_str() {
        "warning" => alerts::Severity::Warning,
        _ => alerts::Severity::Critical,
    };
    let delivered = alerts::raise(
        deps,
        &alerts::Alert {
            kind,
            severity,
            game_date: ctx.game_date.clone(),
            subject: req.subject.clone(),
            correlation_id: ctx.correlation_id.clone(),
            message: req.message.clone(),
            details: None,
        },
        now,
    )
    .await?;
    Ok(nbaprops_proto::AlertResult {
        webhook_delivered: delivered,
    })
}

/// Incremental mode: the changed entities plus their dependents.
pub async fn expand_dependents(deps: &Deps, req: &DependentsRequest) -> Result<EntitySet> {
    context_of(&req.context, "dependents")?;
    dependents::expand(deps, &req.changed.clone().unwrap_or_default()).await
}

/// The `injury_update` signals of a day: kept in the raw store for the rerun's Phase 2, or
/// refused with their reason.
pub async fn record_injury_updates(
    deps: &Deps,
    req: &nbaprops_proto::InjuryUpdatesRequest,
) -> Result<nbaprops_proto::InjuryUpdatesResult> {
    let ctx = context_of(&req.context, "injury updates")?;
    sources::injury_update::keep(deps, &ctx.game_date, &req.updates, &req.received_at).await
}

/// The date's last scheduled tip-off (the schedule's games, else the sportsbooks' commence
/// times): until then a day listens for injury updates.
pub async fn plan_listening(deps: &Deps, ctx: &RunContext) -> Result<nbaprops_proto::ListenPlan> {
    let ctx = Some(ctx.clone());
    let ctx = context_of(&ctx, "listening plan")?;
    let scheduled =
        crate::storage::queries::raw::last_scheduled_tipoff(&deps.warehouse, &ctx.game_date)
            .await?;
    let last = match scheduled.filter(|t| !t.is_empty()) {
        Some(t) => Some(t),
        None => {
            crate::storage::queries::raw::last_lined_tipoff(&deps.warehouse, &ctx.game_date).await?
        }
    };
    let last_tipoff = last
        .and_then(|t| sources::injury_update::normalize_time(&t))
        .unwrap_or_default();
    Ok(nbaprops_proto::ListenPlan { last_tipoff })
}

/// After the day: the stored grades of the context's date, summarised per system.
pub async fn summarize_grades(
    deps: &Deps,
    ctx: &RunContext,
) -> Result<nbaprops_proto::GradeResult> {
    let ctx = Some(ctx.clone());
    let ctx = context_of(&ctx, "grade summary")?;
    grade::prediction_grades::summarize(deps, ctx).await
}

/// Phase 5: the players that get a prediction.
pub async fn plan_predictions(deps: &Deps, ctx: &RunContext) -> Result<PredictionPlan> {
    let ctx = Some(ctx.clone());
    let ctx = context_of(&ctx, "prediction plan")?;
    predict::plan::plan(deps, &ctx.game_date, crate::lines::cutoff_of(Some(ctx))).await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every registry entry has code behind it: dispatching its name never reaches the
    /// "no code" arm (it fails later, on the empty test warehouse, for other reasons).
    #[tokio::test]
    async fn every_registry_entry_dispatches() {
        let dir = tempfile::tempdir().unwrap();
        let deps = Deps::open(&crate::DepsConfig::under(
            dir.path(),
            crate::sources::SourceConfig::replay("http://127.0.0.1:9"),
        ))
        .await
        .unwrap();
        let ctx = RunContext {
            correlation_id: "day-2025-01-13".into(),
            game_date: "2025-01-13".into(),
            ..Default::default()
        };
        for spec in registry::specs() {
            let err = if spec.phase == Phase::Scrape.number() {
                scrape(
                    &deps,
                    &ScrapeRequest {
                        context: Some(ctx.clone()),
                        source: spec.name.into(),
                    },
                )
                .await
                .err()
            } else {
                run_processor(
                    &deps,
                    &ProcessorRequest {
                        context: Some(ctx.clone()),
                        processor: spec.name.into(),
                        entity_filter: Some(nbaprops_proto::EntitySet {
                            players: vec!["1".into()],
                            ..Default::default()
                        }),
                        ..Default::default()
                    },
                    "2025-01-13T12:00:00Z",
                )
                .await
                .err()
            };
            if let Some(e) = err {
                assert!(!e.to_string().contains("has no code"), "{}: {e}", spec.name);
            }
        }
    }

    #[test]
    fn data_dates_follow_the_registry_offsets() {
        let spec = registry::get("nbac_player_boxscore").unwrap();
        assert_eq!(data_date(&spec, "2025-03-01").unwrap(), "2025-02-28");
        let spec = registry::get("moving_average").unwrap();
        assert_eq!(data_date(&spec, "2025-03-01").unwrap(), "2025-03-01");
    }
}
