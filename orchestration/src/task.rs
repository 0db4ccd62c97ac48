//! One unit of work (a task) and what it produced. A task is one activity in a Temporal
//! workflow and one call into the runner in-process; its request is built here for both.

use nbaprops_proto::registry::ProcessorSpec;
use nbaprops_proto::{
    EntitySet, Phase, ProcessorRequest, ProcessorResult, RawPayloadRef, RunContext, ScrapeRequest,
    ScrapeResult, StepRequest,
};

/// One unit of work of a phase.
#[derive(Debug, Clone, PartialEq)]
pub enum Task {
    /// A Phase 1 source fetched into the raw store.
    Scrape(ProcessorSpec),
    /// A processor over the date, restricted to `filter` when set (incremental runs, a batch
    /// of players), reading the Phase 1 `payloads` of its sources.
    Process {
        spec: ProcessorSpec,
        /// The batch of players this task covers (Phase 5 systems); None: the whole date.
        batch: Option<usize>,
        payloads: Vec<RawPayloadRef>,
        filter: Option<EntitySet>,
    },
    /// Several sources or processors of one level in one call (`run_step`): a backfill date's
    /// level, where one activity per processor would cost more than the work.
    Step { phase: Phase, names: Vec<String> },
}

/// What a task produced: a result per processor it ran, and a Phase 1 scrape's payloads.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Output {
    pub results: Vec<ProcessorResult>,
    pub scrape: Option<ScrapeResult>,
}

impl Output {
    /// A scrape's output: its payloads, and its counts as a processor result.
    pub fn scraped(s: ScrapeResult) -> Self {
        Output {
            results: vec![ProcessorResult {
                processor: s.source.clone(),
                rows_read: s.records_seen,
                warnings: s.warnings.clone(),
                ..Default::default()
            }],
            scrape: Some(s),
        }
    }

    pub fn processed(r: ProcessorResult) -> Self {
        Output {
            results: vec![r],
            scrape: None,
        }
    }

    /// A step's output from each of its names' outcomes: every result, or one error naming
    /// every name that failed (`raw_a: …; raw_b: …`).
    pub fn stepped(
        outcomes: impl IntoIterator<Item = (String, Result<ProcessorResult, String>)>,
    ) -> Result<Self, String> {
        let mut results = Vec::new();
        let mut failures = Vec::new();
        for (name, outcome) in outcomes {
            match outcome {
                Ok(r) => results.push(r),
                Err(e) => failures.push(format!("{name}: {e}")),
            }
        }
        if failures.is_empty() {
            Ok(Output {
                results,
                scrape: None,
            })
        } else {
            Err(failures.join("; "))
        }
    }
}

impl Task {
    /// The activity id (and Web UI summary): `raw.raw_nbac_schedule`,
    /// `predict.moving_average.batch-3`, `analytics.step`.
    pub fn activity_id(&self) -> String {
        match self {
            Task::Scrape(spec) => spec.activity_id(),
            Task::Process {
                spec,
                batch: Some(b),
                ..
            } => format!("{}.batch-{b}", spec.activity_id()),
            Task::Process { spec, .. } => spec.activity_id(),
            Task::Step { phase, .. } => format!("{}.step", phase.prefix()),
        }
    }

    /// A failure of this task, named: `player_game_summary: …`, `gbm batch 2: …`. A step's
    /// error already names each of its processors.
    pub fn describe_failure(&self, error: &str) -> String {
        match self {
            Task::Scrape(spec) => format!("{}: {error}", spec.name),
            Task::Process {
                spec,
                batch: Some(b),
                ..
            } => format!("{} batch {b}: {error}", spec.name),
            Task::Process { spec, .. } => format!("{}: {error}", spec.name),
            Task::Step { .. } => error.to_string(),
        }
    }

    pub fn scrape_request(context: &RunContext, spec: &ProcessorSpec) -> ScrapeRequest {
        ScrapeRequest {
            context: Some(context.clone()),
            source: spec.name.to_string(),
        }
    }

    pub fn process_request(
        context: &RunContext,
        spec: &ProcessorSpec,
        payloads: &[RawPayloadRef],
        filter: Option<&EntitySet>,
    ) -> ProcessorRequest {
        ProcessorRequest {
            context: Some(context.clone()),
            processor: spec.name.to_string(),
            raw_payloads: payloads.to_vec(),
            entity_filter: filter.cloned(),
        }
    }

    pub fn step_request(context: &RunContext, phase: Phase, names: &[String]) -> StepRequest {
        StepRequest {
            context: Some(context.clone()),
            phase: phase.number(),
            names: names.to_vec(),
        }
    }
}

/// The Phase 1 payloads a processor reads (`raw:{source}` in the registry).
pub fn payloads_for(spec: &ProcessorSpec, payloads: &[RawPayloadRef]) -> Vec<RawPayloadRef> {
    payloads
        .iter()
        .filter(|p| {
            spec.reads
                .iter()
                .any(|r| r.table().strip_prefix("raw:") == Some(p.source.as_str()))
        })
        .cloned()
        .collect()
}
