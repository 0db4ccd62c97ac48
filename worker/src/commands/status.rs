//! `nbaprops status` and `nbaprops predictions`: what Temporal and the warehouse hold for a date.

use anyhow::{Context, Result};
use futures::TryStreamExt;
use nbaprops_activities::ops::{alerts, run_history};
use nbaprops_activities::predict::predictions::{live_predictions, prediction_counts};
use nbaprops_activities::storage::Warehouse;
use nbaprops_proto::Phase;
use nbaprops_workflows::{ids, DayWorkflow};
use temporalio_client::{Client, WorkflowDescribeOptions, WorkflowListOptions};

use super::report::{format_run_history, predictions_table};

pub async fn print_predictions(warehouse: &Warehouse, date: &str, json: bool) -> Result<()> {
    let rows = live_predictions(warehouse, date).await?;
    if json {
        let v: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| {
                serde_json::json!({
                    "game_date": r.game_date, "player_id": r.player_id, "player_name": r.player_name,
                    "system": r.system, "model_version": r.model_version, "line": r.line,
                    "line_source": r.line_source, "line_snapshot_time": r.line_snapshot_time,
                    "predicted_points": r.predicted_points, "edge": r.edge,
                    "recommendation": r.recommendation, "confidence": r.confidence,
                    "over_price": r.over_price, "under_price": r.under_price,
                    "feature_hash": r.feature_hash,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else if rows.is_empty() {
        println!("no predictions for {date}");
    } else {
        print!("{}", predictions_table(&rows));
    }
    Ok(())
}

/// One line on the raw store: where it is and whether it answers, or why not.
pub async fn raw_store_health(config: &nbaprops_activities::DepsConfig) -> String {
    let opened = nbaprops_activities::storage::RawStore::open(
        &config.raw_store_url,
        &config.raw_store_options,
    );
    let checked = match opened {
        Ok(store) => store.check().await,
        Err(e) => Err(e),
    };
    match checked {
        Ok(()) => format!("raw store {}: ok", config.raw_store_url),
        Err(e) => format!(
            "raw store {}: UNAVAILABLE: {e} (docs/runbook.md, \"The raw store is broken\")",
            config.raw_store_url
        ),
    }
}

/// The day workflow, its children, the run history and alerts, and the warehouse's rows for a
/// date.
/// Without a client (Temporal unreachable: `unreachable` says why) the warehouse part alone.
pub async fn status(
    client: std::result::Result<&Client, &str>,
    warehouse: &Warehouse,
    date: &str,
) -> Result<String> {
    nbaprops_proto::validate_game_date(date).map_err(anyhow::Error::msg)?;
    let id = ids::day_workflow_id(date);
    let mut out = String::new();
    let client = match client {
        Ok(client) => client,
        Err(unreachable) => {
            out.push_str(&format!(
                "{id}: Temporal is not reachable ({unreachable}); the warehouse's part follows\n"
            ));
            return Ok(out + &warehouse_status(warehouse, date).await?);
        }
    };
    let handle = client.get_workflow_handle::<DayWorkflow>(&id);
    match handle.describe(WorkflowDescribeOptions::default()).await {
        Ok(d) => {
            out.push_str(&format!("{id}: {:?} (run {})\n", d.status(), d.run_id()));
            let children: Vec<temporalio_client::WorkflowExecution> = client
                .list_workflows(
                    format!("WorkflowId STARTS_WITH '{id}-'"),
                    WorkflowListOptions::default(),
                )
                .try_collect()
                .await
                .unwrap_or_default();
            let mut children: Vec<(String, String)> = children
                .iter()
                .map(|c| (c.id().to_string(), format!("{:?}", c.status())))
                .collect();
            children.sort();
            children.dedup_by(|a, b| a.0 == b.0);
            for (cid, st) in children {
                out.push_str(&format!("  {cid}: {st}\n"));
            }
        }
        Err(e) => out.push_str(&format!("{id}: not found in Temporal ({e})\n")),
    }
    out.push_str(&warehouse_status(warehouse, date).await?);
    Ok(out)
}

/// The run history, alerts and rows of a date, from the warehouse alone.
async fn warehouse_status(warehouse: &Warehouse, date: &str) -> Result<String> {
    let mut out = String::new();
    let runs = run_history::of_game_date(warehouse, date)
        .await
        .with_context(|| format!("reading the run history of {date}"))?;
    let alerts = alerts::of_date(warehouse, date)
        .await
        .with_context(|| format!("reading the alerts of {date}"))?;
    out.push_str(&format_run_history(&runs, &alerts));
    out.push_str("warehouse rows written for this day (each processor's own data date):\n");
    for spec in nbaprops_proto::registry::specs()
        .into_iter()
        .filter(|s| (Phase::Raw.number()..=Phase::Precompute.number()).contains(&s.phase))
    {
        let data_date = nbaprops_activities::runner::data_date(&spec, date)?;
        let Some(def) = nbaprops_activities::catalog::processor(spec.name).and_then(|p| p.table)
        else {
            continue;
        };
        let n = warehouse.count_partition(def, &data_date).await?;
        out.push_str(&format!(
            "  phase {} {:<28} {data_date}  {n}\n",
            spec.phase, def.name
        ));
    }
    let (live, superseded) = prediction_counts(warehouse, date).await?;
    out.push_str(&format!(
        "  {:<28} {live} live, {superseded} superseded\n",
        "predictions"
    ));
    Ok(out)
}
