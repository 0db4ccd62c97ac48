//! Connecting to Temporal.

use std::str::FromStr;

use anyhow::{Context, Result};
use temporalio_client::{Client, ClientOptions, Connection, ConnectionOptions, Url};

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
