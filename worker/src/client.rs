//! Connecting to Temporal.

use std::str::FromStr;

use anyhow::{Context, Result};
use temporalio_client::grpc::OperatorService;
use temporalio_client::tonic::IntoRequest;
use temporalio_client::{
    Client, ClientOptions, Connection, ConnectionOptions, NamespacedClient, Url,
};
use temporalio_common::protos::temporal::api::enums::v1::IndexedValueType;
use temporalio_common::protos::temporal::api::operatorservice::v1 as operator;
use temporalio_common::telemetry::metrics::TemporalMeter;

/// A client for `address` (host:port, or a URL) in `namespace`, checked with one call.
pub async fn connect(address: &str, namespace: &str) -> Result<Client> {
    connect_measured(address, namespace, None).await
}

/// [`connect`], recording its requests to the server on `meter` when there is one (the
/// worker's `/metrics`).
pub async fn connect_measured(
    address: &str,
    namespace: &str,
    meter: Option<TemporalMeter>,
) -> Result<Client> {
    let mut options = connection_options(address)?;
    options.identity = identity();
    options.metrics_meter = meter;
    let conn = Connection::connect(options)
        .await
        .with_context(|| format!("connecting to Temporal at {address}"))?;
    let client = Client::new(conn, ClientOptions::new(namespace.to_string()).build())?;
    client
        .count_workflows("", Default::default())
        .await
        .with_context(|| format!("Temporal at {address} is not ready (namespace {namespace})"))?;
    Ok(client)
}

/// This process's identity in Temporal (the Web UI's "identity" of every poll and task):
/// `host:pid`, so workers in containers on many machines tell apart.
pub fn identity() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| {
            std::fs::read_to_string("/proc/sys/kernel/hostname")
                .ok()
                .map(|h| h.trim().to_string())
        })
        .unwrap_or_else(|| "unknown-host".to_string());
    format!("{host}:{}", std::process::id())
}

/// The connection to `address`, with TLS and an API key from Temporal's environment
/// configuration: the `TEMPORAL_TLS_*` and `TEMPORAL_API_KEY` variables, or a profile of a
/// `temporal.toml` (`TEMPORAL_CONFIG_FILE`, `TEMPORAL_PROFILE`), as every Temporal SDK and the
/// CLI read them. With TLS on, an address without a scheme is dialled over https.
pub fn connection_options(address: &str) -> Result<ConnectionOptions> {
    let (mut options, _) = ClientOptions::load_from_config(Default::default()).map_err(|e| {
        anyhow::anyhow!(
            "reading Temporal's environment configuration (TEMPORAL_* variables, \
             temporal.toml): {e:?}"
        )
    })?;
    let url = if address.contains("://") {
        address.to_string()
    } else if options.tls_options.is_some() {
        format!("https://{address}")
    } else {
        format!("http://{address}")
    };
    options.target = Url::from_str(&url).with_context(|| format!("Temporal address {address}"))?;
    Ok(options)
}

/// The search attributes of `NAMES` the namespace lacks, as (name, type) to add.
async fn missing_search_attributes(
    client: &Client,
) -> Result<std::collections::HashMap<String, i32>> {
    let namespace = client.namespace();
    let listed = OperatorService::list_search_attributes(
        &mut client.clone(),
        operator::ListSearchAttributesRequest {
            namespace: namespace.clone(),
        }
        .into_request(),
    )
    .await
    .with_context(|| format!("listing the search attributes of namespace {namespace}"))?
    .into_inner();
    let mut missing = std::collections::HashMap::new();
    for name in nbaprops_workflows::search::NAMES {
        match listed.custom_attributes.get(name) {
            Some(t) if *t == IndexedValueType::Keyword as i32 => {}
            Some(t) => anyhow::bail!(
                "search attribute {name} of namespace {namespace} has type {t}, not Keyword: \
                 remove it (temporal operator search-attribute remove --name {name}) and rerun"
            ),
            None => {
                missing.insert(name.to_string(), IndexedValueType::Keyword as i32);
            }
        }
    }
    Ok(missing)
}

/// Registers the search attributes every workflow carries (`nbaprops_workflows::search::NAMES`,
/// all Keyword) on the client's namespace when they are missing, and returns the ones it added.
/// Without them a workflow's upsert fails its workflow task, so the worker, the demo and
/// `schedules apply` call this first. An attribute registered with another type is an error.
pub async fn ensure_search_attributes(client: &Client) -> Result<Vec<String>> {
    let namespace = client.namespace();
    let missing = missing_search_attributes(client).await?;
    if missing.is_empty() {
        return Ok(vec![]);
    }
    let mut added: Vec<String> = missing.keys().cloned().collect();
    added.sort();
    let adding = OperatorService::add_search_attributes(
        &mut client.clone(),
        operator::AddSearchAttributesRequest {
            search_attributes: missing,
            namespace: namespace.clone(),
        }
        .into_request(),
    )
    .await;
    if let Err(e) = adding {
        // Another worker starting at the same time may have added them first: what counts is
        // that they are there now, with the right type.
        if e.code() == temporalio_client::tonic::Code::AlreadyExists
            && missing_search_attributes(client).await?.is_empty()
        {
            return Ok(vec![]);
        }
        return Err(e).with_context(|| {
            format!("adding search attributes {added:?} to namespace {namespace}")
        });
    }
    Ok(added)
}
