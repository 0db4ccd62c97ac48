//! The worker: registers every workflow and the pipeline's activities on a task queue.

use std::future::Future;

use anyhow::Result;
use nbaprops_activities::temporal::PipelineActivities;
use nbaprops_activities::Deps;

use crate::control::ControlActivities;
use crate::metrics::MetricsExporter;
use nbaprops_workflows::{
    BackfillDateWorkflow, BackfillWorkflow, DayWorkflow, GradingWorkflow, InjuryWatchWorkflow,
    PhaseWorkflow, PredictionWorkflow, ScheduledStartWorkflow,
};
use temporalio_client::Client;
use temporalio_sdk::{Runtime, Worker, WorkerOptions};

/// The worker's registrations; the one list of what a worker runs.
pub fn worker_options(client: &Client, task_queue: &str, deps: Deps) -> Result<WorkerOptions> {
    Ok(WorkerOptions::new(task_queue)
        .register_workflow::<DayWorkflow>()?
        .register_workflow::<PhaseWorkflow>()?
        .register_workflow::<PredictionWorkflow>()?
        .register_workflow::<GradingWorkflow>()?
        .register_workflow::<BackfillWorkflow>()?
        .register_workflow::<BackfillDateWorkflow>()?
        .register_workflow::<ScheduledStartWorkflow>()?
        .register_workflow::<InjuryWatchWorkflow>()?
        .register_activities(PipelineActivities::new(deps))
        .register_activities(ControlActivities::new(client.clone(), task_queue))
        .build())
}

/// Resolves on SIGTERM (what container runtimes and systemd send) or SIGINT (Ctrl-C), naming
/// which one arrived.
pub async fn shutdown_signal() -> &'static str {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!("cannot listen for SIGTERM ({e}); only Ctrl-C stops the worker");
            let _ = tokio::signal::ctrl_c().await;
            return "SIGINT";
        }
    };
    tokio::select! {
        _ = term.recv() => "SIGTERM",
        _ = tokio::signal::ctrl_c() => "SIGINT",
    }
}

/// The SDK runtime and the activities' dependencies of a worker: with an exporter, both record
/// their metrics on its `/metrics`.
fn runtime_and_deps(deps: Deps, metrics: Option<&MetricsExporter>) -> Result<(Runtime, Deps)> {
    Ok(match metrics {
        Some(exporter) => (
            Runtime::from_current_tokio(exporter.runtime_options()?)?,
            deps.with_metrics(exporter.pipeline_metrics()),
        ),
        None => (Runtime::from_current_tokio(Default::default())?, deps),
    })
}

/// Runs a worker until `shutdown` resolves, then drains it: it stops polling for new tasks,
/// lets running activities finish for up to `grace`, then cancels those still running so the
/// server hands them to another worker at once (not after their heartbeat timeout). The
/// worker's future is not `Send`: it runs here, on the caller's task, joined with the shutdown
/// future. With `metrics`, the SDK's and the pipeline's metrics go to its endpoint.
pub async fn run_worker(
    client: Client,
    task_queue: &str,
    deps: Deps,
    metrics: Option<&MetricsExporter>,
    grace: std::time::Duration,
    shutdown: impl Future<Output = ()>,
) -> Result<()> {
    let (runtime, deps) = runtime_and_deps(deps, metrics)?;
    let mut options = worker_options(&client, task_queue, deps)?;
    options.graceful_shutdown_period = Some(grace);
    let mut worker = Worker::new(&runtime, client, options)?;
    let stop = worker.shutdown_handle();
    let (ran, ()) = tokio::join!(worker.run(), async {
        shutdown.await;
        stop();
    });
    ran?;
    Ok(())
}

/// Runs a worker while `work` runs, then stops it and returns `work`'s output.
pub async fn with_worker<T>(
    client: Client,
    task_queue: &str,
    deps: Deps,
    work: impl Future<Output = T>,
) -> Result<T> {
    with_exporting_worker(client, task_queue, deps, None, work).await
}

/// [`with_worker`], its metrics on `metrics`' endpoint when there is one.
pub async fn with_exporting_worker<T>(
    client: Client,
    task_queue: &str,
    deps: Deps,
    metrics: Option<&MetricsExporter>,
    work: impl Future<Output = T>,
) -> Result<T> {
    let (runtime, deps) = runtime_and_deps(deps, metrics)?;
    let options = worker_options(&client, task_queue, deps)?;
    let mut worker = Worker::new(&runtime, client, options)?;
    let stop = worker.shutdown_handle();
    let (ran, out) = tokio::join!(worker.run(), async {
        let out = work.await;
        stop();
        out
    });
    ran?;
    Ok(out)
}
