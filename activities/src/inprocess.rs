//! The pipeline run in-process, without Temporal: the same registry, the same runner, the same
//! quality gates, one date at a time. For tests over real history, for benchmarks (the
//! orchestration overhead of Temporal is the time through it divided by this), and for tools.
//! The Temporal workflows remain the way production runs; this never retries or records
//! histories.

use nbaprops_proto::registry::{self, ProcessorSpec};
use nbaprops_proto::{EntitySet, GateReport, ProcessorRequest, ProcessorResult, RunContext};

use crate::error::{PipelineError, Result};
use crate::{ops, runner, Deps};

/// What one phase of a date did.
#[derive(Debug, Clone)]
pub struct PhaseRun {
    pub phase: u32,
    pub results: Vec<ProcessorResult>,
    pub gate: Option<GateReport>,
}

fn now_utc() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

async fn run_spec(
    deps: &Deps,
    ctx: &RunContext,
    spec: &ProcessorSpec,
    players: Option<Vec<String>>,
) -> Result<ProcessorResult> {
    runner::run_processor(
        deps,
        &ProcessorRequest {
            context: Some(ctx.clone()),
            processor: spec.name.to_string(),
            raw_payloads: vec![],
            entity_filter: players.map(|players| EntitySet {
                players,
                ..Default::default()
            }),
        },
        &now_utc(),
    )
    .await
}

/// Runs one phase (2-5) of the context's date, without its gate.
pub async fn run_phase(deps: &Deps, ctx: &RunContext, phase: u32) -> Result<Vec<ProcessorResult>> {
    let mut results = Vec::new();
    if phase == 5 {
        let plan = runner::plan_predictions(deps, ctx).await?;
        let mut planned = ProcessorResult {
            processor: "plan".into(),
            data_date: ctx.game_date.clone(),
            ..Default::default()
        };
        planned.warnings = plan.warnings.clone();
        results.push(planned);
        for level in registry::levels(5) {
            for spec in level {
                if !registry::is_batched(&spec) {
                    results.push(run_spec(deps, ctx, &spec, None).await?);
                    continue;
                }
                for batch in plan.players.chunks(registry::PREDICTION_BATCH_SIZE) {
                    results.push(run_spec(deps, ctx, &spec, Some(batch.to_vec())).await?);
                }
            }
        }
    } else {
        for level in registry::levels(phase) {
            for spec in level {
                results.push(run_spec(deps, ctx, &spec, None).await?);
            }
        }
    }
    Ok(results)
}

/// Runs Phases `from..=to` (2-5) of the context's date from what the warehouse and the raw
/// store hold (Phase 1 is not run: the payloads must be kept already), gating after each as the
/// day workflow does. A failed gate stops the date with `QualityCheck`.
pub async fn run_phases(
    deps: &Deps,
    ctx: &RunContext,
    from: u32,
    to: u32,
) -> Result<Vec<PhaseRun>> {
    let mut out = Vec::new();
    for phase in from.max(2)..=to.min(5) {
        let results = run_phase(deps, ctx, phase).await?;
        let report = ops::quality::check(deps, ctx, phase).await?;
        if !report.passed {
            return Err(PipelineError::QualityCheck {
                processor: format!("phase {phase} gate"),
                date: ctx.game_date.clone(),
                reason: report.describe_failures(),
            });
        }
        out.push(PhaseRun {
            phase,
            results,
            gate: Some(report),
        });
    }
    Ok(out)
}
