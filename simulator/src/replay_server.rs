//! The replay server: serves a folder of recorded or simulated responses over HTTP, by path
//! and query (see `nbaprops_activities::sources::replay` for the file naming), so every source
//! runs its real HTTP path offline.
//!
//! For failure tests it answers with faults on demand: rules matching a path fragment return
//! 429 with Retry-After, 500, 403, an HTML error page, a body cut off mid-way, an empty body, or
//! a slow answer, for the next N requests or for good. Rules come from `--fault` on the command
//! line or `PUT /__replay/faults` (JSON) at run time; `GET /__replay/requests` lists what was
//! asked, so a test can see the retries.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result};
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use nbaprops_activities::sources::{replay, AS_OF_PARAM};

/// A failure the server answers with instead of the recorded response.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Fault {
    /// 429 with a Retry-After header.
    TooManyRequests { retry_after_secs: u64 },
    /// 500.
    ServerError,
    /// 403 (blocked).
    Forbidden,
    /// 200 with an HTML error page where JSON was expected.
    HtmlPage,
    /// The right headers, then the connection drops half-way through the body.
    Truncated,
    /// 200 with an empty body.
    EmptyBody,
    /// The recorded answer, after a delay (past the client's timeout when long enough).
    Slow { delay_ms: u64 },
}

/// Applies `fault` to requests whose path contains `path_contains`, `times` times (or always).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FaultRule {
    pub path_contains: String,
    pub fault: Fault,
    #[serde(default)]
    pub times: Option<u32>,
}

impl std::str::FromStr for FaultRule {
    type Err = String;

    /// `PATTERN=KIND[*N]`, KIND one of 429[:SECS], 500, 403, html, truncated, empty, slow:MS.
    /// Example: `leaguegamelog=429*2` answers the next two box-score requests with 429.
    fn from_str(s: &str) -> Result<Self, String> {
        let (pattern, rest) = s
            .split_once('=')
            .ok_or(format!("fault {s:?}: expected PATTERN=KIND[*N]"))?;
        let (kind, times) = match rest.split_once('*') {
            Some((k, n)) => (
                k,
                Some(
                    n.parse::<u32>()
                        .map_err(|e| format!("fault {s:?}: count: {e}"))?,
                ),
            ),
            None => (rest, None),
        };
        let (name, arg) = kind.split_once(':').unwrap_or((kind, ""));
        let num = |default: u64| -> Result<u64, String> {
            if arg.is_empty() {
                Ok(default)
            } else {
                arg.parse().map_err(|e| format!("fault {s:?}: {e}"))
            }
        };
        let fault = match name {
            "429" => Fault::TooManyRequests {
                retry_after_secs: num(1)?,
            },
            "500" => Fault::ServerError,
            "403" => Fault::Forbidden,
            "html" => Fault::HtmlPage,
            "truncated" => Fault::Truncated,
            "empty" => Fault::EmptyBody,
            "slow" => Fault::Slow {
                delay_ms: num(30_000)?,
            },
            other => return Err(format!("fault {s:?}: unknown kind {other:?}")),
        };
        Ok(FaultRule {
            path_contains: pattern.to_string(),
            fault,
            times,
        })
    }
}

#[derive(Clone)]
struct Served {
    dir: Arc<PathBuf>,
    faults: Arc<Mutex<Vec<FaultRule>>>,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Served {
    /// The fault for this path, if a rule matches; consumes one of a counted rule's uses.
    fn take_fault(&self, path: &str) -> Option<Fault> {
        let mut rules = self.faults.lock().expect("fault rules lock");
        let i = rules
            .iter()
            .position(|r| path.contains(&r.path_contains) && r.times != Some(0))?;
        let fault = rules[i].fault.clone();
        if let Some(n) = rules[i].times.as_mut() {
            *n -= 1;
        }
        Some(fault)
    }
}

async fn admin_faults(
    State(s): State<Served>,
    method: axum::http::Method,
    body: axum::body::Bytes,
) -> Response {
    let mut rules = s.faults.lock().expect("fault rules lock");
    match method.as_str() {
        "PUT" => match serde_json::from_slice::<Vec<FaultRule>>(&body) {
            Ok(new) => {
                *rules = new;
                StatusCode::NO_CONTENT.into_response()
            }
            Err(e) => (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
        },
        "DELETE" => {
            rules.clear();
            StatusCode::NO_CONTENT.into_response()
        }
        _ => axum::Json(rules.clone()).into_response(),
    }
}

async fn admin_requests(State(s): State<Served>) -> Response {
    axum::Json(s.requests.lock().expect("requests lock").clone()).into_response()
}

/// Answers with `fault` instead of `body`.
async fn faulty(fault: Fault, body: Vec<u8>, content_type: &'static str) -> Response {
    match fault {
        Fault::TooManyRequests { retry_after_secs } => (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, retry_after_secs.to_string())],
            "rate limited",
        )
            .into_response(),
        Fault::ServerError => (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response(),
        Fault::Forbidden => (
            StatusCode::FORBIDDEN,
            "<html><body>Access Denied</body></html>",
        )
            .into_response(),
        Fault::HtmlPage => (
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            "<!DOCTYPE html><html><body><h1>Service temporarily unavailable</h1></body></html>",
        )
            .into_response(),
        Fault::EmptyBody => ([(header::CONTENT_TYPE, content_type)], "").into_response(),
        Fault::Truncated => {
            let full = body.len();
            let half = body[..full / 2].to_vec();
            let chunks: Vec<Result<Vec<u8>, std::io::Error>> = vec![
                Ok(half),
                Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "replay server: truncated on purpose",
                )),
            ];
            Response::builder()
                .header(header::CONTENT_TYPE, content_type)
                .header(header::CONTENT_LENGTH, full)
                .body(Body::from_stream(futures::stream::iter(chunks)))
                .expect("a valid response")
        }
        Fault::Slow { delay_ms } => {
            tokio::time::sleep(Duration::from_millis(delay_ms)).await;
            ([(header::CONTENT_TYPE, content_type)], body).into_response()
        }
    }
}

fn content_type_of(body: &[u8]) -> &'static str {
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') | Some(b'[') => "application/json",
        Some(b'%') => "application/pdf",
        Some(0x1f) => "application/gzip",
        _ => "text/html; charset=utf-8",
    }
}

async fn serve_file(State(s): State<Served>, uri: Uri, RawQuery(query): RawQuery) -> Response {
    s.requests
        .lock()
        .expect("requests lock")
        .push(match &query {
            Some(q) => format!("{}?{q}", uri.path()),
            None => uri.path().to_string(),
        });
    let pairs: Vec<(String, String)> = query
        .as_deref()
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    let mut file = replay::file_for(&s.dir, uri.path(), &pairs);
    // A dated snapshot request (`as_of`) falls back to the undated file: recorded folders hold
    // the snapshot as it was fetched, without a date.
    if pairs.iter().any(|(k, _)| k == AS_OF_PARAM) && !file.is_file() {
        let undated: Vec<(String, String)> = pairs
            .into_iter()
            .filter(|(k, _)| k != AS_OF_PARAM)
            .collect();
        file = replay::file_for(&s.dir, uri.path(), &undated);
    }
    let fault = s.take_fault(uri.path());
    match tokio::fs::read(&file).await {
        Ok(body) => {
            let content_type = content_type_of(&body);
            match fault {
                Some(f) => faulty(f, body, content_type).await,
                None => ([(header::CONTENT_TYPE, content_type)], body).into_response(),
            }
        }
        Err(_) if fault.is_some() => {
            faulty(fault.expect("checked"), Vec::new(), "application/json").await
        }
        Err(_) => {
            tracing::debug!(path = uri.path(), file = %file.display(), "no recorded response");
            (
                StatusCode::NOT_FOUND,
                [(header::CONTENT_TYPE, "application/json")],
                serde_json::json!({"message": format!("no recorded response for {}", uri.path())})
                    .to_string(),
            )
                .into_response()
        }
    }
}

/// A running replay server; stops when dropped or on `stop`.
pub struct ReplayServer {
    pub addr: SocketAddr,
    faults: Arc<Mutex<Vec<FaultRule>>>,
    requests: Arc<Mutex<Vec<String>>>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl ReplayServer {
    /// Serves `dir` on `bind` (port 0 picks a free port).
    pub async fn start(dir: PathBuf, bind: SocketAddr) -> Result<Self> {
        Self::start_with_faults(dir, bind, Vec::new()).await
    }

    /// Serves `dir` with fault rules in force from the start.
    pub async fn start_with_faults(
        dir: PathBuf,
        bind: SocketAddr,
        faults: Vec<FaultRule>,
    ) -> Result<Self> {
        anyhow::ensure!(
            dir.is_dir(),
            "replay directory {} does not exist",
            dir.display()
        );
        let served = Served {
            dir: Arc::new(dir),
            faults: Arc::new(Mutex::new(faults)),
            requests: Arc::new(Mutex::new(Vec::new())),
        };
        let (faults, requests) = (served.faults.clone(), served.requests.clone());
        let app = axum::Router::new()
            .route("/__replay/faults", axum::routing::any(admin_faults))
            .route("/__replay/requests", axum::routing::get(admin_requests))
            .fallback(serve_file)
            .with_state(served);
        let listener = tokio::net::TcpListener::bind(bind)
            .await
            .with_context(|| format!("binding the replay server to {bind}"))?;
        let addr = listener.local_addr()?;
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(Self {
            addr,
            faults,
            requests,
            shutdown: Some(tx),
            task,
        })
    }

    /// Replaces the fault rules.
    pub fn set_faults(&self, rules: Vec<FaultRule>) {
        *self.faults.lock().expect("fault rules lock") = rules;
    }

    /// Every request served so far (path and query as received).
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().expect("requests lock").clone()
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
    }
}

impl Drop for ReplayServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nbaprops_activities::sources::SourceRequest;

    #[tokio::test]
    async fn serves_by_path_and_query_ignoring_order_and_keys() {
        let dir = tempfile::tempdir().unwrap();
        let req = SourceRequest {
            base_url: String::new(),
            path: "/v4/sports/basketball_nba/events".into(),
            query: vec![
                ("b".into(), "2025-01-01T05:00:00Z".into()),
                ("a".into(), "x y".into()),
            ],
            request_key: "events".into(),
        };
        let file = replay::file_for(dir.path(), &req.path, &req.query);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, b"[]").unwrap();
        let server = ReplayServer::start(dir.path().to_path_buf(), "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let url = format!(
            "{}{}?apiKey=secret&a=x%20y&b=2025-01-01T05%3A00%3A00Z",
            server.base_url(),
            req.path
        );
        let resp = reqwest::get(&url).await.unwrap();
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.headers()["content-type"], "application/json");
        assert_eq!(resp.text().await.unwrap(), "[]");
        let missing = reqwest::get(format!("{}/nothing", server.base_url()))
            .await
            .unwrap();
        assert_eq!(missing.status(), 404);
        server.stop().await;
    }

    #[test]
    fn fault_rules_parse_from_the_command_line() {
        let r: FaultRule = "leaguegamelog=429*2".parse().unwrap();
        assert_eq!(r.path_contains, "leaguegamelog");
        assert_eq!(
            r.fault,
            Fault::TooManyRequests {
                retry_after_secs: 1
            }
        );
        assert_eq!(r.times, Some(2));
        let r: FaultRule = "odds=slow:1500".parse().unwrap();
        assert_eq!((r.fault, r.times), (Fault::Slow { delay_ms: 1500 }, None));
        assert!("x=teapot".parse::<FaultRule>().is_err());
        assert!("nothing".parse::<FaultRule>().is_err());
    }

    /// Every failure class a source can meet, through the real HTTP path of a real source:
    /// network-ish ones are retryable, bad input is permanent with the payload kept.
    #[tokio::test]
    async fn each_fault_gets_its_error_class() {
        use nbaprops_activities::sources::{nbac_player_boxscore, SourceConfig};
        use nbaprops_activities::{Deps, DepsConfig, PipelineError, RetryClass};

        let sim = tempfile::tempdir().unwrap();
        let opts = crate::SimOptions::default();
        crate::simulate(sim.path(), &opts).unwrap();
        let date = opts.from.to_string();
        let server = ReplayServer::start(sim.path().to_path_buf(), "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let data = tempfile::tempdir().unwrap();
        let mut config = SourceConfig::replay(&server.base_url());
        config.timeout = Duration::from_millis(800);
        let deps = Deps::open(&DepsConfig::under(data.path(), config))
            .await
            .unwrap();

        let cases: Vec<(&str, RetryClass, &str)> = vec![
            (
                "leaguegamelog=429:7*1",
                RetryClass::Retryable,
                "Retry-After: 7",
            ),
            ("leaguegamelog=500*1", RetryClass::Retryable, "HTTP 500"),
            (
                "leaguegamelog=truncated*1",
                RetryClass::Retryable,
                "connection closed",
            ),
            (
                "leaguegamelog=slow:3000*1",
                RetryClass::Retryable,
                "timed out",
            ),
            ("leaguegamelog=403*1", RetryClass::Permanent, "HTTP 403"),
            ("leaguegamelog=html*1", RetryClass::Permanent, "HTML"),
            ("leaguegamelog=empty*1", RetryClass::Permanent, "empty body"),
        ];
        for (rule, class, says) in cases {
            server.set_faults(vec![rule.parse().unwrap()]);
            let err = nbac_player_boxscore::fetch(&deps, &date).await.unwrap_err();
            assert_eq!(err.retry_class(), class, "{rule}: {err}");
            let msg = err.to_string();
            for part in [says, "nbac_player_boxscore", &date, "/stats/leaguegamelog"] {
                assert!(msg.contains(part), "{rule}: {msg:?} lacks {part:?}");
            }
            if let PipelineError::BadPayload {
                quarantine_key: Some(key),
                ..
            } = &err
            {
                assert!(key.starts_with("quarantine/nbac_player_boxscore/"), "{key}");
                assert!(
                    data.path().join("raw").join(key).is_file(),
                    "{rule}: payload not kept"
                );
            }
            // The fault was used up: the same request now succeeds.
            let ok = nbac_player_boxscore::fetch(&deps, &date).await.unwrap();
            assert_eq!(
                ok.records_seen as usize,
                opts.teams * opts.players_per_team,
                "{rule}"
            );
        }
        let asked = server
            .requests()
            .iter()
            .filter(|r| r.contains("leaguegamelog"))
            .count();
        assert_eq!(asked, 14, "each case: one failed and one good request");
        server.stop().await;
    }

    /// An empty but valid answer: zero rows on a date without games, a loud quality failure on
    /// a date the kept schedule lists games for.
    #[tokio::test]
    async fn empty_answers_are_judged_against_the_schedule() {
        use nbaprops_activities::sources::{
            nbac_player_boxscore, nbac_schedule, replay, SourceConfig,
        };
        use nbaprops_activities::{Deps, DepsConfig, PipelineError, RetryClass};

        let sim = tempfile::tempdir().unwrap();
        let opts = crate::SimOptions::default();
        crate::simulate(sim.path(), &opts).unwrap();
        let empty = r#"{"resultSets":[{"headers":["PLAYER_ID","PLAYER_NAME","TEAM_ID","TEAM_ABBREVIATION","GAME_ID","GAME_DATE","MATCHUP","MIN","PTS"],"rowSet":[]}]}"#;
        let config = SourceConfig::replay("http://replay");
        let game_day = opts.from;
        let off_day = opts.to + chrono::Duration::days(3);
        for day in [game_day, off_day] {
            let req = nbac_player_boxscore::request(&config, day);
            std::fs::write(replay::file_for(sim.path(), &req.path, &req.query), empty).unwrap();
        }
        let server = ReplayServer::start(sim.path().to_path_buf(), "127.0.0.1:0".parse().unwrap())
            .await
            .unwrap();
        let data = tempfile::tempdir().unwrap();
        let deps = Deps::open(&DepsConfig::under(
            data.path(),
            SourceConfig::replay(&server.base_url()),
        ))
        .await
        .unwrap();
        nbac_schedule::fetch(&deps, &game_day.to_string())
            .await
            .unwrap();

        let err = nbac_player_boxscore::fetch(&deps, &game_day.to_string())
            .await
            .unwrap_err();
        assert!(matches!(err, PipelineError::QualityCheck { .. }), "{err}");
        assert_eq!(err.retry_class(), RetryClass::Permanent);
        let msg = err.to_string();
        assert!(
            msg.contains("lists 3 games") && msg.contains("payload kept at nbac_player_boxscore/"),
            "{msg}"
        );

        let ok = nbac_player_boxscore::fetch(&deps, &off_day.to_string())
            .await
            .unwrap();
        assert_eq!(ok.records_seen, 0);
        assert_eq!(ok.payloads.len(), 1, "the empty answer is kept too");
        server.stop().await;
    }
}
