//! The activity types of nbaprops, declared once with their input and output contracts.
//!
//! `workflows/` calls them (`ctx.execute_activity(Process, req, opts)`); `activities/`
//! implements them with `#[activity(definition = nbaprops_proto::activities::Process)]`, which
//! checks the types at compile time. The names are pinned here: they are what recorded
//! histories and the Web UI show, so they never change with the code.

use temporalio_common::ActivityDefinition;

use crate::{
    AlertRequest, AlertResult, BackfillPlan, BackfillPlanRequest, DayPlan, DependentsRequest,
    EntitySet, GateReport, GateRequest, GradeResult, InjuryUpdatesRequest, InjuryUpdatesResult,
    InjuryWatchInput, InjuryWatchResult, ListenPlan, PredictionPlan, ProcessorRequest,
    ProcessorResult, ReportRequest, ReportResult, RerunPlanRequest, RunContext, ScrapeRequest,
    ScrapeResult, SignalDayRequest, SignalDayResult, StepRequest, StepResult,
};

/// Phase 1: fetch one source for one date and keep its payloads.
pub struct Scrape;

impl ActivityDefinition for Scrape {
    type Input = ScrapeRequest;
    type Output = ScrapeResult;
    fn name(&self) -> &str {
        "scrape"
    }
}

/// Phases 2-5: run one processor of the registry for one date (or one batch of players).
pub struct Process;

impl ActivityDefinition for Process {
    type Input = ProcessorRequest;
    type Output = ProcessorResult;
    fn name(&self) -> &str {
        "process"
    }
}

/// A backfill: one date's step (all its sources or processors) in one activity.
pub struct RunStep;

impl ActivityDefinition for RunStep {
    type Input = StepRequest;
    type Output = StepResult;
    fn name(&self) -> &str {
        "run_step"
    }
}

/// Phase 5: list the players with a line that get a prediction.
pub struct PlanPredictions;

impl ActivityDefinition for PlanPredictions {
    type Input = RunContext;
    type Output = PredictionPlan;
    fn name(&self) -> &str {
        "plan_predictions"
    }
}

/// The registry as a plan for one day (run as a local activity: its result is recorded in the
/// day's history, so replays use the plan the day ran with).
pub struct PlanDay;

impl ActivityDefinition for PlanDay {
    type Input = RunContext;
    type Output = DayPlan;
    fn name(&self) -> &str {
        "plan_day"
    }
}

/// The quality gate after a phase: row counts against the schedule, null rates, coverage of
/// players with lines. A failed check fails the day (and is written to the alerts table).
pub struct CheckQuality;

impl ActivityDefinition for CheckQuality {
    type Input = GateRequest;
    type Output = GateReport;
    fn name(&self) -> &str {
        "check_quality"
    }
}

/// Incremental mode: the changed entities plus those that depend on them (a player's
/// teammates, a team's players, a game's teams and players).
pub struct ExpandDependents;

impl ActivityDefinition for ExpandDependents {
    type Input = DependentsRequest;
    type Output = EntitySet;
    fn name(&self) -> &str {
        "expand_dependents"
    }
}

/// After the day: the stored grades of a date summarised per prediction system (the grading
/// workflow's result; the workflow fills in `grading`).
pub struct SummarizeGrades;

impl ActivityDefinition for SummarizeGrades {
    type Input = RunContext;
    type Output = GradeResult;
    fn name(&self) -> &str {
        "summarize_grades"
    }
}

/// A backfill's dates and steps: the game dates of the range from the kept season schedules
/// (scraping each season's schedule first when the backfill includes Phase 1).
pub struct PlanBackfill;

impl ActivityDefinition for PlanBackfill {
    type Input = BackfillPlanRequest;
    type Output = BackfillPlan;
    fn name(&self) -> &str {
        "plan_backfill"
    }
}

/// An alert raised by a workflow (a missed SLA, a stuck phase): stored, logged, and POSTed to
/// the webhook when one is configured.
pub struct RaiseAlert;

impl ActivityDefinition for RaiseAlert {
    type Input = AlertRequest;
    type Output = AlertResult;
    fn name(&self) -> &str {
        "raise_alert"
    }
}

/// Renders a date's HTML report from the warehouse and keeps it in the raw store under
/// `reports/{date}/{kind}.html`, replacing the last one.
pub struct WriteReport;

impl ActivityDefinition for WriteReport {
    type Input = ReportRequest;
    type Output = ReportResult;
    fn name(&self) -> &str {
        "write_report"
    }
}

/// Keeps a day's injury updates (the `injury_update` signal) in the raw store under the source
/// `injury_update`, where the Phase 2 processor `raw_injury_updates` reads them. Updates naming
/// no known player or an unknown status are refused (and kept in quarantine).
pub struct RecordInjuryUpdates;

impl ActivityDefinition for RecordInjuryUpdates {
    type Input = InjuryUpdatesRequest;
    type Output = InjuryUpdatesResult;
    fn name(&self) -> &str {
        "record_injury_updates"
    }
}

/// The processors an incremental rerun runs: the changed ones and, phase by phase, every
/// processor downstream of them in the registry (run as a local activity: recorded in history).
pub struct PlanRerun;

impl ActivityDefinition for PlanRerun {
    type Input = RerunPlanRequest;
    type Output = DayPlan;
    fn name(&self) -> &str {
        "plan_rerun"
    }
}

/// The date's last scheduled tip-off: until then the day listens for injury updates.
pub struct PlanListening;

impl ActivityDefinition for PlanListening {
    type Input = RunContext;
    type Output = ListenPlan;
    fn name(&self) -> &str {
        "plan_listening"
    }
}

/// InjuryWatchWorkflow: fetch the newest injury report of the date, diff it per player (by
/// hash) against the last one seen, and return what changed.
pub struct WatchInjuries;

impl ActivityDefinition for WatchInjuries {
    type Input = InjuryWatchInput;
    type Output = InjuryWatchResult;
    fn name(&self) -> &str {
        "watch_injuries"
    }
}

/// Signal-with-start `day-{date}` with injury updates (the worker's Temporal client does it:
/// a workflow cannot signal-with-start).
pub struct SignalDay;

impl ActivityDefinition for SignalDay {
    type Input = SignalDayRequest;
    type Output = SignalDayResult;
    fn name(&self) -> &str {
        "signal_day"
    }
}
