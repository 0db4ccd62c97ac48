//! What the terminal shows (issue 18): the demo on a terminal prints its own summary lines and
//! no JSON log line; with its output in a pipe, every log line is JSON.

use nbaprops_tests::{nbaprops_binary, small_sim, TestEnv};

/// The demo's command line against the test's dev server, over a data folder of its own.
fn demo_args(env: &TestEnv, data: &std::path::Path) -> Vec<String> {
    vec![
        nbaprops_binary().display().to_string(),
        "--temporal-address".into(),
        env.server.address.clone(),
        "--task-queue".into(),
        format!("demo-{}", data.file_name().unwrap().to_string_lossy()),
        "--data-dir".into(),
        data.display().to_string(),
        "demo".into(),
        "--days".into(),
        "3".into(),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_shows_summaries_on_a_terminal_and_json_logs_in_a_pipe() {
    let env = TestEnv::start(small_sim()).await.unwrap();

    // On a pseudo-terminal (util-linux `script`): stdout and stderr both reach it.
    let data = tempfile::tempdir().unwrap();
    let command = demo_args(&env, data.path())
        .iter()
        .map(|a| format!("'{a}'"))
        .collect::<Vec<_>>()
        .join(" ");
    let tty = tokio::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env_remove("RUST_LOG")
        .env_remove("NBAPROPS_LOG_FORMAT")
        .output()
        .await
        .expect("script (util-linux) runs");
    let shown = String::from_utf8_lossy(&tty.stdout);
    println!("on a terminal:\n{shown}");
    assert!(tty.status.success(), "{shown}");
    assert!(
        shown.contains("predictions"),
        "the demo's own lines: {shown}"
    );
    let json: Vec<&str> = shown
        .lines()
        .filter(|l| l.trim_start().starts_with("{\""))
        .collect();
    assert!(json.is_empty(), "JSON log lines on a terminal: {json:?}");

    // In a pipe: the demo's lines on stdout, and every line on stderr is a JSON log line.
    let data = tempfile::tempdir().unwrap();
    let args = demo_args(&env, data.path());
    let piped = tokio::process::Command::new(&args[0])
        .args(&args[1..])
        .env_remove("RUST_LOG")
        .env_remove("NBAPROPS_LOG_FORMAT")
        .output()
        .await
        .unwrap();
    let out = String::from_utf8_lossy(&piped.stdout);
    let err = String::from_utf8_lossy(&piped.stderr);
    assert!(piped.status.success(), "{out}\n{err}");
    assert!(out.contains("predictions"), "{out}");
    let logs: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(!logs.is_empty(), "the worker logs in a pipe");
    for line in logs {
        let parsed: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("not a JSON log line ({e}): {line}"));
        assert!(parsed.get("level").is_some(), "{line}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_web_ui_shows_a_finished_day_summary_with_its_predictions() {
    let env = TestEnv::start(small_sim()).await.unwrap();
    let data = tempfile::tempdir().unwrap();
    let date = env.day_dates()[0].clone();
    let deps = env.deps(data.path()).await.unwrap();
    let client = env.client.clone();
    let id = nbaprops_workflows::ids::day_workflow_id(&date);
    let (main, metadata, phase) =
        nbaprops::worker::with_worker(env.client.clone(), "ui", deps, async {
            let main =
                nbaprops::commands::run_day(&client, "ui", nbaprops::commands::manual_day(&date))
                    .await
                    .unwrap();
            // What the Web UI reads: the workflow metadata query, answered by a worker.
            let metadata = tokio::process::Command::new(
                std::env::var("TEMPORAL_BIN").unwrap_or_else(|_| "temporal".into()),
            )
            .args([
                "workflow",
                "metadata",
                "--workflow-id",
                &id,
                "--address",
                &env.server.address,
            ])
            .output()
            .await
            .expect("the temporal CLI runs");
            let phase =
                tokio::process::Command::new(nbaprops::dev_server::find_temporal_binary().unwrap())
                    .args([
                        "workflow",
                        "metadata",
                        "--workflow-id",
                        &nbaprops_workflows::ids::phase_workflow_id(&id, 3),
                        "--address",
                        &env.server.address,
                    ])
                    .output()
                    .await
                    .expect("the temporal CLI runs");
            (main, metadata, phase)
        })
        .await
        .unwrap();
    let shown = String::from_utf8_lossy(&metadata.stdout);
    println!("{shown}{}", String::from_utf8_lossy(&metadata.stderr));
    assert!(metadata.status.success());
    let expected = format!(
        "{date} · 5 phases · {} predictions written",
        main.predictions_written
    );
    assert!(main.predictions_written > 0);
    assert!(
        shown.contains(&expected),
        "the summary names {expected:?}: {shown}"
    );
    assert!(shown.contains("closed"), "{shown}");
    // A phase's line: its processors and rows.
    let phase = String::from_utf8_lossy(&phase.stdout);
    assert!(
        phase.contains(&format!("phase 3 of {date} · ")) && phase.contains("rows written"),
        "{phase}"
    );
    // Its static summary, which the Web UI lists it by (user metadata of its start).
    let described = env
        .client
        .get_workflow_handle::<nbaprops_workflows::phase::PhaseWorkflow>(
            &nbaprops_workflows::ids::phase_workflow_id(&id, 3),
        )
        .describe(temporalio_client::WorkflowDescribeOptions::default())
        .await
        .unwrap();
    let summary = described
        .raw()
        .execution_config
        .as_ref()
        .and_then(|c| c.user_metadata.as_ref())
        .and_then(|m| m.summary.as_ref())
        .map(|p| String::from_utf8_lossy(&p.data).to_string())
        .unwrap_or_default();
    assert_eq!(
        summary,
        format!("\"phase 3 of {date}: analytics (full)\""),
        "the phase's static summary"
    );
}
