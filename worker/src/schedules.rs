//! `nbaprops schedules apply | list`: the Temporal Schedules of live operation, declared in
//! America/New_York. The day and grading schedules start `ScheduledStartWorkflow`
//! (workflows/src/scheduled.rs), which starts `day-{date}` / `grade-{date}` for the action's
//! date, the ids a manual run uses; the injury watch starts `InjuryWatchWorkflow` itself, which
//! signals `day-{date}` (signal-with-start) with what changed.
//!
//! | schedule                | when (America/New_York)          | starts                            |
//! | ----------------------- | -------------------------------- | --------------------------------- |
//! | `nbaprops-day`          | 06:00 daily                      | `day-{date}` for that date        |
//! | `nbaprops-grade`        | 04:00 daily                      | `grade-{date}` for the day before |
//! | `nbaprops-injury-watch` | every 15 min, 11:00-19:00 daily  | `InjuryWatchWorkflow` for the date |
//!
//! Policies, chosen deliberately:
//! - Overlap `AllowAll`: every action is a different date's starter, done in a second; the
//!   guarantee that a date never runs twice at once is the target's workflow id (`day-{date}`),
//!   not the schedule. `Skip` would drop a date whose starter is still queued (no worker) when
//!   the next one comes; `Buffer*` would delay it for no gain.
//! - Catch-up window: the day 6 hours (a server or scheduler down at 06:00 and back by 12:00
//!   still runs the day: predictions are late for the 10:00 target but still before the first
//!   tip-off; later than that, an operator runs it by hand, see docs/runbook.md); grading 20
//!   hours (grading is useful whenever it runs). The starter takes its date from the action's
//!   nominal time, so a caught-up action runs the date it was scheduled for.
//! - The starter's execution timeout equals the catch-up window: with no worker for that long
//!   the action gives up, visibly (a timed-out `schedule-day-…` run).
//! - `pause_on_failure` off: one failed date must not stop the next ones; failures alert.
//! - The injury watch: overlap `Skip` (a look still running when the next is due makes the
//!   next one redundant: each look reads the newest report), catch-up window 10 minutes and
//!   the same execution timeout (a look missed by more than that is superseded by the next).
//!
//! Idempotent: each schedule's action carries the blake3 of its definition in its memo
//! (`nbaprops_definition`); apply describes the schedule and compares that digest and the
//! fields an operator might change by hand (timezone, calendar, policies, workflow type, task
//! queue, id): all equal prints `unchanged` and sends nothing. Otherwise it updates the
//! definition and keeps the schedule's state (paused or not, its note).

use std::time::{Duration, SystemTime};

use anyhow::{Context, Result};
use nbaprops_workflows::scheduled::ScheduledStart;
use nbaprops_workflows::search;
use serde::Serialize;
use temporalio_client::grpc::WorkflowService;
use temporalio_client::tonic::{Code, IntoRequest};
use temporalio_client::{Client, NamespacedClient};
use temporalio_common::protos::temporal::api::common::v1 as common;
use temporalio_common::protos::temporal::api::schedule::v1 as sched;
use temporalio_common::protos::temporal::api::taskqueue::v1 as taskqueue;
use temporalio_common::protos::temporal::api::workflow::v1 as workflow;
use temporalio_common::protos::temporal::api::workflowservice::v1 as service;
use temporalio_common::search_attributes::SearchAttributes;

/// The time zone every schedule is declared in.
pub const TIMEZONE: &str = "America/New_York";
/// The workflow type the day and grading schedules start.
pub const STARTER_TYPE: &str = "ScheduledStartWorkflow";
/// The workflow type the injury watch's schedule starts.
pub const WATCH_TYPE: &str = "InjuryWatchWorkflow";
/// The memo key holding a schedule definition's digest.
pub const DIGEST_MEMO: &str = "nbaprops_definition";

/// `temporal.api.enums.v1.ScheduleOverlapPolicy`: ALLOW_ALL.
const OVERLAP_ALLOW_ALL: i32 = 6;

/// `temporal.api.enums.v1.ScheduleOverlapPolicy`: SKIP.
const OVERLAP_SKIP: i32 = 1;

/// When a schedule fires: hours `hours.0..=hours.1`, and in each, minutes
/// `minutes.0..=minutes.1` every `minutes.2`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Times {
    pub hours: (i32, i32),
    pub minutes: (i32, i32, i32),
}

impl Times {
    /// Once a day at `hour:minute`.
    pub fn daily(hour: i32, minute: i32) -> Vec<Times> {
        vec![Times {
            hours: (hour, hour),
            minutes: (minute, minute, 1),
        }]
    }
}

/// One schedule, as declared here.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScheduleDef {
    pub id: &'static str,
    /// What it starts: `day` / `grade` through the starter, `injury-watch` itself.
    pub target: &'static str,
    pub workflow_type: &'static str,
    pub date_offset_days: i32,
    pub times: Vec<Times>,
    pub overlap_policy: i32,
    pub catchup_window_secs: u64,
    pub starter_timeout_secs: u64,
    pub task_queue: String,
}

/// Every schedule of live operation.
pub fn definitions(task_queue: &str) -> Vec<ScheduleDef> {
    vec![
        ScheduleDef {
            id: "nbaprops-day",
            target: "day",
            workflow_type: STARTER_TYPE,
            date_offset_days: 0,
            times: Times::daily(6, 0),
            overlap_policy: OVERLAP_ALLOW_ALL,
            catchup_window_secs: 6 * 3600,
            starter_timeout_secs: 6 * 3600,
            task_queue: task_queue.to_string(),
        },
        ScheduleDef {
            id: "nbaprops-grade",
            target: "grade",
            workflow_type: STARTER_TYPE,
            date_offset_days: -1,
            times: Times::daily(4, 0),
            overlap_policy: OVERLAP_ALLOW_ALL,
            catchup_window_secs: 20 * 3600,
            starter_timeout_secs: 20 * 3600,
            task_queue: task_queue.to_string(),
        },
        ScheduleDef {
            id: "nbaprops-injury-watch",
            target: "injury-watch",
            workflow_type: WATCH_TYPE,
            date_offset_days: 0,
            // 11:00, 11:15, ... 18:45, then 19:00.
            times: vec![
                Times {
                    hours: (11, 18),
                    minutes: (0, 45, 15),
                },
                Times {
                    hours: (19, 19),
                    minutes: (0, 0, 1),
                },
            ],
            overlap_policy: OVERLAP_SKIP,
            catchup_window_secs: 10 * 60,
            starter_timeout_secs: 10 * 60,
            task_queue: task_queue.to_string(),
        },
    ]
}

impl ScheduleDef {
    /// The blake3 of the definition (and of what this code makes of it: bump `v` when
    /// `schedule()` changes shape).
    pub fn digest(&self) -> String {
        let canonical = serde_json::json!({ "v": 1, "def": self, "starter": STARTER_TYPE,
            "tz": TIMEZONE });
        blake3::hash(canonical.to_string().as_bytes())
            .to_hex()
            .to_string()
    }

    /// The prefix of the starters' workflow ids; the server appends the action time.
    pub fn workflow_id_prefix(&self) -> String {
        format!("schedule-{}", self.target)
    }

    fn calendars(&self) -> Vec<sched::StructuredCalendarSpec> {
        let range = |start: i32, end: i32, step: i32| vec![sched::Range { start, end, step }];
        self.times
            .iter()
            .map(|t| sched::StructuredCalendarSpec {
                second: range(0, 0, 1),
                minute: range(t.minutes.0, t.minutes.1, t.minutes.2),
                hour: range(t.hours.0, t.hours.1, 1),
                day_of_month: range(1, 31, 1),
                month: range(1, 12, 1),
                year: vec![],
                day_of_week: range(0, 6, 1),
                comment: format!(
                    "{} {TIMEZONE} daily: {} for the date{}",
                    if t.hours.0 == t.hours.1 && t.minutes.0 == t.minutes.1 {
                        format!("{:02}:{:02}", t.hours.0, t.minutes.0)
                    } else {
                        format!(
                            "{:02}:{:02}-{:02}:{:02} every {} min",
                            t.hours.0, t.minutes.0, t.hours.1, t.minutes.1, t.minutes.2
                        )
                    },
                    self.target,
                    match self.date_offset_days {
                        0 => String::new(),
                        d => format!(" {d:+} day"),
                    }
                ),
            })
            .collect()
    }

    /// The action's input: the starter's target, or the watch's (empty: the schedule's date).
    fn input(&self) -> Result<Vec<u8>> {
        Ok(if self.workflow_type == STARTER_TYPE {
            serde_json::to_vec(&ScheduledStart {
                target: self.target.to_string(),
                date_offset_days: self.date_offset_days,
            })?
        } else {
            b"{}".to_vec()
        })
    }

    /// The full Temporal schedule (state left to the caller).
    pub fn schedule(&self) -> Result<sched::Schedule> {
        let json_payload = |data: Vec<u8>| common::Payload {
            metadata: [("encoding".to_string(), b"json/plain".to_vec())].into(),
            data,
            ..Default::default()
        };
        let memo = common::Memo {
            fields: [(
                DIGEST_MEMO.to_string(),
                json_payload(serde_json::to_vec(&self.digest())?),
            )]
            .into(),
        };
        let attributes = SearchAttributes::new([search::TRIGGER
            .value_set(search::trigger_value(nbaprops_proto::Trigger::Schedule).into())]);
        Ok(sched::Schedule {
            spec: Some(sched::ScheduleSpec {
                structured_calendar: self.calendars(),
                timezone_name: TIMEZONE.to_string(),
                ..Default::default()
            }),
            action: Some(sched::ScheduleAction {
                action: Some(sched::schedule_action::Action::StartWorkflow(
                    workflow::NewWorkflowExecutionInfo {
                        workflow_id: self.workflow_id_prefix(),
                        workflow_type: Some(common::WorkflowType {
                            name: self.workflow_type.to_string(),
                        }),
                        task_queue: Some(taskqueue::TaskQueue {
                            name: self.task_queue.clone(),
                            ..Default::default()
                        }),
                        input: Some(common::Payloads {
                            payloads: vec![json_payload(self.input()?)],
                        }),
                        workflow_execution_timeout: Duration::from_secs(self.starter_timeout_secs)
                            .try_into()
                            .ok(),
                        memo: Some(memo),
                        search_attributes: Some(attributes.into_proto()),
                        ..Default::default()
                    },
                )),
            }),
            policies: Some(sched::SchedulePolicies {
                overlap_policy: self.overlap_policy,
                catchup_window: Duration::from_secs(self.catchup_window_secs)
                    .try_into()
                    .ok(),
                pause_on_failure: false,
                keep_original_workflow_id: false,
            }),
            state: None,
        })
    }

    /// Why a stored schedule differs from this definition (empty: it does not).
    pub fn differences(&self, stored: &sched::Schedule) -> Vec<String> {
        let mut out = Vec::new();
        let start = match stored.action.as_ref().and_then(|a| a.action.as_ref()) {
            Some(sched::schedule_action::Action::StartWorkflow(w)) => Some(w),
            _ => None,
        };
        let Some(start) = start else {
            return vec!["its action does not start a workflow".into()];
        };
        let digest = start
            .memo
            .as_ref()
            .and_then(|m| m.fields.get(DIGEST_MEMO))
            .and_then(|p| serde_json::from_slice::<String>(&p.data).ok());
        if digest.as_deref() != Some(self.digest().as_str()) {
            out.push(format!(
                "definition digest {} -> {}",
                digest.as_deref().map_or("none", |d| &d[..12.min(d.len())]),
                &self.digest()[..12]
            ));
        }
        let kind = start.workflow_type.as_ref().map(|t| t.name.as_str());
        if kind != Some(self.workflow_type) {
            out.push(format!("workflow type {kind:?}"));
        }
        let queue = start.task_queue.as_ref().map(|q| q.name.as_str());
        if queue != Some(self.task_queue.as_str()) {
            out.push(format!("task queue {queue:?}"));
        }
        if start.workflow_id != self.workflow_id_prefix() {
            out.push(format!("workflow id {:?}", start.workflow_id));
        }
        let spec = stored.spec.clone().unwrap_or_default();
        if spec.timezone_name != TIMEZONE {
            out.push(format!("timezone {:?}", spec.timezone_name));
        }
        // Ranges as (start, end, step); the server may store end 0 for "start only", step 0
        // for 1.
        let norm = |r: &sched::Range| (r.start, r.end.max(r.start), r.step.max(1));
        let stored_times: Vec<(Vec<_>, Vec<_>)> = spec
            .structured_calendar
            .iter()
            .map(|c| {
                (
                    c.hour.iter().map(norm).collect(),
                    c.minute.iter().map(norm).collect(),
                )
            })
            .collect();
        let wanted: Vec<(Vec<_>, Vec<_>)> = self
            .calendars()
            .iter()
            .map(|c| {
                (
                    c.hour.iter().map(norm).collect(),
                    c.minute.iter().map(norm).collect(),
                )
            })
            .collect();
        if stored_times != wanted
            || !spec.interval.is_empty()
            || !spec.cron_string.is_empty()
            || !spec.calendar.is_empty()
        {
            out.push(format!("calendar (hours, minutes) {stored_times:?}"));
        }
        let policies = stored.policies.unwrap_or_default();
        if policies.overlap_policy != self.overlap_policy {
            out.push(format!("overlap policy {}", policies.overlap_policy));
        }
        let catchup = policies.catchup_window.map(|d| d.seconds as u64);
        if catchup != Some(self.catchup_window_secs) {
            out.push(format!("catch-up window {catchup:?} s"));
        }
        if policies.pause_on_failure {
            out.push("pause on failure".into());
        }
        out
    }
}

fn not_found(e: &temporalio_client::tonic::Status) -> bool {
    e.code() == Code::NotFound
}

/// A stored schedule, or `None` when there is none under `id`.
pub async fn describe(
    client: &Client,
    id: &str,
) -> Result<Option<service::DescribeScheduleResponse>> {
    let request = service::DescribeScheduleRequest {
        namespace: client.namespace(),
        schedule_id: id.to_string(),
    };
    match WorkflowService::describe_schedule(&mut client.clone(), request.into_request()).await {
        Ok(r) => Ok(Some(r.into_inner())),
        Err(e) if not_found(&e) => Ok(None),
        Err(e) => Err(anyhow::anyhow!("describing schedule {id}: {e}")),
    }
}

/// What `apply` did to one schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    Created,
    Updated(Vec<String>),
    Unchanged,
}

/// Creates or updates one schedule.
pub async fn apply_one(client: &Client, def: &ScheduleDef) -> Result<Applied> {
    let mut schedule = def.schedule()?;
    match describe(client, def.id).await? {
        None => {
            schedule.state = Some(sched::ScheduleState::default());
            let request = service::CreateScheduleRequest {
                namespace: client.namespace(),
                schedule_id: def.id.to_string(),
                schedule: Some(schedule),
                identity: client.identity(),
                request_id: format!("apply-{}-{}", def.id, def.digest()),
                ..Default::default()
            };
            WorkflowService::create_schedule(&mut client.clone(), request.into_request())
                .await
                .with_context(|| format!("creating schedule {}", def.id))?;
            Ok(Applied::Created)
        }
        Some(stored) => {
            let current = stored.schedule.clone().unwrap_or_default();
            let differences = def.differences(&current);
            if differences.is_empty() {
                return Ok(Applied::Unchanged);
            }
            // Keep the operator's state: paused or not, and the note.
            schedule.state = current.state.clone();
            let request = service::UpdateScheduleRequest {
                namespace: client.namespace(),
                schedule_id: def.id.to_string(),
                schedule: Some(schedule),
                conflict_token: stored.conflict_token.clone(),
                identity: client.identity(),
                request_id: format!(
                    "apply-{}-{}-{}",
                    def.id,
                    def.digest(),
                    SystemTime::now()
                        .duration_since(SystemTime::UNIX_EPOCH)
                        .unwrap_or_default()
                        .as_nanos()
                ),
                ..Default::default()
            };
            WorkflowService::update_schedule(&mut client.clone(), request.into_request())
                .await
                .with_context(|| format!("updating schedule {}", def.id))?;
            Ok(Applied::Updated(differences))
        }
    }
}

/// `nbaprops schedules apply`: one line per schedule.
pub async fn apply(client: &Client, task_queue: &str) -> Result<String> {
    let mut out = String::new();
    for def in definitions(task_queue) {
        let line = match apply_one(client, &def).await? {
            Applied::Created => "created".to_string(),
            Applied::Updated(why) => format!("updated ({})", why.join("; ")),
            Applied::Unchanged => "unchanged".to_string(),
        };
        out.push_str(&format!("{:<22} {line}\n", def.id));
    }
    Ok(out)
}

/// `temporal.api.enums.v1.ScheduleOverlapPolicy` by name.
fn overlap_name(policy: i32) -> &'static str {
    match policy {
        1 => "skip",
        2 => "buffer-one",
        3 => "buffer-all",
        4 => "cancel-other",
        5 => "terminate-other",
        OVERLAP_ALLOW_ALL => "allow-all",
        _ => "unspecified (skip)",
    }
}

fn ny(seconds: i64, nanos: i32) -> String {
    chrono::DateTime::from_timestamp(seconds, nanos.max(0) as u32)
        .map(|t| {
            t.with_timezone(&chrono_tz::America::New_York)
                .format("%Y-%m-%d %H:%M %Z")
                .to_string()
        })
        .unwrap_or_default()
}

/// `nbaprops schedules list`: each schedule, its spec, policies, state and next actions.
pub async fn list(client: &Client, task_queue: &str) -> Result<String> {
    let mut out = String::new();
    for def in definitions(task_queue) {
        let Some(stored) = describe(client, def.id).await? else {
            out.push_str(&format!(
                "{:<22} not applied (run `nbaprops schedules apply`)\n",
                def.id
            ));
            continue;
        };
        let schedule = stored.schedule.clone().unwrap_or_default();
        let spec = schedule.spec.clone().unwrap_or_default();
        let policies = schedule.policies.unwrap_or_default();
        let state = schedule.state.clone().unwrap_or_default();
        let info = stored.info.clone().unwrap_or_default();
        let when: Vec<String> = spec
            .structured_calendar
            .iter()
            .map(|c| {
                if c.comment.is_empty() {
                    format!("{:?}:{:?}", c.hour, c.minute)
                } else {
                    c.comment.clone()
                }
            })
            .collect();
        out.push_str(&format!(
            "{:<22} {} [{}] overlap {} catch-up {} s{}{}\n",
            def.id,
            when.join(", "),
            spec.timezone_name,
            overlap_name(policies.overlap_policy),
            policies.catchup_window.map_or(0, |d| d.seconds),
            if state.paused { " PAUSED" } else { "" },
            match def.differences(&schedule).as_slice() {
                [] => String::new(),
                d => format!(" (differs from this version: {})", d.join("; ")),
            }
        ));
        let next: Vec<String> = info
            .future_action_times
            .iter()
            .take(3)
            .map(|t| ny(t.seconds, t.nanos))
            .collect();
        out.push_str(&format!(
            "{:<22} next: {}; {} actions so far\n",
            "",
            next.join(", "),
            info.action_count
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_definition_matches_its_own_schedule_and_not_a_changed_one() {
        let defs = definitions("nbaprops");
        assert_eq!(defs.len(), 3);
        for def in &defs {
            let schedule = def.schedule().unwrap();
            assert_eq!(def.differences(&schedule), Vec::<String>::new());
        }
        let day = &defs[0];
        let mut other = day.clone();
        other.times = Times::daily(7, 0);
        let diff = day.differences(&other.schedule().unwrap());
        assert!(diff.iter().any(|d| d.contains("calendar")), "{diff:?}");
        assert!(diff.iter().any(|d| d.contains("digest")), "{diff:?}");
        let mut moved = day.schedule().unwrap();
        moved.spec.as_mut().unwrap().timezone_name = "UTC".into();
        assert!(day
            .differences(&moved)
            .iter()
            .any(|d| d.contains("timezone")));
        // The watch: every 15 minutes from 11:00 to 19:00, 33 looks a day.
        let watch = &defs[2];
        let looks: i32 = watch
            .times
            .iter()
            .map(|t| (t.hours.1 - t.hours.0 + 1) * ((t.minutes.1 - t.minutes.0) / t.minutes.2 + 1))
            .sum();
        assert_eq!(looks, 33);
        assert_eq!(watch.input().unwrap(), b"{}");
    }
}
