//! Live operations on a real dev server: the run history of a day (every scrape and processor
//! run with the execution behind it) and `nbaprops status` reading it; every command refuses an
//! impossible date.

use nbaprops::commands;
use nbaprops_activities::ops::run_history;
use nbaprops_proto::registry;
use nbaprops_tests::{small_sim, TestEnv};
use nbaprops_workflows::ids;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_day_records_every_run_and_status_prints_them() {
    let env = TestEnv::start(small_sim()).await.unwrap();
    let data = tempfile::tempdir().unwrap();
    let dates = env.day_dates();
    env.run_days(data.path(), "ops-history", &dates)
        .await
        .unwrap();
    let last = dates.last().unwrap().clone();
    let day_id = ids::day_workflow_id(&last);
    let warehouse = env.deps(data.path()).await.unwrap().warehouse;

    // One row per source and per processor of the day, each naming the workflow execution
    // (the day for scrapes, the phase's child for processors) and the day's context.
    let runs = run_history::of_game_date(&warehouse, &last).await.unwrap();
    let plan = registry::day_plan();
    let mut expected = 0;
    for phase in &plan.phases {
        for level in &phase.levels {
            for name in &level.processors {
                let mine: Vec<&run_history::RunRow> =
                    runs.iter().filter(|r| &r.processor == name).collect();
                assert!(!mine.is_empty(), "{name} has no run recorded for {last}");
                expected += 1;
                let spec = registry::get(name).unwrap();
                let workflow = match phase.phase {
                    1 => day_id.clone(),
                    5 => ids::prediction_workflow_id(&day_id),
                    p => ids::phase_workflow_id(&day_id, p),
                };
                for r in mine {
                    assert_eq!(
                        r.kind,
                        if phase.phase == 1 {
                            "scrape"
                        } else {
                            "process"
                        }
                    );
                    assert_eq!(r.phase, phase.phase as i64, "{name}");
                    assert_eq!(r.status, "ok", "{name}: {:?}", r.error);
                    assert_eq!(r.correlation_id, day_id, "{name}");
                    assert_eq!(r.workflow_id, workflow, "{name}");
                    assert_eq!(r.run_id.len(), 36, "{name}: run id {:?}", r.run_id);
                    assert!(!r.activity_id.is_empty(), "{name}");
                    assert!(r.attempt >= 1);
                    assert_eq!(
                        (r.mode.as_str(), r.trigger_kind.as_str()),
                        ("full", "manual")
                    );
                    assert_eq!(
                        r.data_date,
                        nbaprops_activities::runner::data_date(&spec, &last).unwrap()
                    );
                    assert!(r.error.is_none());
                }
            }
        }
    }
    assert!(
        expected > 40,
        "the day's plan has every phase ({expected} entries)"
    );
    // Scrapes count records and payloads; the box-score processors read and wrote rows.
    let scrape = runs
        .iter()
        .find(|r| r.processor == "nbac_player_boxscore")
        .unwrap();
    assert!(
        scrape.rows_read > 0 && scrape.rows_written >= 1,
        "{scrape:?}"
    );
    let boxes = runs
        .iter()
        .find(|r| r.processor == "raw_nbac_player_boxscores")
        .unwrap();
    assert!(boxes.rows_read > 0 && boxes.rows_written > 0, "{boxes:?}");

    // A rerun of the day records a second run of everything, with nothing written: the
    // scrapes find every payload already kept.
    env.run_days(data.path(), "ops-history", std::slice::from_ref(&last))
        .await
        .unwrap();
    let again = run_history::of_game_date(&warehouse, &last).await.unwrap();
    assert_eq!(again.len(), 2 * runs.len());
    for r in &again[runs.len()..] {
        assert_eq!(r.rows_written, 0, "{} rewrote on the rerun", r.processor);
        assert_ne!(
            r.run_id,
            runs.iter()
                .find(|o| o.workflow_id == r.workflow_id)
                .unwrap()
                .run_id
        );
    }
    let rescrape = again[runs.len()..]
        .iter()
        .find(|r| r.processor == "nbac_player_boxscore")
        .unwrap();
    assert_eq!(
        rescrape.rows_unchanged,
        scrape.rows_written + scrape.rows_unchanged
    );

    // `nbaprops status` prints the day's phases from the history: every phase with its
    // processors, their counts, timings, and the alerts of the date.
    let status = commands::status(Ok(&env.client), &warehouse, &last)
        .await
        .unwrap();
    println!("{status}");
    assert!(status.contains(&format!("{day_id}: ")), "{status}");
    let sources = plan.phases[0]
        .levels
        .iter()
        .map(|l| l.processors.len())
        .sum::<usize>();
    assert!(
        status.contains(&format!(
            "phase 1  {sources} sources, {sources} ok, 0 failed"
        )),
        "{status}"
    );
    for phase in 2..=5 {
        let line = status
            .lines()
            .find(|l| l.starts_with(&format!("phase {phase}  ")))
            .unwrap_or_else(|| panic!("no phase {phase} in {status}"));
        assert!(
            line.contains(" ok, 0 failed") && line.contains(" UTC ("),
            "{line}"
        );
    }
    // Each gate's checks, under its phase, once per run of the day.
    assert_eq!(
        status.matches("  gate: passed (").count(),
        4,
        "a gate after each of phases 2-5: {status}"
    );
    assert!(status.contains("(1 earlier checks)"), "{status}");
    let line = status
        .lines()
        .find(|l| l.trim_start().starts_with("raw_nbac_player_boxscores "))
        .unwrap();
    assert!(
        line.contains(&format!("read {:>6}", boxes.rows_read)),
        "{line}"
    );
    assert!(
        line.contains("written      0"),
        "the latest run wrote nothing: {line}"
    );
    assert!(line.contains("(1 earlier runs)"), "{line}");
    assert!(line.contains(&ids::phase_workflow_id(&day_id, 2)), "{line}");
    let ensemble = status
        .lines()
        .find(|l| l.trim_start().starts_with("ensemble "))
        .unwrap();
    assert!(
        ensemble.contains(&ids::prediction_workflow_id(&day_id)),
        "{ensemble}"
    );
    assert!(status.contains("alerts"), "{status}");

    // A date nothing ran for says so.
    let empty = commands::status(Ok(&env.client), &warehouse, "2024-07-01")
        .await
        .unwrap();
    assert!(empty.contains("no processor or scrape has run"), "{empty}");

    // Without Temporal, the warehouse's part still shows.
    let alone = commands::status(Err("connection refused"), &warehouse, &last)
        .await
        .unwrap();
    assert!(
        alone.contains("Temporal is not reachable (connection refused)"),
        "{alone}"
    );
    assert!(
        alone.contains("phase 2  ") && alone.contains("predictions"),
        "{alone}"
    );
}

/// The ids of the workflows a visibility query finds, polled until `expected` are all there
/// (visibility is eventually consistent) or 20 s passed.
async fn find(
    client: &temporalio_client::Client,
    query: &str,
    expected: usize,
) -> Vec<temporalio_client::WorkflowExecution> {
    use futures::TryStreamExt;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let found: Vec<temporalio_client::WorkflowExecution> = client
            .list_workflows(query, temporalio_client::WorkflowListOptions::default())
            .try_collect()
            .await
            .unwrap_or_else(|e| panic!("query {query:?} failed: {e}"));
        if found.len() >= expected || std::time::Instant::now() > deadline {
            return found;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_workflow_of_a_day_is_found_by_its_search_attributes() {
    use nbaprops_workflows::search;
    use temporalio_client::{WorkflowGetResultOptions, WorkflowStartOptions};

    let env = TestEnv::start(small_sim()).await.unwrap();
    let data = tempfile::tempdir().unwrap();
    let dates = env.day_dates();
    let (last, earlier) = dates.split_last().unwrap();
    let graded = earlier.last().unwrap().clone();
    let deps = env.deps(data.path()).await.unwrap();
    let queue = "ops-search";
    nbaprops::worker::with_worker(env.client.clone(), queue, deps, async {
        for d in earlier {
            commands::run_day(&env.client, queue, commands::manual_day(d))
                .await
                .unwrap();
        }
        // The last day starts without search attributes, as a schedule's starter or the
        // `temporal` CLI would: the workflow sets its own.
        env.client
            .start_workflow(
                nbaprops_workflows::DayWorkflow::run,
                commands::manual_day(last),
                WorkflowStartOptions::new(queue, ids::day_workflow_id(last)).build(),
            )
            .await
            .unwrap()
            .get_result(WorkflowGetResultOptions::default())
            .await
            .unwrap();
        // The box scores of the day before the last came in with the last day: grade it.
        commands::run_grade(&env.client, queue, &graded, true)
            .await
            .unwrap();
    })
    .await
    .unwrap();

    let day_id = ids::day_workflow_id(last);
    let mut expected: Vec<String> = vec![day_id.clone()];
    expected.extend((2..=4).map(|p| ids::phase_workflow_id(&day_id, p)));
    expected.push(ids::prediction_workflow_id(&day_id));
    expected.sort();
    let found = find(
        &env.client,
        &format!("game_date = \"{last}\""),
        expected.len(),
    )
    .await;
    let mut ids_found: Vec<String> = found.iter().map(|w| w.id().to_string()).collect();
    ids_found.sort();
    assert_eq!(ids_found, expected, "game_date = \"{last}\"");
    for w in &found {
        let attrs = w.search_attributes();
        let phase = if w.id() == day_id {
            "all".to_string()
        } else if w.id().ends_with("-predict") {
            "5".to_string()
        } else {
            w.id().rsplit('-').next().unwrap().to_string()
        };
        assert_eq!(attrs.get(&search::PHASE), Some(phase), "{}", w.id());
        assert_eq!(
            attrs.get(&search::MODE).as_deref(),
            Some("full"),
            "{}",
            w.id()
        );
        assert_eq!(
            attrs.get(&search::TRIGGER).as_deref(),
            Some("manual"),
            "{}",
            w.id()
        );
    }
    // The Web UI's filters: one phase of one date, and grading.
    let phase3 = find(
        &env.client,
        &format!("game_date = \"{last}\" AND phase = \"3\""),
        1,
    )
    .await;
    assert_eq!(
        phase3.iter().map(|w| w.id()).collect::<Vec<_>>(),
        [ids::phase_workflow_id(&day_id, 3)]
    );
    let grading = find(
        &env.client,
        &format!("game_date = \"{graded}\" AND phase = \"6\""),
        1,
    )
    .await;
    assert_eq!(
        grading.iter().map(|w| w.id()).collect::<Vec<_>>(),
        [ids::grade_workflow_id(&graded)]
    );
    // Every day of the run carries `phase = "all"`, whoever started it.
    let all = find(&env.client, "phase = \"all\"", dates.len()).await;
    assert_eq!(all.len(), dates.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_search_attributes_are_registered_where_they_are_missing() {
    use nbaprops::dev_server::DevServer;
    use temporalio_client::grpc::WorkflowService;
    use temporalio_client::tonic::IntoRequest;
    use temporalio_common::protos::temporal::api::workflowservice::v1::RegisterNamespaceRequest;

    let server = DevServer::start_ephemeral().await.unwrap();
    // The dev server registers them on its namespace: nothing to add there.
    let default = nbaprops::client::connect(&server.address, "default")
        .await
        .unwrap();
    assert_eq!(
        nbaprops::client::ensure_search_attributes(&default)
            .await
            .unwrap(),
        Vec::<String>::new()
    );
    // A namespace created by hand (a production cluster's) has none.
    WorkflowService::register_namespace(
        &mut default.clone(),
        RegisterNamespaceRequest {
            namespace: "ops-fresh".into(),
            workflow_execution_retention_period: std::time::Duration::from_secs(86400)
                .try_into()
                .ok(),
            ..Default::default()
        }
        .into_request(),
    )
    .await
    .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let fresh = loop {
        match nbaprops::client::connect(&server.address, "ops-fresh").await {
            Ok(c) => break c,
            Err(e) if std::time::Instant::now() < deadline => {
                let _ = e;
                tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            }
            Err(e) => panic!("namespace ops-fresh never answered: {e:#}"),
        }
    };
    let added = nbaprops::client::ensure_search_attributes(&fresh)
        .await
        .unwrap();
    assert_eq!(added, ["game_date", "mode", "phase", "trigger"]);
    let again = nbaprops::client::ensure_search_attributes(&fresh)
        .await
        .unwrap();
    assert_eq!(again, Vec::<String>::new());
    server.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dev_server_that_cannot_start_says_why() {
    use nbaprops::dev_server::{DevServer, DevServerOptions};

    // Somebody else holds the port: the server exits at once, and the error carries its
    // own explanation instead of a guess.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut opts = DevServerOptions::ephemeral().unwrap();
    opts.port = taken.local_addr().unwrap().port();
    let err = match DevServer::start(&opts).await {
        Ok(_) => panic!("a server started on a port that is taken"),
        Err(e) => format!("{e:#}"),
    };
    assert!(err.contains("exited at start"), "{err}");
    assert!(err.contains("address already in use"), "{err}");
}

/// Impossible calendar dates and dates outside the supported seasons are refused by every
/// command that takes one, before anything runs: exit 2 and the reason.
#[test]
fn every_command_refuses_an_impossible_date() {
    let cases: [(&[&str], &str); 7] = [
        (&["run", "day", "--date", "2025-02-30"], "has 28 days"),
        (&["status", "--date", "2025-02-30"], "has 28 days"),
        (
            &["predictions", "--date", "2025-99-99", "--json"],
            "no month 99",
        ),
        (&["grade", "--date", "2025-04-31"], "has 30 days"),
        (
            &[
                "signal",
                "injury",
                "--date",
                "2025-02-29",
                "--player",
                "x",
                "--status",
                "Out",
            ],
            "has 28 days",
        ),
        (
            &["backfill", "--from", "2025-01-01", "--to", "2205-01-01"],
            "supported seasons",
        ),
        (
            &[
                "backtest",
                "--data",
                ".",
                "--from",
                "0225-01-01",
                "--to",
                "2025-01-02",
            ],
            "supported seasons",
        ),
    ];
    for (args, why) in cases {
        let out = std::process::Command::new(nbaprops_tests::nbaprops_binary())
            .args(args)
            .output()
            .expect("the nbaprops binary runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(why), "{args:?}: {stderr}");
    }
}
