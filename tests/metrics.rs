//! The worker's `/metrics` on a real dev server: it answers while simulated days run, with the
//! Temporal SDK's metrics and the pipeline's; afterwards every pipeline counter equals what
//! `processor_runs` says (runs and durations by processor, kind, phase and status; rows
//! written and unchanged; gate failures), an injury rerun's latency is observed once and is
//! shorter than the client waited for it, and days of past dates record no SLA margin.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use nbaprops::commands;
use nbaprops::metrics::MetricsExporter;
use nbaprops_activities::storage::queries::testing;
use nbaprops_activities::storage::sql::Sql;
use nbaprops_proto::{InjuryUpdate, Trigger};
use nbaprops_tests::{listening_day, small_sim, TestEnv};
use nbaprops_workflows::{ids, DayWorkflow};
use temporalio_client::{WorkflowGetResultOptions, WorkflowSignalOptions};

type Labels = BTreeMap<String, String>;

/// The samples of a Prometheus text page: (metric name, labels) → value.
fn samples(page: &str) -> BTreeMap<(String, Labels), f64> {
    let mut out = BTreeMap::new();
    for line in page
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let (series, value) = line.rsplit_once(' ').expect("`series value`");
        let value: f64 = value.parse().unwrap_or_else(|e| panic!("{line}: {e}"));
        let (name, labels) = match series.split_once('{') {
            Some((name, rest)) => (name, labels_of(rest.strip_suffix('}').expect("a `}`"))),
            None => (series, Labels::new()),
        };
        out.insert((name.to_string(), labels), value);
    }
    out
}

/// `k="v",k2="v2"` (values with `\"` and `\\` escapes).
fn labels_of(text: &str) -> Labels {
    let mut labels = Labels::new();
    let mut chars = text.chars().peekable();
    while chars.peek().is_some() {
        let key: String = chars.by_ref().take_while(|c| *c != '=').collect();
        assert_eq!(chars.next(), Some('"'), "a quoted value in {text}");
        let mut value = String::new();
        while let Some(c) = chars.next() {
            match c {
                '\\' => value.push(chars.next().expect("an escaped character")),
                '"' => break,
                c => value.push(c),
            }
        }
        labels.insert(key, value);
        if chars.peek() == Some(&',') {
            chars.next();
        }
    }
    labels
}

fn labels(pairs: &[(&str, &str)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

async fn scrape(url: &str) -> reqwest::Result<String> {
    reqwest::get(url).await?.error_for_status()?.text().await
}

/// Runs of one processor, kind, phase and status in `processor_runs`: those four, then the
/// attempts, rows written, rows unchanged and milliseconds.
type RunGroup = (String, String, i64, String, i64, i64, i64, i64);

async fn run_history(warehouse: &nbaprops_activities::storage::Warehouse) -> Vec<RunGroup> {
    testing::query(
        warehouse,
        Sql::new(
            "SELECT processor, kind, phase, status, COUNT(*), \
             CAST(SUM(rows_written) AS BIGINT), CAST(SUM(rows_unchanged) AS BIGINT), \
             CAST(SUM(duration_ms) AS BIGINT) \
             FROM processor_runs GROUP BY processor, kind, phase, status",
        ),
    )
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_answer_while_days_run_and_add_up_to_the_run_history() {
    let env = TestEnv::start(small_sim()).await.unwrap();
    let data = tempfile::tempdir().unwrap();
    let queue = "metrics";
    let deps = env.deps(data.path()).await.unwrap();
    let warehouse = deps.warehouse.clone();
    let exporter = MetricsExporter::start("127.0.0.1:0".parse().unwrap()).unwrap();
    let url = exporter.url();
    let dates = env.day_dates();
    let (last, earlier) = dates.split_last().unwrap();

    // /metrics scraped every 200 ms while the days run: (scrapes, failures, pages that already
    // showed pipeline runs and the SDK's worker metrics).
    let running = Arc::new(AtomicBool::new(true));
    let scraper = tokio::spawn({
        let (url, running) = (url.clone(), running.clone());
        async move {
            let (mut scrapes, mut failures, mut both) = (0, Vec::new(), 0);
            while running.load(Ordering::Relaxed) {
                match scrape(&url).await {
                    Ok(page) => {
                        scrapes += 1;
                        if page.contains("nbaprops_processor_runs_total{")
                            && page.contains("temporal_workflow_task_queue_poll_succeed_total{")
                        {
                            both += 1;
                        }
                    }
                    Err(e) => failures.push(e.to_string()),
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            (scrapes, failures, both)
        }
    });

    let day_id = ids::day_workflow_id(last);
    let waited = nbaprops::worker::with_exporting_worker(
        env.client.clone(),
        queue,
        deps,
        Some(&exporter),
        async {
            for date in earlier {
                commands::run_day(&env.client, queue, commands::manual_day(date))
                    .await
                    .unwrap();
            }
            // The last day stays open; a player with a line is ruled out (reported at noon
            // New York time, before every tip-off), and the day is closed after his rerun.
            commands::run_day(&env.client, queue, listening_day(last))
                .await
                .unwrap();
            let (player,): (i64,) = testing::query(
                &warehouse,
                Sql::new(
                    "SELECT player_id FROM predictions WHERE game_date = ? \
                     AND superseded_at IS NULL ORDER BY player_id LIMIT 1",
                )
                .bind(last),
            )
            .await
            .unwrap()
            .into_iter()
            .next()
            .expect("a prediction");
            let update = InjuryUpdate {
                player: player.to_string(),
                status: "Out".into(),
                report_time: format!("{last}T17:00:00Z"),
                ..Default::default()
            };
            let signalled = Instant::now();
            commands::signal_injury(
                &env.client,
                queue,
                last,
                Trigger::Signal,
                std::slice::from_ref(&update),
            )
            .await
            .unwrap();
            let rerun = commands::wait_for_rerun(
                &env.client,
                &day_id,
                &update,
                Duration::from_millis(50),
                Duration::from_secs(120),
            )
            .await
            .unwrap();
            let waited = signalled.elapsed();
            assert_eq!(rerun.outcome, "applied", "{rerun:?}");
            let day = env.client.get_workflow_handle::<DayWorkflow>(&day_id);
            day.signal(
                DayWorkflow::stop_listening,
                nbaprops_workflows::signals::raw(&()),
                WorkflowSignalOptions::default(),
            )
            .await
            .unwrap();
            day.get_result(WorkflowGetResultOptions::default())
                .await
                .unwrap();
            waited
        },
    )
    .await
    .unwrap();
    running.store(false, Ordering::Relaxed);
    let (scrapes, failures, both) = scraper.await.unwrap();
    assert!(
        failures.is_empty(),
        "/metrics failed while days ran: {failures:?}"
    );
    assert!(
        scrapes >= 10 && both >= 5,
        "/metrics answered {scrapes} times, {both} with pipeline and SDK metrics"
    );

    let page = scrape(&url).await.unwrap();
    let metrics = samples(&page);
    let value = |name: &str, l: &Labels| metrics.get(&(name.to_string(), l.clone())).copied();
    let series = |name: &str| -> Vec<&Labels> {
        metrics
            .keys()
            .filter(|(n, _)| n == name)
            .map(|(_, l)| l)
            .collect()
    };

    // The SDK's own metrics, from this worker's task queue.
    let completed_days: f64 = metrics
        .iter()
        .filter(|((name, l), _)| {
            name == "temporal_workflow_completed_total"
                && l.get("task_queue").map(String::as_str) == Some(queue)
                && l.get("workflow_type").map(String::as_str) == Some("DayWorkflow")
        })
        .map(|(_, v)| v)
        .sum();
    assert!(
        completed_days >= dates.len() as f64,
        "{completed_days} DayWorkflow completions:\n{page}"
    );

    // Every pipeline counter equals the run history.
    let history = run_history(&warehouse).await;
    assert!(history.len() > 20, "{history:?}");
    let mut written = BTreeMap::<Labels, f64>::new();
    let mut unchanged = BTreeMap::<Labels, f64>::new();
    let mut gate_failures = BTreeMap::<Labels, f64>::new();
    for (processor, kind, phase, status, runs, rows_written, rows_unchanged, ms) in &history {
        let phase = phase.to_string();
        let by_outcome = labels(&[
            ("kind", kind),
            ("phase", &phase),
            ("processor", processor),
            ("status", status),
        ]);
        let what = format!("{by_outcome:?}");
        assert_eq!(
            value("nbaprops_processor_runs_total", &by_outcome),
            Some(*runs as f64),
            "runs of {what}"
        );
        assert_eq!(
            value("nbaprops_processor_duration_seconds_count", &by_outcome),
            Some(*runs as f64),
            "durations of {what}"
        );
        let seconds = value("nbaprops_processor_duration_seconds_sum", &by_outcome).unwrap();
        assert!(
            (seconds - *ms as f64 / 1000.0).abs() < 1e-6,
            "{what}: {seconds} s against {ms} ms"
        );
        let by_processor = labels(&[("kind", kind), ("phase", &phase), ("processor", processor)]);
        *written.entry(by_processor.clone()).or_default() += *rows_written as f64;
        *unchanged.entry(by_processor).or_default() += *rows_unchanged as f64;
        if kind == "gate" {
            *gate_failures
                .entry(labels(&[("phase", &phase)]))
                .or_default() += if status == "failed" {
                *runs as f64
            } else {
                0.0
            };
        }
    }
    assert_eq!(
        series("nbaprops_processor_runs_total").len(),
        history.len(),
        "a series for each (processor, kind, phase, status) of the run history, no other"
    );
    for (name, expected) in [
        ("nbaprops_rows_written_total", &written),
        ("nbaprops_rows_unchanged_total", &unchanged),
        ("nbaprops_gate_failures_total", &gate_failures),
    ] {
        let exported: BTreeMap<Labels, f64> = series(name)
            .into_iter()
            .map(|l| (l.clone(), value(name, l).unwrap()))
            .collect();
        assert_eq!(&exported, expected, "{name}");
    }
    assert!(
        written.values().sum::<f64>() > 0.0,
        "the days wrote rows: {written:?}"
    );
    assert_eq!(
        gate_failures.keys().cloned().collect::<Vec<_>>(),
        ["2", "3", "4", "5"]
            .map(|p| labels(&[("phase", p)]))
            .to_vec(),
        "every gate of a day has its series"
    );

    // The rerun: one latency, from its first processor run to its Phase 5 gate, within what
    // the client waited from its signal to seeing it done.
    let latency = labels(&[]);
    assert_eq!(
        value("nbaprops_injury_rerun_latency_seconds_count", &latency),
        Some(1.0),
        "{page}"
    );
    let seconds = value("nbaprops_injury_rerun_latency_seconds_sum", &latency).unwrap();
    assert!(
        seconds > 0.0 && seconds < waited.as_secs_f64(),
        "rerun latency {seconds} s, the client waited {waited:?}"
    );
    // Every date is long past: days run again have no SLA, and no margin.
    assert!(
        series("nbaprops_predictions_sla_margin_minutes").is_empty(),
        "{page}"
    );
}
