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

/// A client for `address` (host:port, or a URL) in `namespace`, checked with one call.
pub async fn connect(address: &str, namespace: &str) -> Result<Client> {
    let url = if address.contains("://") {
        address.to_string()
    } else {
        format!("http://{address}")
    };
    let conn = Connection::connect(
        ConnectionOptions::new(Url::from_str(&url)?)
            .identity(format!("nbaprops@{}", std::process::id()))
            .build(),
    )
    .await
    .with_context(|| format!("connecting to Temporal at {address}"))?;
    let client = Client::new(conn, ClientOptions::new(namespace.to_string()).build())?;
    client
        .count_workflows("", Default::default())
        .await
        .with_context(|| format!("Temporal at {address} is not ready (namespace {namespace})"))?;
    Ok(client)
}

/// Registers the search attributes every workflow carries (`nbaprops_workflows::search::NAMES`,
/// all Keyword) on the client's namespace when they are missing, and returns the ones it added.
/// Without them a workflow's upsert fails its workflow task, so the worker, the demo and
/// `schedules apply` call this first. An attribute registered with another type is an error.
pub async fn ensure_search_attributes(client: &Client) -> Result<Vec<String>> {
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
    if missing.is_empty() {
        return Ok(vec![]);
    }
    let mut added: Vec<String> = missing.keys().cloned().collect();
    added.sort();
    OperatorService::add_search_attributes(
        &mut client.clone(),
        operator::AddSearchAttributesRequest {
            search_attributes: missing,
            namespace: namespace.clone(),
        }
        .into_request(),
    )
    .await
    .with_context(|| format!("adding search attributes {added:?} to namespace {namespace}"))?;
    Ok(added)
}
