//! The HTTP side of every source: one GET with a timeout and a user agent, the error classified
//! (retryable or not), the body validated by the source's parser and kept in the raw store, or
//! kept under `quarantine/` with the reason when it does not parse.

use bytes::Bytes;
use nbaprops_proto::RawPayloadRef;

use super::{SourceConfig, SourceRequest};
use crate::error::{PipelineError, Result};
use crate::storage::{RawStore, Warehouse};

type HostLimiter = governor::DefaultKeyedRateLimiter<String>;

#[derive(Clone)]
pub struct SourceClient {
    http: reqwest::Client,
    pub config: SourceConfig,
    /// One token bucket per host, shared by every activity of the worker process.
    limiter: Option<std::sync::Arc<HostLimiter>>,
}

impl std::fmt::Debug for SourceClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SourceClient")
            .field("config", &self.config)
            .finish()
    }
}

impl SourceClient {
    pub fn new(config: SourceConfig) -> Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(std::time::Duration::from_secs(5))
            .user_agent(config.user_agent.clone())
            .build()
            .map_err(|e| PipelineError::Internal(format!("HTTP client: {e}")))?;
        let limiter = config
            .requests_per_second_per_host
            .and_then(std::num::NonZeroU32::new)
            .map(|rps| {
                std::sync::Arc::new(governor::RateLimiter::keyed(governor::Quota::per_second(
                    rps,
                )))
            });
        Ok(Self {
            http,
            config,
            limiter,
        })
    }

    /// GETs a request and returns the body, classifying failures.
    pub async fn get(&self, source: &str, date: &str, req: &SourceRequest) -> Result<Bytes> {
        self.get_inner(source, date, req, false)
            .await
            .map(|b| b.expect("only optional gets answer None"))
    }

    /// GETs a document that may not be published (yet): `None` on 403 or 404 (what the static
    /// hosts answer for a file that does not exist), everything else as [`Self::get`].
    pub async fn get_if_published(
        &self,
        source: &str,
        date: &str,
        req: &SourceRequest,
    ) -> Result<Option<Bytes>> {
        self.get_inner(source, date, req, true).await
    }

    async fn get_inner(
        &self,
        source: &str,
        date: &str,
        req: &SourceRequest,
        optional: bool,
    ) -> Result<Option<Bytes>> {
        let unavailable = |reason: String| PipelineError::SourceUnavailable {
            source_name: source.to_string(),
            url: req.display_url(),
            date: date.to_string(),
            reason,
            retry_after: None,
        };
        if let Some(limiter) = &self.limiter {
            limiter.until_key_ready(&req.base_url).await;
        }
        let mut builder = self.http.get(req.url());
        for (name, value) in super::request_headers::for_host(&self.config, &req.base_url) {
            builder = builder.header(name, value);
        }
        let resp = builder
            .send()
            .await
            .map_err(|e| unavailable(describe_reqwest(&e)))?;
        let status = resp.status();
        let retry_after = resp
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = resp.bytes().await.map_err(|e| {
            unavailable(format!(
                "HTTP {status}: body cut off ({})",
                describe_reqwest(&e)
            ))
        })?;
        if status.is_success() {
            return Ok(Some(body));
        }
        if optional && matches!(status.as_u16(), 403 | 404) {
            return Ok(None);
        }
        if status.as_u16() == 429 || status.as_u16() == 408 || status.is_server_error() {
            let hint = retry_after
                .as_ref()
                .map(|s| format!(" (Retry-After: {s})"))
                .unwrap_or_default();
            let mut e = unavailable(format!("HTTP {status}{hint}"));
            if let PipelineError::SourceUnavailable {
                retry_after: wait, ..
            } = &mut e
            {
                *wait = retry_after.as_deref().and_then(parse_retry_after);
            }
            return Err(e);
        }
        Err(PipelineError::BadPayload {
            source_name: source.to_string(),
            url: req.display_url(),
            date: date.to_string(),
            reason: format!("HTTP {status}"),
            quarantine_key: None,
        })
    }
}

/// A `Retry-After` header as a wait: delay-seconds, or an HTTP date (the time left until it;
/// none when it has passed). `None` for anything else.
pub fn parse_retry_after(value: &str) -> Option<std::time::Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(std::time::Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    (at.with_timezone(&chrono::Utc) - chrono::Utc::now())
        .to_std()
        .ok()
}

/// What went wrong with a request, without its URL (which may carry an API key): the kind,
/// then the underlying causes.
fn describe_reqwest(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_body() || e.is_decode() {
        "body cut off"
    } else {
        "request failed"
    };
    let mut causes = Vec::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        causes.push(s.to_string());
        source = s.source();
    }
    if causes.is_empty() {
        kind.to_string()
    } else {
        format!("{kind}: {}", causes.join(": "))
    }
}

/// Validates a fetched body with the source's parser and keeps it: in the raw store when it
/// parses (returning how many records it holds), under `quarantine/` with the reason when not.
pub async fn keep_payload(
    raw: &RawStore,
    warehouse: &Warehouse,
    source: &str,
    date: &str,
    req: &SourceRequest,
    body: Bytes,
    parse: impl Fn(&[u8]) -> std::result::Result<usize, String>,
) -> Result<(RawPayloadRef, usize)> {
    keep_payload_in(raw, warehouse, source, date, date, req, body, parse).await
}

/// [`keep_payload`] for a payload that belongs to a longer stretch than a date: it is stored
/// under `partition` (a season schedule under `season-2024-25`) instead of the date, so the
/// same bytes fetched on every date of the season are stored, and recorded, once. The payload
/// reference still names the date that fetched it; a payload that does not parse is
/// quarantined under its date as usual.
#[allow(clippy::too_many_arguments)]
pub async fn keep_payload_in(
    raw: &RawStore,
    warehouse: &Warehouse,
    source: &str,
    date: &str,
    partition: &str,
    req: &SourceRequest,
    body: Bytes,
    parse: impl Fn(&[u8]) -> std::result::Result<usize, String>,
) -> Result<(RawPayloadRef, usize)> {
    match parse(&body) {
        Ok(records) => {
            let stored = raw.put(source, partition, &req.request_key, body).await?;
            record(warehouse, source, date, req, &stored, "ok", None).await?;
            Ok((
                RawPayloadRef {
                    source: source.to_string(),
                    data_date: date.to_string(),
                    object_key: stored.key,
                    blake3: stored.blake3,
                    bytes: stored.bytes,
                    request_key: req.request_key.clone(),
                },
                records,
            ))
        }
        Err(reason) => {
            let stored = raw.quarantine(source, date, &req.request_key, body).await?;
            record(
                warehouse,
                source,
                date,
                req,
                &stored,
                "quarantined",
                Some(&reason),
            )
            .await?;
            Err(PipelineError::BadPayload {
                source_name: source.to_string(),
                url: req.display_url(),
                date: date.to_string(),
                reason,
                quarantine_key: Some(stored.key),
            })
        }
    }
}

async fn record(
    warehouse: &Warehouse,
    source: &str,
    date: &str,
    req: &SourceRequest,
    stored: &crate::storage::raw_store::StoredPayload,
    status: &str,
    reason: Option<&str>,
) -> Result<()> {
    let url = req.display_url();
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    crate::storage::raw_store::record_payload(
        warehouse,
        &crate::storage::raw_store::PayloadRecord {
            stored,
            source,
            data_date: date,
            request_key: &req.request_key,
            url: &url,
            status,
            reason,
            first_seen_at: &now,
        },
    )
    .await
}

/// Phase 1 for sources asked once per item (a game, an event): GET each request, keep each
/// body with the source's parser (which counts its records), warn for items that answered
/// with no records yet, and sum it all into one `ScrapeResult`.
pub async fn fetch_each(
    deps: &crate::Deps,
    source: &str,
    date: &str,
    requests: Vec<SourceRequest>,
    count: impl Fn(&[u8]) -> std::result::Result<usize, String>,
    empty_warning: impl Fn(&SourceRequest) -> String,
) -> Result<nbaprops_proto::ScrapeResult> {
    super::parse_date(date)?;
    let mut payloads = Vec::with_capacity(requests.len());
    let mut records = 0usize;
    let mut warnings = Vec::new();
    for req in requests {
        let body = deps.sources.get(source, date, &req).await?;
        let (payload, n) =
            keep_payload(&deps.raw, &deps.warehouse, source, date, &req, body, &count).await?;
        if n == 0 {
            warnings.push(empty_warning(&req));
        }
        payloads.push(payload);
        records += n;
    }
    Ok(nbaprops_proto::ScrapeResult {
        source: source.to_string(),
        payloads,
        records_seen: records as u32,
        warnings,
    })
}

/// The first bytes of a body that is not JSON, for error messages.
pub fn not_json_reason(body: &[u8]) -> Option<String> {
    let start = body.iter().position(|b| !b.is_ascii_whitespace())?;
    match body[start] {
        b'{' | b'[' => None,
        b'<' => Some("expected JSON, got an HTML page".to_string()),
        _ => Some(format!(
            "expected JSON, got {:?}",
            String::from_utf8_lossy(&body[start..body.len().min(start + 40)])
        )),
    }
}

/// The body itself, or its decompressed bytes when it is gzip (recorded samples and some CDN
/// answers are stored compressed). A gzip stream that does not decompress is a truncated body.
pub fn decompress_if_gzip(body: &[u8]) -> std::result::Result<std::borrow::Cow<'_, [u8]>, String> {
    if body.starts_with(&[0x1f, 0x8b]) {
        use std::io::Read;
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(body)
            .read_to_end(&mut out)
            .map_err(|e| format!("gzip body does not decompress (truncated?): {e}"))?;
        Ok(std::borrow::Cow::Owned(out))
    } else {
        Ok(std::borrow::Cow::Borrowed(body))
    }
}

/// Parses JSON (plain or gzip) into `T`, or says what is wrong in a sentence fit for an error.
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> std::result::Result<T, String> {
    let body = decompress_if_gzip(body)?;
    let body: &[u8] = &body;
    if body.iter().all(|b| b.is_ascii_whitespace()) {
        return Err("empty body".to_string());
    }
    if let Some(reason) = not_json_reason(body) {
        return Err(reason);
    }
    serde_json::from_slice(body).map_err(|e| format!("schema mismatch: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn requests_to_one_host_are_paced() {
        let mut config = SourceConfig::replay("http://127.0.0.1:9");
        config.requests_per_second_per_host = Some(5);
        let client = SourceClient::new(config).unwrap();
        let limiter = client.limiter.clone().unwrap();
        let started = std::time::Instant::now();
        for _ in 0..8 {
            limiter.until_key_ready(&"http://a".to_string()).await;
        }
        // A burst of 5, then one every 200 ms: three more take at least ~0.6 s.
        assert!(
            started.elapsed() >= std::time::Duration::from_millis(550),
            "{:?}",
            started.elapsed()
        );
        let other = std::time::Instant::now();
        limiter.until_key_ready(&"http://b".to_string()).await;
        assert!(
            other.elapsed() < std::time::Duration::from_millis(50),
            "hosts are paced apart"
        );
    }

    #[test]
    fn retry_after_is_seconds_or_a_date() {
        use std::time::Duration;
        assert_eq!(parse_retry_after("60"), Some(Duration::from_secs(60)));
        assert_eq!(parse_retry_after(" 5 "), Some(Duration::from_secs(5)));
        let later = (chrono::Utc::now() + chrono::Duration::seconds(120)).to_rfc2822();
        let wait = parse_retry_after(&later).unwrap();
        assert!(
            wait > Duration::from_secs(100) && wait <= Duration::from_secs(120),
            "{wait:?}"
        );
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn gzip_bodies_parse_like_plain_ones() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(br#"{"a": 1}"#).unwrap();
        let bytes = gz.finish().unwrap();
        let v: serde_json::Value = parse_json(&bytes).unwrap();
        assert_eq!(v["a"], 1);
        assert!(parse_json::<serde_json::Value>(&bytes[..bytes.len() / 2])
            .unwrap_err()
            .contains("truncated"));
    }

    #[test]
    fn html_and_empty_bodies_are_named() {
        assert!(parse_json::<serde_json::Value>(b"  <!DOCTYPE html>")
            .unwrap_err()
            .contains("HTML"));
        assert_eq!(
            parse_json::<serde_json::Value>(b"").unwrap_err(),
            "empty body"
        );
    }
}
