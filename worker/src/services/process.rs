//! What the test servers share: free ports, the unprivileged user a server runs as when this
//! process is root, and the server process itself (its output in a log file, stopped by a signal,
//! never left running).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use anyhow::{bail, Context, Result};

use crate::dev_server::{last_lines, ExitedAtStart};

/// `n` distinct free TCP ports on 127.0.0.1: all bound at once, then released (good enough for
/// tests; a server that loses one to another process exits at start and is retried).
pub(crate) fn free_ports(n: usize) -> Result<Vec<u16>> {
    let listeners = (0..n)
        .map(|_| std::net::TcpListener::bind("127.0.0.1:0"))
        .collect::<std::io::Result<Vec<_>>>()
        .context("binding free ports on 127.0.0.1")?;
    listeners
        .iter()
        .map(|l| Ok(l.local_addr()?.port()))
        .collect()
}

/// The environment variable naming the user PostgreSQL runs as when this process is root.
pub(crate) const RUN_AS_VAR: &str = "NBAPROPS_POSTGRES_RUN_AS";

/// The user a server runs as in place of root.
#[derive(Debug, Clone)]
pub(crate) struct RunAs {
    pub user: String,
    pub uid: u32,
    pub gid: u32,
}

impl RunAs {
    /// None when this process is not root; else `$NBAPROPS_POSTGRES_RUN_AS` or `nobody`.
    pub(crate) async fn when_root() -> Result<Option<RunAs>> {
        if id(&["-u"]).await? != 0 {
            return Ok(None);
        }
        let user = std::env::var(RUN_AS_VAR).unwrap_or_else(|_| "nobody".to_string());
        let uid = id(&["-u", &user])
            .await
            .with_context(|| format!("looking up the user `{user}` (set {RUN_AS_VAR})"))?;
        let gid = id(&["-g", &user]).await?;
        if uid == 0 {
            bail!("{RUN_AS_VAR}={user} is root; PostgreSQL refuses to run as root");
        }
        Ok(Some(RunAs { user, uid, gid }))
    }

    /// Runs `cmd` as this user (its supplementary groups dropped).
    pub(crate) fn apply(&self, cmd: &mut tokio::process::Command) {
        cmd.uid(self.uid).gid(self.gid);
    }

    /// Gives `path` to this user.
    pub(crate) fn own(&self, path: &Path) -> Result<()> {
        std::os::unix::fs::chown(path, Some(self.uid), Some(self.gid))
            .with_context(|| format!("giving {} to {}", path.display(), self.user))
    }
}

/// What `id ARGS` prints, as a number.
async fn id(args: &[&str]) -> Result<u32> {
    let text = run(tokio::process::Command::new("id").args(args), "id").await?;
    text.parse()
        .with_context(|| format!("`id {}` printed {text:?}", args.join(" ")))
}

/// Runs `cmd` (`what` names it in errors) to its end and returns what it printed, trimmed; an
/// error carrying its standard error when it fails.
pub(crate) async fn run(cmd: &mut tokio::process::Command, what: &str) -> Result<String> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .await
        .with_context(|| format!("running {what}"))?;
    if !out.status.success() {
        bail!(
            "{what} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// A server process this process started. Its output goes to a log file. Dropped while running,
/// it gets `drop_signal` and a few seconds to exit, then SIGKILL.
pub(crate) struct Server {
    name: &'static str,
    child: tokio::process::Child,
    log: PathBuf,
    drop_signal: &'static str,
}

/// How long a dropped server has to exit after its `drop_signal`.
const DROP_GRACE: Duration = Duration::from_secs(5);

impl Server {
    /// Starts `cmd`, its output appended to `log`.
    pub(crate) fn spawn(
        name: &'static str,
        mut cmd: tokio::process::Command,
        log: &Path,
        drop_signal: &'static str,
    ) -> Result<Self> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .with_context(|| format!("opening {}", log.display()))?;
        cmd.stdout(file.try_clone()?)
            .stderr(file)
            .stdin(Stdio::null())
            .kill_on_drop(true);
        let child = cmd.spawn().with_context(|| format!("starting {name}"))?;
        Ok(Self {
            name,
            child,
            log: log.to_path_buf(),
            drop_signal,
        })
    }

    /// Its process id, None once it has been reaped.
    pub(crate) fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// The error for a server that ended while it was awaited, or Ok while it runs.
    pub(crate) fn check_running(&mut self) -> Result<()> {
        match self.child.try_wait()? {
            None => Ok(()),
            Some(status) => Err(ExitedAtStart {
                server: self.name.to_string(),
                status,
                output: last_lines(&self.log, 8),
            }
            .into()),
        }
    }

    /// Sends `signal` (a name: INT, QUIT, KILL…) and waits up to `grace` for the exit, then kills.
    pub(crate) async fn stop(mut self, signal: &str, grace: Duration) -> Result<()> {
        self.signal(signal)?;
        if tokio::time::timeout(grace, self.child.wait())
            .await
            .is_err()
        {
            self.child.kill().await?;
        }
        Ok(())
    }

    /// Sends `signal` to the server unless it has already been reaped (its pid cannot have been
    /// reused before that).
    fn signal(&self, signal: &str) -> Result<()> {
        let Some(pid) = self.child.id() else {
            return Ok(());
        };
        // The shell's builtin `kill`: a `kill` executable is not on every machine.
        std::process::Command::new("sh")
            .args(["-c", "kill -s \"$0\" \"$1\" 2>/dev/null", signal])
            .arg(pid.to_string())
            .stdin(Stdio::null())
            .status()
            .with_context(|| format!("sending SIG{signal} to {}", self.name))?;
        Ok(())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if !matches!(self.child.try_wait(), Ok(None)) {
            return;
        }
        if self.signal(self.drop_signal).is_ok() {
            let deadline = std::time::Instant::now() + DROP_GRACE;
            while std::time::Instant::now() < deadline {
                if !matches!(self.child.try_wait(), Ok(None)) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
        }
        let _ = self.child.start_kill();
    }
}

/// How often a server that exits at start is retried on fresh ports.
pub(crate) const START_ATTEMPTS: usize = 4;
