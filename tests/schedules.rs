//! `nbaprops schedules apply` against a real dev server: the schedules are created in
//! America/New_York with their policies, a second apply changes nothing, a changed definition is
//! updated, and a triggered schedule starts `day-{date}`, the id a manual run uses, never beside
//! a running manual day.

use std::time::{Duration, SystemTime};

use futures::TryStreamExt;
use nbaprops::schedules::{self, Applied};
use nbaprops_tests::{small_sim, TestEnv};
use nbaprops_workflows::scheduled::{game_date_at, ScheduledStartResult, ScheduledStartWorkflow};
use nbaprops_workflows::{ids, search, DayWorkflow};
use temporalio_client::schedules::{ScheduleOverlapPolicy, TriggerScheduleOptions};
use temporalio_client::{
    Client, UntypedWorkflow, WorkflowDescribeOptions, WorkflowGetResultOptions,
    WorkflowIdConflictPolicy, WorkflowListOptions, WorkflowStartOptions, WorkflowTerminateOptions,
};

/// The starters the schedule started, oldest first, once there are `n`.
async fn starters(client: &Client, n: usize) -> Vec<String> {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let mut found: Vec<(SystemTime, String)> = client
            .list_workflows(
                "WorkflowType = 'ScheduledStartWorkflow'",
                WorkflowListOptions::default(),
            )
            .try_collect::<Vec<_>>()
            .await
            .unwrap()
            .iter()
            .map(|w| (w.start_time().unwrap(), w.id().to_string()))
            .collect();
        found.sort();
        if found.len() >= n || std::time::Instant::now() > deadline {
            assert_eq!(found.len(), n, "starters: {found:?}");
            return found.into_iter().map(|(_, id)| id).collect();
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

async fn starter_result(client: &Client, id: &str) -> ScheduledStartResult {
    client
        .get_workflow_handle::<ScheduledStartWorkflow>(id)
        .get_result(WorkflowGetResultOptions::default())
        .await
        .unwrap()
}

/// Ends a workflow; one that already ended (a day with no games finishes fast) is ended too.
async fn terminate(client: &Client, id: &str) {
    let ended = client
        .get_workflow_handle::<UntypedWorkflow>(id)
        .terminate(
            WorkflowTerminateOptions::builder()
                .reason("test done")
                .build(),
        )
        .await;
    if let Err(e) = ended {
        // It ended before it was terminated: a day of today's date has no data, and its
        // Phase 1 fails as soon as the sources answer 404.
        let status = client
            .get_workflow_handle::<UntypedWorkflow>(id)
            .describe(WorkflowDescribeOptions::default())
            .await
            .unwrap()
            .status();
        assert_ne!(
            status,
            temporalio_client::WorkflowExecutionStatus::Running,
            "{id}: {e}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schedules_apply_idempotently_and_a_triggered_day_shares_the_manual_id() {
    let env = TestEnv::start(small_sim()).await.unwrap();
    let client = &env.client;
    let queue = "ops-schedules";

    // First apply creates the three schedules; the second changes nothing.
    let first = schedules::apply(client, queue).await.unwrap();
    assert_eq!(first.matches(" created").count(), 3, "{first}");
    let second = schedules::apply(client, queue).await.unwrap();
    assert_eq!(second.matches(" unchanged").count(), 3, "{second}");

    // What the server holds: America/New_York, the calendars, the policies, the starter.
    for def in schedules::definitions(queue) {
        let stored = schedules::describe(client, def.id).await.unwrap().unwrap();
        let s = stored.schedule.unwrap();
        let spec = s.spec.unwrap();
        assert_eq!(spec.timezone_name, "America/New_York");
        assert_eq!(spec.structured_calendar.len(), def.times.len());
        for (cal, t) in spec.structured_calendar.iter().zip(&def.times) {
            assert_eq!(
                (cal.hour[0].start, cal.minute[0].start),
                (t.hours.0, t.minutes.0)
            );
        }
        let policies = s.policies.unwrap();
        assert_eq!(policies.overlap_policy, def.overlap_policy);
        assert_eq!(
            policies.catchup_window.unwrap().seconds as u64,
            def.catchup_window_secs
        );
        assert!(!policies.pause_on_failure);
        let Some(temporalio_common::protos::temporal::api::schedule::v1::schedule_action::Action::StartWorkflow(w)) =
            s.action.unwrap().action
        else {
            panic!("{} does not start a workflow", def.id)
        };
        assert_eq!(w.workflow_type.unwrap().name, def.workflow_type);
        assert_eq!(w.task_queue.unwrap().name, queue);
        assert!(!s.state.unwrap().paused);
        // The next actions fall at the declared New York hour, whatever the UTC offset.
        let info = stored.info.unwrap();
        assert!(!info.future_action_times.is_empty());
        for t in &info.future_action_times {
            let at = chrono::DateTime::from_timestamp(t.seconds, 0).unwrap();
            let ny = at.with_timezone(&chrono_tz::America::New_York);
            let hour = chrono::Timelike::hour(&ny) as i32;
            assert!(
                def.times
                    .iter()
                    .any(|t| (t.hours.0..=t.hours.1).contains(&hour)),
                "{} at {at}",
                def.id
            );
        }
    }
    let defs = schedules::definitions(queue);
    assert_eq!(defs[0].times[0].hours, (6, 6));
    assert_eq!(defs[1].times[0].hours, (4, 4));
    assert_eq!(defs[1].date_offset_days, -1);
    assert_eq!(defs[2].workflow_type, "InjuryWatchWorkflow");
    assert_eq!(defs[2].overlap_policy, 1, "SKIP");

    // A changed definition is updated (and says what changed), then back, then unchanged.
    let mut moved = schedules::definitions(queue)[0].clone();
    moved.times = schedules::Times::daily(7, 0);
    match schedules::apply_one(client, &moved).await.unwrap() {
        Applied::Updated(why) => assert!(why.iter().any(|w| w.contains("calendar")), "{why:?}"),
        other => panic!("expected an update, got {other:?}"),
    }
    let back = schedules::apply(client, queue).await.unwrap();
    assert!(back.contains("nbaprops-day           updated"), "{back}");
    assert!(back.contains("nbaprops-grade         unchanged"), "{back}");
    assert!(back.contains("nbaprops-injury-watch  unchanged"), "{back}");
    let listed = schedules::list(client, queue).await.unwrap();
    println!("{listed}");
    assert!(
        listed.contains("06:00 America/New_York daily: day"),
        "{listed}"
    );
    assert!(
        listed.contains("11:00-18:45 every 15 min America/New_York daily: injury-watch"),
        "{listed}"
    );
    assert!(!listed.contains("differs"), "{listed}");

    // A manual day is running (on a queue nobody polls, so it stays open): a triggered
    // schedule's starter finds day-{date} taken and does not start a second one.
    let date = game_date_at(SystemTime::now(), 0);
    let day_id = ids::day_workflow_id(&date);
    let manual = client
        .start_workflow(
            DayWorkflow::run,
            nbaprops::commands::manual_day(&date),
            WorkflowStartOptions::new("nobody-polls", &day_id)
                .id_conflict_policy(WorkflowIdConflictPolicy::UseExisting)
                .build(),
        )
        .await
        .unwrap();
    let deps = env.deps(tempfile::tempdir().unwrap().path()).await.unwrap();
    let day = client.get_schedule_handle("nbaprops-day");
    nbaprops::worker::with_worker(client.clone(), queue, deps, async {
        day.trigger(
            ScheduleOverlapPolicy::AllowAll,
            TriggerScheduleOptions::default(),
        )
        .await
        .unwrap();
        let first = starters(client, 1).await;
        let r = starter_result(client, &first[0]).await;
        assert_eq!(
            (
                r.workflow_id.as_str(),
                r.game_date.as_str(),
                r.outcome.as_str()
            ),
            (day_id.as_str(), date.as_str(), "already running"),
            "{r:?}"
        );
        let d = client
            .get_workflow_handle::<UntypedWorkflow>(&day_id)
            .describe(WorkflowDescribeOptions::default())
            .await
            .unwrap();
        assert_eq!(
            Some(d.run_id()),
            manual.run_id(),
            "the manual run is the only one"
        );

        // With the manual day gone, the schedule starts day-{date} itself: scheduled trigger,
        // the same id.
        terminate(client, &day_id).await;
        day.trigger(
            ScheduleOverlapPolicy::AllowAll,
            TriggerScheduleOptions::default(),
        )
        .await
        .unwrap();
        let both = starters(client, 2).await;
        let r = starter_result(client, &both[1]).await;
        assert_eq!(
            (r.workflow_id.as_str(), r.outcome.as_str()),
            (day_id.as_str(), "started"),
            "{r:?}"
        );
        let d = client
            .get_workflow_handle::<UntypedWorkflow>(&day_id)
            .describe(WorkflowDescribeOptions::default())
            .await
            .unwrap();
        assert_ne!(Some(d.run_id()), manual.run_id());
        let attrs = d.search_attributes();
        assert_eq!(attrs.get(&search::TRIGGER).as_deref(), Some("schedule"));
        assert_eq!(attrs.get(&search::GAME_DATE), Some(date.clone()));
        terminate(client, &day_id).await;

        // The starter's history replays (NBAPROPS_RECORD_HISTORIES=TAG keeps it as
        // tests/histories/scheduled-start-TAG.json).
        nbaprops_tests::replay_fresh_history(client, &both[1], "scheduled-start").await;
    })
    .await
    .unwrap();
}
