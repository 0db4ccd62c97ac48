//! `nbaprops backtest`: the command around `nbaprops_activities::backtest`.

use std::path::PathBuf;

use anyhow::{Context, Result};
use nbaprops_activities::backtest::{self, report, BacktestOptions};
use nbaprops_activities::{Deps, DepsConfig};

use crate::settings::Settings;

#[derive(clap::Args, Debug)]
pub struct BacktestArgs {
    /// Folder of CSVs named team_games_*, player_game_logs_* and points_lines_*.
    #[arg(long)]
    pub data: PathBuf,
    /// First date to predict (YYYY-MM-DD).
    #[arg(long, value_parser = crate::commands::game_date_arg)]
    pub from: String,
    /// Last date to predict.
    #[arg(long, value_parser = crate::commands::game_date_arg)]
    pub to: String,
    /// Also write the figures as JSON here.
    #[arg(long)]
    pub json: Option<PathBuf>,
    /// Where the backtest's own warehouse and raw store live. Default: a folder under the
    /// system's temp dir named after the data files, reused by a rerun on the same files.
    #[arg(long)]
    pub work: Option<PathBuf>,
    /// Days of history backfilled before --from.
    #[arg(long, default_value_t = backtest::DEFAULT_WARMUP_DAYS)]
    pub warmup_days: i64,
    /// Exit 0 even when the figures look like leakage.
    #[arg(long)]
    pub allow_leakage: bool,
}

/// A work folder named after the files (names, sizes, modification times) and the range.
fn default_work_dir(args: &BacktestArgs) -> Result<PathBuf> {
    let mut parts = vec![
        args.from.clone(),
        args.to.clone(),
        args.warmup_days.to_string(),
    ];
    for f in backtest::data_files(&args.data)? {
        let meta = std::fs::metadata(&f).with_context(|| format!("reading {}", f.display()))?;
        let modified = meta
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_secs());
        parts.push(format!("{}|{}|{modified}", f.display(), meta.len()));
    }
    let hash = blake3::hash(parts.join("\n").as_bytes()).to_hex();
    Ok(std::env::temp_dir().join(format!("nbaprops-backtest-{}", &hash[..16])))
}

/// Runs the backtest and prints the report. Returns whether the leakage guard fired (and was
/// not overridden): the caller exits non-zero.
pub async fn backtest(settings: &Settings, args: &BacktestArgs) -> Result<bool> {
    let work = match &args.work {
        Some(w) => w.clone(),
        None => default_work_dir(args)?,
    };
    std::fs::create_dir_all(&work).with_context(|| format!("creating {}", work.display()))?;
    eprintln!(
        "backtest warehouse: {}",
        work.join("warehouse.sqlite").display()
    );
    // The backtest fetches nothing; the sources' settings only fill the config.
    let deps = Deps::open(&DepsConfig::under(&work, settings.source_config())).await?;
    let opts = BacktestOptions {
        data_dir: args.data.clone(),
        from: args.from.clone(),
        to: args.to.clone(),
        warmup_days: args.warmup_days,
    };
    let started = std::time::Instant::now();
    let run = backtest::run(&deps, &opts, |line| eprintln!("{line}")).await?;
    let report = report::build(&deps, &opts, &run).await?;
    print!("{}", report::render(&report));
    println!("\n({:.1} s)", started.elapsed().as_secs_f64());
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_string_pretty(&report)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    let leaked = !report.leakage_warnings.is_empty();
    if leaked && args.allow_leakage {
        eprintln!("leakage warnings overridden by --allow-leakage");
    }
    Ok(leaked && !args.allow_leakage)
}
