//! The Temporal executor: each task an activity of the workflow that runs it, so every task is
//! recorded in the workflow's history and retried by Temporal's retry policy. The loop that
//! drives it is `nbaprops_orchestration::run`, the same one the in-process runner uses.

use std::future::Future;
use std::pin::Pin;

use nbaprops_orchestration::{Executor, Output, Task};
use nbaprops_proto::activities::{CheckQuality, PlanPredictions, Process, RunStep, Scrape};
use nbaprops_proto::{GateReport, GateRequest, Phase, PredictionPlan, ProcessorResult, RunContext};
use temporalio_sdk::workflows::join_all;
use temporalio_sdk::WorkflowContext;

use crate::failures::describe_activity_error;
use crate::options;

/// Runs a date's tasks as activities of the workflow behind `ctx`.
pub struct TemporalExecutor<'a, W> {
    pub ctx: &'a WorkflowContext<W>,
    pub context: RunContext,
}

type TaskFuture<'a> = Pin<Box<dyn Future<Output = Result<Output, String>> + 'a>>;

impl<'a, W> TemporalExecutor<'a, W> {
    pub fn new(ctx: &'a WorkflowContext<W>, context: RunContext) -> Self {
        TemporalExecutor { ctx, context }
    }

    fn activity(&self, task: &Task) -> TaskFuture<'a> {
        let ctx = self.ctx;
        let id = task.activity_id();
        match task {
            Task::Scrape(spec) => {
                let req = Task::scrape_request(&self.context, spec);
                Box::pin(async move {
                    ctx.execute_activity(Scrape, req, options::scrape(id))
                        .await
                        .map(Output::scraped)
                        .map_err(|e| describe_activity_error(&e))
                })
            }
            Task::Process {
                spec,
                payloads,
                filter,
                ..
            } => {
                let req = Task::process_request(&self.context, spec, payloads, filter.as_ref());
                Box::pin(async move {
                    ctx.execute_activity(Process, req, options::process(id))
                        .await
                        .map(Output::processed)
                        .map_err(|e| describe_activity_error(&e))
                })
            }
            Task::Step { phase, names } => {
                let req = Task::step_request(&self.context, *phase, names);
                let opts = options::step(*phase, id);
                Box::pin(async move {
                    let step = ctx
                        .execute_activity(RunStep, req, opts)
                        .await
                        .map_err(|e| describe_activity_error(&e))?;
                    Output::stepped(step.outcomes.into_iter().map(|o| {
                        let outcome = match o.result {
                            Some(r) if o.error.is_empty() => Ok(r),
                            _ => Err(o.error),
                        };
                        (o.name, outcome)
                    }))
                })
            }
        }
    }
}

impl<W> Executor for TemporalExecutor<'_, W> {
    fn context(&self) -> &RunContext {
        &self.context
    }

    async fn run_window(&self, tasks: &[Task]) -> Vec<Result<Output, String>> {
        join_all(tasks.iter().map(|t| self.activity(t))).await
    }

    async fn plan_predictions(&self) -> Result<PredictionPlan, String> {
        self.ctx
            .execute_activity(
                PlanPredictions,
                self.context.clone(),
                options::process(format!("{}.plan", Phase::Predict.prefix())),
            )
            .await
            .map_err(|e| describe_activity_error(&e))
    }

    async fn check_gate(
        &self,
        phase: Phase,
        results: &[ProcessorResult],
    ) -> Result<GateReport, String> {
        self.ctx
            .execute_activity(
                CheckQuality,
                GateRequest {
                    context: Some(self.context.clone()),
                    phase: phase.number(),
                    results: results.to_vec(),
                },
                options::process(format!("gate.phase-{}", phase.number())),
            )
            .await
            .map_err(|e| describe_activity_error(&e))
    }
}
