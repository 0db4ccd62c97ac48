//! The replay server: serves a folder of recorded or simulated responses over HTTP, by path
//! and query (see `nbaprops_activities::sources::replay` for the file naming), so every source
//! runs its real HTTP path offline.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use axum::extract::{RawQuery, State};
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use nbaprops_activities::sources::replay;

#[derive(Clone)]
struct Served {
    dir: Arc<PathBuf>,
}

async fn serve_file(State(s): State<Served>, uri: Uri, RawQuery(query): RawQuery) -> Response {
    let pairs: Vec<(String, String)> = query
        .as_deref()
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    let file = replay::file_for(&s.dir, uri.path(), &pairs);
    match tokio::fs::read(&file).await {
        Ok(body) => {
            let content_type = match body.iter().find(|b| !b.is_ascii_whitespace()) {
                Some(b'{') | Some(b'[') => "application/json",
                Some(b'%') => "application/pdf",
                _ => "text/html; charset=utf-8",
            };
            ([(header::CONTENT_TYPE, content_type)], body).into_response()
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
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl ReplayServer {
    /// Serves `dir` on `bind` (port 0 picks a free port).
    pub async fn start(dir: PathBuf, bind: SocketAddr) -> Result<Self> {
        anyhow::ensure!(
            dir.is_dir(),
            "replay directory {} does not exist",
            dir.display()
        );
        let app = axum::Router::new()
            .fallback(serve_file)
            .with_state(Served { dir: Arc::new(dir) });
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
            shutdown: Some(tx),
            task,
        })
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
}
