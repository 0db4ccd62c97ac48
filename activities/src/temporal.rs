//! The thin Temporal layer: each activity decodes its request, calls the runner, and turns a
//! `PipelineError` into an activity failure of the right retry class. No pipeline logic here.
//!
//! Retryable errors become retryable failures (Temporal's retry policy backs off and retries);
//! permanent ones and bugs become non-retryable failures typed with the error's short name
//! (`bad_payload`, `quality_check`, ...), so the workflow fails fast and the Web UI says why.

use std::sync::Arc;
use std::time::Instant;

use nbaprops_proto::{
    BackfillPlan, BackfillPlanRequest, DependentsRequest, EntitySet, GateReport, GateRequest,
    GradeResult, PredictionPlan, ProcessorRequest, ProcessorResult, RunContext, ScrapeRequest,
    ScrapeResult, StepRequest, StepResult,
};
use temporalio_macros::activities;
use temporalio_sdk::activities::{ActivityContext, ActivityError};
use temporalio_sdk::ApplicationFailure;
use tracing::Instrument;

use crate::error::{PipelineError, RetryClass};
use crate::ops::run_history;
use crate::{runner, Deps};

/// All activities of nbaprops, sharing one set of dependencies.
pub struct PipelineActivities {
    deps: Deps,
}

impl PipelineActivities {
    pub fn new(deps: Deps) -> Self {
        Self { deps }
    }
}

/// How long Temporal waits at most before the next attempt when a source asks for longer
/// (`Retry-After`): past it, the attempt goes anyway and the error names the wait asked for.
pub const RETRY_AFTER_CAP: std::time::Duration = std::time::Duration::from_secs(300);

/// The failure Temporal sees for a pipeline error. A source's `Retry-After` (capped at
/// [`RETRY_AFTER_CAP`]) sets the delay before the next attempt, overriding the backoff.
pub fn to_activity_error(e: PipelineError) -> ActivityError {
    let non_retryable = e.retry_class() != RetryClass::Retryable;
    let asked = match &e {
        PipelineError::SourceUnavailable {
            retry_after: Some(wait),
            ..
        } if !non_retryable => Some(*wait),
        _ => None,
    };
    let delay = asked.map(|wait| wait.min(RETRY_AFTER_CAP));
    let mut message = e.to_string();
    if let (Some(wait), Some(delay)) = (asked, delay) {
        message.push_str(&if wait > delay {
            format!(
                "; the source asked to wait {} s, longer than the {} s cap: retrying after {} s",
                wait.as_secs(),
                RETRY_AFTER_CAP.as_secs(),
                delay.as_secs()
            )
        } else {
            format!("; retrying after the {} s it asked for", delay.as_secs())
        });
    }
    ApplicationFailure::builder(message)
        .type_name(e.error_type().as_str().to_string())
        .non_retryable(non_retryable)
        .maybe_next_retry_delay(delay)
        .build()
        .into()
}

fn now_utc() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The workflow execution and attempt behind an activity, for the run history.
fn origin(ctx: &ActivityContext) -> run_history::RunOrigin {
    let info = ctx.info();
    run_history::RunOrigin {
        workflow_id: info.workflow_id.clone().unwrap_or_default(),
        run_id: info.workflow_run_id.clone().unwrap_or_default(),
        activity_id: info.activity_id.clone(),
        attempt: info.attempt,
    }
}

fn span(ctx: &ActivityContext, context: Option<&RunContext>, name: &str) -> tracing::Span {
    let info = ctx.info();
    tracing::info_span!(
        "activity",
        correlation_id = context.map(|c| c.correlation_id.as_str()).unwrap_or(""),
        game_date = context.map(|c| c.game_date.as_str()).unwrap_or(""),
        activity_type = info.activity_type.as_str(),
        activity_id = info.activity_id.as_str(),
        processor = name,
        attempt = info.attempt,
    )
}

/// How often a running activity tells Temporal it is alive. The workflows set a heartbeat
/// timeout a few times longer, so the activities of a worker that died are retried on another
/// worker within seconds instead of after their start-to-close timeout.
pub const HEARTBEAT_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

/// Runs `work`, heartbeating until it finishes.
async fn with_heartbeats<T>(
    ctx: &ActivityContext,
    work: impl std::future::Future<Output = T>,
) -> T {
    tokio::pin!(work);
    let mut tick = tokio::time::interval(HEARTBEAT_EVERY);
    tick.tick().await; // the first tick is immediate
    loop {
        tokio::select! {
            out = &mut work => return out,
            _ = tick.tick() => {
                if let Err(e) = ctx.record_heartbeat(()).await {
                    tracing::debug!("heartbeat not sent: {e}");
                }
            }
        }
    }
}

fn log_outcome<T>(
    result: &Result<T, PipelineError>,
    started: Instant,
    summary: impl Fn(&T) -> String,
) {
    let ms = started.elapsed().as_millis() as u64;
    match result {
        Ok(v) => tracing::info!(duration_ms = ms, "{}", summary(v)),
        Err(e) => tracing::warn!(
            duration_ms = ms,
            error_type = e.error_type().as_str(),
            retryable = e.retry_class() == RetryClass::Retryable,
            "failed: {e}"
        ),
    }
}

#[activities]
impl PipelineActivities {
    #[activity(definition = nbaprops_proto::activities::Scrape)]
    pub async fn scrape(
        self: Arc<Self>,
        ctx: ActivityContext,
        req: ScrapeRequest,
    ) -> Result<ScrapeResult, ActivityError> {
        let span = span(&ctx, req.context.as_ref(), &req.source);
        async move {
            let started = Instant::now();
            let result = with_heartbeats(
                &ctx,
                runner::scrape_recorded(&self.deps, &req, &now_utc(), &origin(&ctx)),
            )
            .await;
            log_outcome(&result, started, |r: &ScrapeResult| {
                format!(
                    "fetched {} payloads, {} records",
                    r.payloads.len(),
                    r.records_seen
                )
            });
            result.map_err(to_activity_error)
        }
        .instrument(span)
        .await
    }

    #[activity(definition = nbaprops_proto::activities::Process)]
    pub async fn process(
        self: Arc<Self>,
        ctx: ActivityContext,
        req: ProcessorRequest,
    ) -> Result<ProcessorResult, ActivityError> {
        let span = span(&ctx, req.context.as_ref(), &req.processor);
        async move {
            let started = Instant::now();
            let result = with_heartbeats(
                &ctx,
                runner::run_processor_from(&self.deps, &req, &now_utc(), &origin(&ctx)),
            )
            .await;
            log_outcome(&result, started, |r: &ProcessorResult| {
                format!(
                    "{} {}: read {}, written {}, unchanged {}, removed {}",
                    r.processor,
                    r.data_date,
                    r.rows_read,
                    r.rows_written,
                    r.rows_unchanged,
                    r.rows_removed
                )
            });
            result.map_err(to_activity_error)
        }
        .instrument(span)
        .await
    }

    /// A backfill date's step: all its sources or processors in one activity.
    #[activity(definition = nbaprops_proto::activities::RunStep)]
    pub async fn run_step(
        self: Arc<Self>,
        ctx: ActivityContext,
        req: StepRequest,
    ) -> Result<StepResult, ActivityError> {
        let what = format!("phase {} step", req.phase);
        let span = span(&ctx, req.context.as_ref(), &what);
        async move {
            let started = Instant::now();
            let result = with_heartbeats(
                &ctx,
                runner::run_step(&self.deps, &req, &now_utc(), &origin(&ctx)),
            )
            .await;
            log_outcome(&result, started, |r: &StepResult| {
                let failed = r.outcomes.iter().filter(|o| !o.error.is_empty()).count();
                format!("{what}: {} run, {failed} failed", r.outcomes.len())
            });
            result.map_err(to_activity_error)
        }
        .instrument(span)
        .await
    }

    /// The registry as the day's plan. Run as a local activity: pure and instant, and its
    /// result is recorded in the day's history.
    #[activity(definition = nbaprops_proto::activities::PlanDay)]
    pub async fn plan_day(
        self: Arc<Self>,
        _ctx: ActivityContext,
        _context: RunContext,
    ) -> Result<nbaprops_proto::DayPlan, ActivityError> {
        Ok(nbaprops_proto::registry::day_plan())
    }

    #[activity(definition = nbaprops_proto::activities::CheckQuality)]
    pub async fn check_quality(
        self: Arc<Self>,
        ctx: ActivityContext,
        req: GateRequest,
    ) -> Result<GateReport, ActivityError> {
        let span = span(&ctx, req.context.as_ref(), "check_quality");
        async move {
            let started = Instant::now();
            let result = with_heartbeats(
                &ctx,
                runner::check_quality(&self.deps, &req, &now_utc(), &origin(&ctx)),
            )
            .await;
            log_outcome(&result, started, |r: &GateReport| {
                format!(
                    "gate after phase {}: {} ({} checks)",
                    r.phase,
                    if r.passed { "passed" } else { "FAILED" },
                    r.checks.len()
                )
            });
            result.map_err(to_activity_error)
        }
        .instrument(span)
        .await
    }

    #[activity(definition = nbaprops_proto::activities::RaiseAlert)]
    pub async fn raise_alert(
        self: Arc<Self>,
        ctx: ActivityContext,
        req: nbaprops_proto::AlertRequest,
    ) -> Result<nbaprops_proto::AlertResult, ActivityError> {
        let span = span(&ctx, req.context.as_ref(), "raise_alert");
        async move {
            let started = Instant::now();
            let result = runner::raise_alert(&self.deps, &req, &now_utc()).await;
            log_outcome(&result, started, |r: &nbaprops_proto::AlertResult| {
                format!(
                    "alert {} raised (webhook {})",
                    req.kind,
                    if r.webhook_delivered {
                        "delivered"
                    } else {
                        "not delivered"
                    }
                )
            });
            result.map_err(to_activity_error)
        }
        .instrument(span)
        .await
    }

    #[activity(definition = nbaprops_proto::activities::WriteReport)]
    pub async fn write_report(
        self: Arc<Self>,
        ctx: ActivityContext,
        req: nbaprops_proto::ReportRequest,
    ) -> Result<nbaprops_proto::ReportResult, ActivityError> {
        let span = span(&ctx, req.context.as_ref(), "write_report");
        async move {
            let started = Instant::now();
            let result = runner::write_report(&self.deps, &req, chrono::Utc::now()).await;
            log_outcome(&result, started, |r: &nbaprops_proto::ReportResult| {
                format!("report written to {}", r.location)
            });
            result.map_err(to_activity_error)
        }
        .instrument(span)
        .await
    }

    #[activity(definition = nbaprops_proto::activities::ExpandDependents)]
    pub async fn expand_dependents(
        self: Arc<Self>,
        ctx: ActivityContext,
        req: DependentsRequest,
    ) -> Result<EntitySet, ActivityError> {
        let span = span(&ctx, req.context.as_ref(), "expand_dependents");
        async move {
            let started = Instant::now();
            let result = with_heartbeats(&ctx, runner::expand_dependents(&self.deps, &req)).await;
            log_outcome(&result, started, |r: &EntitySet| {
                format!(
                    "{} players, {} teams, {} games to recompute",
                    r.players.len(),
                    r.teams.len(),
                    r.games.len()
                )
            });
            result.map_err(to_activity_error)
        }
        .instrument(span)
        .await
    }

    #[activity(definition = nbaprops_proto::activities::PlanPredictions)]
    pub async fn plan_predictions(
        self: Arc<Self>,
        ctx: ActivityContext,
        context: RunContext,
    ) -> Result<PredictionPlan, ActivityError> {
        let span = span(&ctx, Some(&context), "plan_predictions");
        async move {
            let started = Instant::now();
            let result =
                with_heartbeats(&ctx, runner::plan_predictions(&self.deps, &context)).await;
            log_outcome(&result, started, |p: &PredictionPlan| {
                format!(
                    "{} players with a line, {} warnings",
                    p.players.len(),
                    p.warnings.len()
                )
            });
            result.map_err(to_activity_error)
        }
        .instrument(span)
        .await
    }

    /// An incremental rerun's plan from the registry. Run as a local activity: pure and
    /// instant, and recorded in the day's history like the day's own plan.
    #[activity(definition = nbaprops_proto::activities::PlanRerun)]
    pub async fn plan_rerun(
        self: Arc<Self>,
        _ctx: ActivityContext,
        req: nbaprops_proto::RerunPlanRequest,
    ) -> Result<nbaprops_proto::DayPlan, ActivityError> {
        let changed: Vec<&str> = req.changed_processors.iter().map(String::as_str).collect();
        Ok(nbaprops_proto::registry::rerun_plan(&changed))
    }

    #[activity(definition = nbaprops_proto::activities::PlanListening)]
    pub async fn plan_listening(
        self: Arc<Self>,
        ctx: ActivityContext,
        context: RunContext,
    ) -> Result<nbaprops_proto::ListenPlan, ActivityError> {
        let span = span(&ctx, Some(&context), "plan_listening");
        async move {
            let started = Instant::now();
            let result = runner::plan_listening(&self.deps, &context).await;
            log_outcome(&result, started, |p: &nbaprops_proto::ListenPlan| {
                format!("last tip-off {:?}", p.last_tipoff)
            });
            result.map_err(to_activity_error)
        }
        .instrument(span)
        .await
    }

    #[activity(definition = nbaprops_proto::activities::RecordInjuryUpdates)]
    pub async fn record_injury_updates(
        self: Arc<Self>,
        ctx: ActivityContext,
        req: nbaprops_proto::InjuryUpdatesRequest,
    ) -> Result<nbaprops_proto::InjuryUpdatesResult, ActivityError> {
        let span = span(&ctx, req.context.as_ref(), "record_injury_updates");
        async move {
            let started = Instant::now();
            let result = runner::record_injury_updates(&self.deps, &req).await;
            log_outcome(
                &result,
                started,
                |r: &nbaprops_proto::InjuryUpdatesResult| {
                    format!(
                        "{} injury updates kept, {} refused",
                        r.payloads.len(),
                        r.rejected.len()
                    )
                },
            );
            result.map_err(to_activity_error)
        }
        .instrument(span)
        .await
    }

    #[activity(definition = nbaprops_proto::activities::WatchInjuries)]
    pub async fn watch_injuries(
        self: Arc<Self>,
        ctx: ActivityContext,
        req: nbaprops_proto::InjuryWatchInput,
    ) -> Result<nbaprops_proto::InjuryWatchResult, ActivityError> {
        let context = RunContext {
            correlation_id: ctx.info().workflow_id.clone().unwrap_or_default(),
            game_date: req.game_date.clone(),
            ..Default::default()
        };
        let span = span(&ctx, Some(&context), "watch_injuries");
        async move {
            let started = Instant::now();
            let result =
                with_heartbeats(&ctx, crate::ops::injury_watch::watch(&self.deps, &req)).await;
            log_outcome(&result, started, |r: &nbaprops_proto::InjuryWatchResult| {
                format!(
                    "report {:?}: {} players, {} changed",
                    r.report_time,
                    r.players_on_report,
                    r.changes.len()
                )
            });
            result.map_err(to_activity_error)
        }
        .instrument(span)
        .await
    }

    #[activity(definition = nbaprops_proto::activities::PlanBackfill)]
    pub async fn plan_backfill(
        self: Arc<Self>,
        ctx: ActivityContext,
        req: BackfillPlanRequest,
    ) -> Result<BackfillPlan, ActivityError> {
        let span = span(&ctx, req.context.as_ref(), "plan_backfill");
        async move {
            let started = Instant::now();
            let result = with_heartbeats(&ctx, crate::backfill::plan(&self.deps, &req)).await;
            log_outcome(&result, started, |p: &BackfillPlan| {
                format!(
                    "{} game dates, {} steps, {} warnings",
                    p.game_dates.len(),
                    p.steps.len(),
                    p.warnings.len()
                )
            });
            result.map_err(to_activity_error)
        }
        .instrument(span)
        .await
    }

    #[activity(definition = nbaprops_proto::activities::SummarizeGrades)]
    pub async fn summarize_grades(
        self: Arc<Self>,
        ctx: ActivityContext,
        context: RunContext,
    ) -> Result<GradeResult, ActivityError> {
        let span = span(&ctx, Some(&context), "summarize_grades");
        async move {
            let started = Instant::now();
            let result =
                with_heartbeats(&ctx, runner::summarize_grades(&self.deps, &context)).await;
            log_outcome(&result, started, |g: &GradeResult| {
                format!(
                    "{} predictions graded, {} void, {} systems",
                    g.graded,
                    g.voids,
                    g.systems.len()
                )
            });
            result.map_err(to_activity_error)
        }
        .instrument(span)
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permanent_errors_are_non_retryable_and_typed() {
        let e = to_activity_error(PipelineError::BadPayload {
            source_name: "nbac_schedule".into(),
            url: "u".into(),
            date: "2025-01-01".into(),
            reason: "HTML".into(),
            quarantine_key: None,
        });
        let ActivityError::Application(f) = e else {
            panic!("not an application failure")
        };
        assert!(f.is_non_retryable());
        assert_eq!(f.type_name(), Some("bad_payload"));
        let e = to_activity_error(PipelineError::SourceUnavailable {
            source_name: "s".into(),
            url: "u".into(),
            date: "d".into(),
            reason: "HTTP 503".into(),
            retry_after: None,
        });
        let ActivityError::Application(f) = e else {
            panic!("not an application failure")
        };
        assert!(!f.is_non_retryable());
        assert_eq!(f.next_retry_delay(), None);
    }

    #[test]
    fn a_source_that_asks_to_wait_sets_the_next_attempt() {
        let asked = |secs: u64| {
            to_activity_error(PipelineError::SourceUnavailable {
                source_name: "oddsa_player_props".into(),
                url: "u".into(),
                date: "2025-01-13".into(),
                reason: format!("HTTP 429 Too Many Requests (Retry-After: {secs})"),
                retry_after: Some(std::time::Duration::from_secs(secs)),
            })
        };
        let ActivityError::Application(f) = asked(60) else {
            panic!("not an application failure")
        };
        assert_eq!(
            f.next_retry_delay(),
            Some(std::time::Duration::from_secs(60))
        );
        assert!(
            f.to_string()
                .contains("retrying after the 60 s it asked for"),
            "{}",
            f.to_string()
        );
        let ActivityError::Application(f) = asked(3600) else {
            panic!("not an application failure")
        };
        assert_eq!(f.next_retry_delay(), Some(RETRY_AFTER_CAP));
        assert!(
            f.to_string()
                .contains("asked to wait 3600 s, longer than the 300 s cap"),
            "{}",
            f.to_string()
        );
    }
}
