//! `nbaprops demo`: the whole system on one machine in about a minute. Starts a Temporal dev
//! server unless one answers, simulates a short stretch of games, serves it through the replay
//! server, runs a worker, runs the day workflow for each date through all five phases, prints
//! the last day's predictions, the Web UI link and the day's report, and stops what it started.

use nbaprops_activities::analytics::upcoming_player_game_context::PlayerContextRow;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Result;
use chrono::Duration as Days;
use nbaprops_activities::predict::predictions::live_predictions;
use nbaprops_activities::sources::SourceConfig;
use nbaprops_activities::{Deps, DepsConfig};
use nbaprops_simulator::replay_server::ReplayServer;
use nbaprops_simulator::{simulate, SimOptions};

use crate::dev_server::{answers, DevServer, DevServerOptions};
use crate::settings::Settings;
use crate::{client, commands, worker};

#[derive(Debug, Clone, clap::Args)]
pub struct DemoArgs {
    /// Keep the dev server (and the Web UI) up after the demo until Ctrl-C.
    #[arg(long)]
    pub keep_running: bool,
    /// Simulated game dates; the day workflow runs for all but the first.
    #[arg(long, default_value_t = 8)]
    pub days: i64,
    /// Simulator seed.
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Web UI port of a dev server the demo starts.
    #[arg(long, default_value_t = 8233)]
    pub ui_port: u16,
}

pub async fn demo(settings: &Settings, args: &DemoArgs) -> Result<()> {
    let started = Instant::now();
    std::fs::create_dir_all(&settings.data_dir)?;

    // 1. Temporal: use the one that answers, or start a dev server.
    let mut own_server = None;
    if answers(&settings.temporal_address).await {
        println!(
            "Temporal answers on {}: using it",
            settings.temporal_address
        );
    } else {
        let port: u16 = settings
            .temporal_address
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or(7233);
        let db = settings.data_dir.join("temporal.sqlite");
        println!(
            "starting a Temporal dev server on 127.0.0.1:{port} (history in {})",
            db.display()
        );
        let server = DevServer::start(&DevServerOptions {
            port,
            ui_port: Some(args.ui_port),
            db_file: Some(db),
            log_file: Some(settings.data_dir.join("temporal-dev-server.log")),
            namespace: settings.namespace.clone(),
            ready_timeout: Duration::from_secs(60),
        })
        .await?;
        own_server = Some(server);
    }
    let client = client::connect(&settings.temporal_address, &settings.namespace).await?;
    // A server the demo did not start may predate the search attributes.
    client::ensure_search_attributes(&client).await?;

    // 2. A simulated stretch of games, served over HTTP.
    let sim_dir: PathBuf = settings.data_dir.join("sim");
    let opts = SimOptions {
        to: SimOptions::default().from + Days::days(args.days.max(2) - 1),
        seed: args.seed,
        ..SimOptions::default()
    };
    let truth = simulate(&sim_dir, &opts)?;
    let replay = ReplayServer::start(sim_dir.clone(), "127.0.0.1:0".parse()?).await?;
    println!(
        "simulated {} game dates ({} players) into {}; replay server on {}",
        truth.game_dates.len(),
        truth.players.len(),
        sim_dir.display(),
        replay.base_url()
    );

    // 3. A worker in this process, and the day workflow for each date.
    let config = DepsConfig::under(&settings.data_dir, SourceConfig::replay(&replay.base_url()));
    let deps = Deps::open(&config).await?;
    let warehouse = deps.warehouse.clone();
    let task_queue = format!("{}-demo", settings.task_queue);
    let dates: Vec<String> = truth.game_dates.iter().skip(1).cloned().collect();
    let last = dates.last().cloned().unwrap_or_default();
    let run = worker::with_worker(client.clone(), &task_queue, deps, async {
        for date in &dates {
            let t = Instant::now();
            let mut input = commands::manual_day(date);
            if *date == last {
                // The last day stays open for injury news, as a live day does until tip-off.
                input.listen_until = (chrono::Utc::now() + chrono::Duration::minutes(10))
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            }
            let result = commands::run_day(&client, &task_queue, input).await?;
            println!(
                "day-{date}: 5 phases in {:.1}s, {} predictions written, {} unchanged",
                t.elapsed().as_secs_f64(),
                result.predictions_written,
                result.predictions_unchanged
            );
        }
        injury_news(&client, &task_queue, &warehouse, &last).await
    })
    .await;
    replay.stop().await;
    run??;

    // 4. What the team looks at.
    let rows = live_predictions(&warehouse, &last).await?;
    let players: std::collections::BTreeSet<i64> = rows.iter().map(|r| r.player_id).collect();
    // similarity and gbm need 200 earlier graded player-games; a short simulation has fewer.
    println!(
        "\npredictions for {last} ({} players with a line, {} predictions over every system; \
         similarity and gbm start once 200 earlier player-games have results):",
        players.len(),
        rows.len()
    );
    print!("{}", commands::predictions_table(&rows));
    let ui_port = own_server
        .as_ref()
        .and_then(|s| s.ui_port)
        .unwrap_or(args.ui_port);
    println!(
        "\nWeb UI: http://localhost:{ui_port}/namespaces/{}/workflows/day-{last}",
        settings.namespace
    );
    println!(
        "warehouse: {} (try: sqlite3 it, or `nbaprops predictions --date {last}`)",
        settings.data_dir.join("warehouse.sqlite").display()
    );
    // The page the day kept after its main run and its injury rerun (docs/report.md).
    println!("{}", commands::stored_reports(&config, &last).await);
    println!("demo finished in {:.1}s", started.elapsed().as_secs_f64());

    if args.keep_running && own_server.is_some() {
        println!("keeping the dev server up; Ctrl-C to stop");
        tokio::signal::ctrl_c().await?;
    }
    if let Some(server) = own_server {
        server.stop().await?;
        println!(
            "stopped the dev server this demo started (its history stays in {})",
            settings.data_dir.join("temporal.sqlite").display()
        );
    }
    Ok(())
}

/// The last day's injury news: its first player with a line is ruled out (reported at noon New
/// York time, before every tip-off), the day reruns him and his teammates, then closes.
async fn injury_news(
    client: &temporalio_client::Client,
    task_queue: &str,
    warehouse: &nbaprops_activities::storage::Warehouse,
    date: &str,
) -> Result<()> {
    let player: Option<(i64, String)> = warehouse
        .partition::<PlayerContextRow>(date)
        .await?
        .into_iter()
        .map(|c| (c.player_id, c.player_name))
        .min();
    let day_id = nbaprops_workflows::ids::day_workflow_id(date);
    if let Some((id, name)) = player {
        let update = nbaprops_proto::InjuryUpdate {
            player: id.to_string(),
            status: "Out".into(),
            source: "demo".into(),
            report_time: format!("{date}T17:00:00Z"),
            reason: "left ankle sprain".into(),
        };
        let t = Instant::now();
        commands::signal_injury(
            client,
            task_queue,
            date,
            nbaprops_proto::Trigger::Signal,
            std::slice::from_ref(&update),
        )
        .await?;
        let rerun = commands::wait_for_rerun(
            client,
            &day_id,
            &update,
            Duration::from_millis(100),
            Duration::from_secs(120),
        )
        .await?;
        println!(
            "injury news: {name} ruled out (signal injury_update to {day_id}): rerun {} {} in \
             {:.1}s, {} players recomputed, {} predictions superseded",
            rerun.number,
            rerun.outcome,
            t.elapsed().as_secs_f64(),
            rerun.players,
            rerun.predictions_written
        );
    }
    client
        .get_workflow_handle::<nbaprops_workflows::DayWorkflow>(&day_id)
        .signal(
            nbaprops_workflows::DayWorkflow::stop_listening,
            nbaprops_workflows::signals::raw(&()),
            temporalio_client::WorkflowSignalOptions::default(),
        )
        .await
        .map_err(|e| anyhow::anyhow!("closing {day_id}: {e}"))?;
    client
        .get_workflow_handle::<nbaprops_workflows::DayWorkflow>(&day_id)
        .get_result(temporalio_client::WorkflowGetResultOptions::default())
        .await
        .map_err(|e| anyhow::anyhow!(crate::commands::describe_result_error(&day_id, &e)))?;
    Ok(())
}
