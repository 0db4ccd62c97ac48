//! The HTML report in a real browser (headless Chromium from Debian's package, which
//! `scripts/setup` installs): the page of a simulated, graded day and the page of a backtest on
//! the real history, each served once over HTTP, screenshotted, its DOM read back, and
//! Chromium's network log checked for any request the page made beyond itself. A control page
//! that does fetch proves the check can see one. The simulated days also show the pipeline
//! keeping its reports: the morning's after each day, the graded one after grading. Bad input: a date without data gets a page
//! saying so (exit 0); an impossible date or a file that is not a backtest result exits 2.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use nbaprops::commands;
use nbaprops_tests::{nbaprops_binary, small_sim, TestEnv};

/// Debian's Chromium; the test fails naming it when it is missing.
fn chromium() -> PathBuf {
    let path = PathBuf::from("/usr/bin/chromium");
    assert!(
        path.is_file(),
        "{} is missing: scripts/setup installs Debian's chromium package (as root)",
        path.display()
    );
    path
}

/// A one-folder HTTP server that records every path asked of it.
struct Served {
    origin: String,
    asked: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Served {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(dir: PathBuf) -> Served {
    let asked: Arc<Mutex<Vec<String>>> = Arc::default();
    let log = asked.clone();
    let app = axum::Router::new().fallback(move |uri: axum::http::Uri| {
        let log = log.clone();
        let dir = dir.clone();
        async move {
            log.lock().unwrap().push(uri.path().to_string());
            let file = dir.join(uri.path().trim_start_matches('/'));
            match std::fs::read(&file) {
                Ok(body) => (
                    axum::http::StatusCode::OK,
                    [(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")],
                    body,
                ),
                Err(_) => (
                    axum::http::StatusCode::NOT_FOUND,
                    [(axum::http::header::CONTENT_TYPE, "text/plain")],
                    b"not found".to_vec(),
                ),
            }
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    Served {
        origin,
        asked,
        task,
    }
}

/// What Chromium made of a page.
struct Browsed {
    dom: String,
    screenshot: PathBuf,
    /// Holds the screenshot and the net log.
    _files: tempfile::TempDir,
    /// The URLs of network requests the page started (its own document excluded).
    page_requests: Vec<String>,
}

/// Chromium's flags for a closed network: without the background ones it tries Google's
/// hosts at every start.
fn chromium_command(profile: &Path) -> Command {
    let mut c = Command::new(chromium());
    c.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--window-size=1200,5000",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    c
}

/// Loads `url` twice: once for a screenshot with a network log, once for its DOM.
async fn browse(url: &str, origin: &str) -> Browsed {
    let url = url.to_string();
    let origin = origin.to_string();
    tokio::task::spawn_blocking(move || {
        let profile = tempfile::tempdir().unwrap();
        let files = tempfile::tempdir().unwrap();
        let screenshot = files.path().join("page.png");
        let netlog = files.path().join("netlog.json");
        let shot = chromium_command(profile.path())
            .arg(format!("--screenshot={}", screenshot.display()))
            .arg(format!("--log-net-log={}", netlog.display()))
            .arg(&url)
            .output()
            .unwrap();
        assert!(
            screenshot.is_file(),
            "no screenshot: {}",
            String::from_utf8_lossy(&shot.stderr)
        );
        let dump = chromium_command(profile.path())
            .arg("--dump-dom")
            .arg(&url)
            .output()
            .unwrap();
        let dom = String::from_utf8_lossy(&dump.stdout).to_string();
        assert!(
            dom.contains("</html>"),
            "no DOM: {}",
            String::from_utf8_lossy(&dump.stderr)
        );
        Browsed {
            dom,
            screenshot,
            page_requests: page_requests(&std::fs::read(&netlog).unwrap(), &origin, &url),
            _files: files,
        }
    })
    .await
    .unwrap()
}

/// Serves `site` and loads its `page.html` in Chromium.
async fn serve_and_browse(site: &Path) -> (Served, Browsed) {
    let served = serve(site.to_path_buf()).await;
    let browsed = browse(&format!("{}/page.html", served.origin), &served.origin).await;
    (served, browsed)
}

/// Requests in a Chromium net log that the page started: any to the page's origin but the
/// document itself, and any whose initiator is the page's origin. Chromium's own background
/// requests have no initiator and are not the page's.
fn page_requests(netlog: &[u8], origin: &str, document: &str) -> Vec<String> {
    let log: serde_json::Value = serde_json::from_slice(netlog).expect("a JSON net log");
    let start_job = log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"]
        .as_i64()
        .expect("the net log names its event types");
    let mut out = Vec::new();
    for e in log["events"].as_array().into_iter().flatten() {
        if e["type"].as_i64() != Some(start_job) {
            continue;
        }
        let url = e["params"]["url"].as_str().unwrap_or_default();
        let initiator = e["params"]["initiator"].as_str().unwrap_or_default();
        let own = url.starts_with(origin) && url != document;
        if own || initiator.starts_with(origin) {
            out.push(url.to_string());
        }
    }
    out
}

/// The page's sections by id, and in each the plots (`data-plot`) with how many shapes their
/// SVG draws (0: the plot is missing and says why).
fn plots_by_section(dom: &str) -> Vec<(String, Vec<(String, usize)>)> {
    let mut out = Vec::new();
    for part in dom.split("<section id=\"").skip(1) {
        let id = part.split('"').next().unwrap_or_default().to_string();
        let body = part.split("</section>").next().unwrap_or_default();
        let mut plots = Vec::new();
        for fig in body.split("<figure ").skip(1) {
            let name = fig
                .split("data-plot=\"")
                .nth(1)
                .and_then(|s| s.split('"').next())
                .unwrap_or_default()
                .to_string();
            let fig = fig.split("</figure>").next().unwrap_or_default();
            let shapes = if fig.contains("<svg") {
                ["<rect", "<line", "<polyline", "<path", "<circle"]
                    .iter()
                    .map(|t| fig.matches(t).count())
                    .sum()
            } else {
                0
            };
            plots.push((name, shapes));
        }
        out.push((id, plots));
    }
    out
}

fn assert_page(
    what: &str,
    browsed: &Browsed,
    served: &Served,
    sections: &[&str],
    plotted: &[&str],
    non_empty: &[&str],
) {
    let plots = plots_by_section(&browsed.dom);
    let ids: Vec<&str> = plots.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, sections, "{what}: the page's sections");
    for (id, figs) in plots
        .iter()
        .filter(|(id, _)| plotted.contains(&id.as_str()))
    {
        assert!(
            figs.iter().any(|(_, shapes)| *shapes >= 10),
            "{what}: section {id} has no drawn plot: {figs:?}"
        );
    }
    let all: Vec<&(String, usize)> = plots.iter().flat_map(|(_, f)| f).collect();
    for name in non_empty {
        let found = all.iter().find(|(n, _)| n == name);
        assert!(
            found.is_some_and(|(_, shapes)| *shapes >= 10),
            "{what}: plot {name} is missing or empty: {all:?}"
        );
    }
    assert!(
        browsed.page_requests.is_empty(),
        "{what}: the page fetched {:?}",
        browsed.page_requests
    );
    let asked = served.asked.lock().unwrap().clone();
    assert!(
        asked.iter().all(|p| p == "/page.html"),
        "{what}: the server was asked for {asked:?}"
    );
    let png = std::fs::metadata(&browsed.screenshot).unwrap().len();
    assert!(
        png > 20_000,
        "{what}: a {png}-byte screenshot is a blank page"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_simulated_days_report_shows_every_section_offline() {
    let env = TestEnv::start(small_sim()).await.unwrap();
    let data = tempfile::tempdir().unwrap();
    let dates = env.day_dates();
    let queue = "report-page";
    let deps = env.deps(data.path()).await.unwrap();
    let warehouse = deps.warehouse.clone();
    nbaprops::worker::with_worker(env.client.clone(), queue, deps, async {
        for d in &dates {
            commands::run_day(&env.client, queue, commands::manual_day(d)).await?;
        }
        // A date's box scores come with the next day: every date but the last is gradable.
        for d in &dates[..dates.len() - 1] {
            commands::run_grade(&env.client, queue, d, true).await?;
        }
        anyhow::Ok(())
    })
    .await
    .unwrap()
    .unwrap();

    let date = &dates[dates.len() - 2];

    // The pipeline kept the date's reports: the day's after its main run, grading's after it.
    let config = env.deps_config(data.path());
    let status = commands::stored_reports(&config, date).await;
    for kind in ["morning", "graded"] {
        assert!(
            status.contains(&format!("report ({kind}): ")),
            "{kind} report kept: {status}"
        );
    }
    let (copied, from) = commands::copy_stored(&config, date, data.path(), None)
        .await
        .unwrap()
        .expect("a kept report");
    assert!(
        from.ends_with(&format!("reports/{date}/graded.html")),
        "{from}"
    );
    let kept = std::fs::read_to_string(&copied).unwrap();
    assert!(kept.contains(&format!("<h1>nbaprops · {date}</h1>")));
    assert!(
        kept.contains("graded dates"),
        "the graded report shows the graded days"
    );
    let last = dates.last().unwrap();
    assert!(
        commands::stored_reports(&config, last)
            .await
            .contains("report (morning)"),
        "the last date, not graded yet, has its morning report"
    );

    let site = tempfile::tempdir().unwrap();
    let rendered = commands::render_date(
        &warehouse,
        date,
        data.path(),
        Some(&site.path().join("page.html")),
    )
    .await
    .unwrap();
    assert!(!rendered.empty);
    let html = std::fs::read_to_string(&rendered.path).unwrap();
    assert!(
        html.contains(&format!("{} graded dates", dates.len() - 1)),
        "every graded date up to {date} is covered"
    );

    let (served, browsed) = serve_and_browse(site.path()).await;
    assert_page(
        "the day's page",
        &browsed,
        &served,
        &["slate", "graded", "run", "health"],
        &["slate", "graded", "run", "health"],
        &[
            "slate",
            "rolling-mae",
            "against-line",
            "calibration",
            "timeline",
            "coverage",
        ],
    );
    keep_screenshot(&browsed.screenshot, "report-day.png");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backtests_report_shows_its_figures_offline() {
    let history = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/history");
    let work = tempfile::tempdir().unwrap();
    let json = work.path().join("result.json");
    let mut backtest = Command::new(nbaprops_binary());
    backtest
        .args(["backtest", "--data"])
        .arg(&history)
        .args([
            "--from",
            "2025-10-27",
            "--to",
            "2025-10-31",
            "--warmup-days",
            "8",
        ])
        .arg("--work")
        .arg(work.path().join("run"))
        .arg("--json")
        .arg(&json);
    succeeds(&mut backtest);

    let site = tempfile::tempdir().unwrap();
    let page = site.path().join("page.html");
    let mut report = Command::new(nbaprops_binary());
    report
        .args(["report", "--backtest"])
        .arg(&json)
        .arg("--out")
        .arg(&page);
    assert_eq!(
        succeeds(&mut report).trim(),
        page.display().to_string(),
        "it prints the page's path"
    );

    let (served, browsed) = serve_and_browse(site.path()).await;
    assert_page(
        "the backtest's page",
        &browsed,
        &served,
        &["graded", "health", "settings"],
        &["graded", "health"],
        &["against-line", "hit-rate", "calibration", "coverage"],
    );
    keep_screenshot(&browsed.screenshot, "report-backtest.png");
}

/// The network check sees a page that fetches: the same server, a page with an image of its
/// own and one from elsewhere, and no content security policy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_network_check_sees_a_page_that_fetches() {
    let site = tempfile::tempdir().unwrap();
    std::fs::write(
        site.path().join("page.html"),
        "<!DOCTYPE html><html><body><section id=\"x\"><img src=\"/pixel.png\">\
         <img src=\"http://127.0.0.1:9/elsewhere.png\"></section></body></html>",
    )
    .unwrap();
    let (served, browsed) = serve_and_browse(site.path()).await;
    assert!(
        browsed
            .page_requests
            .iter()
            .any(|u| u.ends_with("/pixel.png")),
        "{:?}",
        browsed.page_requests
    );
    assert!(
        browsed
            .page_requests
            .iter()
            .any(|u| u.contains("127.0.0.1:9/elsewhere.png")),
        "{:?}",
        browsed.page_requests
    );
    assert!(served
        .asked
        .lock()
        .unwrap()
        .contains(&"/pixel.png".to_string()));
}

#[test]
fn a_date_without_data_gets_a_page_and_bad_input_exits_2() {
    let data = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(nbaprops_binary())
            .arg("--data-dir")
            .arg(data.path())
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (code, stdout, stderr) = run(&["report", "--date", "2025-01-09"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("no data for 2025-01-09"), "{stderr}");
    let page = std::fs::read_to_string(stdout.trim()).unwrap();
    assert!(page.contains("No data for 2025-01-09 in this warehouse"));
    for id in ["slate", "graded", "run", "health"] {
        assert!(page.contains(&format!("<section id=\"{id}\">")), "{id}");
    }

    let (code, _, stderr) = run(&["report", "--date", "2025-02-30"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("2025-02-30"), "{stderr}");

    let not_a_result = data.path().join("result.json");
    std::fs::write(&not_a_result, "{\"from\": \"2025-01-01\"}").unwrap();
    let (code, _, stderr) = run(&["report", "--backtest", not_a_result.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("is not a backtest result"), "{stderr}");
    let (code, _, stderr) = run(&["report", "--backtest", "/nonexistent/result.json"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("cannot read"), "{stderr}");
}

/// Runs a command that must succeed; its stdout.
fn succeeds(command: &mut Command) -> String {
    let out = command.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// Keeps a screenshot where a person can look at it (`target/report-screenshots/`).
fn keep_screenshot(shot: &Path, name: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/report-screenshots");
    if std::fs::create_dir_all(&dir).is_ok() {
        let _ = std::fs::copy(shot, dir.join(name));
    }
}
