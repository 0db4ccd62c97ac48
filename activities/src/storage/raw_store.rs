//! The raw payload store: every fetched body, content-addressed, through `object_store`: a
//! local folder by default, an S3 bucket when `NBAPROPS_RAW_STORE_URL` names one, so a worker
//! on another machine reads what one wrote. Model artifacts are kept in it too.
//!
//! Keys are `{source}/{date}/{request_key}/{blake3}.json`: the same payload is stored once, and
//! a changed payload gets a new key without overwriting the old one. Bad payloads are kept the
//! same way under `quarantine/`.

use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::prefix::PrefixStore;
use object_store::RetryConfig;
use object_store::{ObjectStore, PutMode, PutOptions, PutPayload};

use crate::error::{PipelineError, Result};

#[derive(Clone, Debug)]
pub struct RawStore {
    store: Arc<dyn ObjectStore>,
    /// Where the store is (`file:///…`, `s3://bucket/prefix`), for errors.
    location: Arc<str>,
}

/// Where a payload was kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPayload {
    pub key: String,
    pub blake3: String,
    pub bytes: u32,
    /// False when an identical payload was already there.
    pub newly_written: bool,
}

impl RawStore {
    /// A raw store in a local folder (created if missing).
    pub fn local(root: &Path) -> Result<Self> {
        if root.exists() && !root.is_dir() {
            return Err(PipelineError::Config(format!(
                "raw store {}: not a folder (a file is in its place)",
                root.display()
            )));
        }
        std::fs::create_dir_all(root).map_err(|e| {
            PipelineError::Config(format!("cannot create raw store {}: {e}", root.display()))
        })?;
        let fs = LocalFileSystem::new_with_prefix(root)?;
        // An absolute path, so a location printed for people (`file:///…`) opens from anywhere.
        let shown = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
        Ok(Self {
            store: Arc::new(fs),
            location: format!("file://{}", shown.display()).into(),
        })
    }

    /// The store a URL names: `file://PATH` (a local folder) or `s3://BUCKET[/PREFIX]`, whose
    /// endpoint, region and credentials come from the environment (`AWS_ENDPOINT_URL`,
    /// `AWS_REGION`, `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_ALLOW_HTTP`; object_store's
    /// names), then from `options` (the same keys in lower case: `aws_endpoint`, …).
    pub fn open(url: &str, options: &[(String, String)]) -> Result<Self> {
        if let Some(path) = url.strip_prefix("file://") {
            return Self::local(Path::new(path));
        }
        let Some(rest) = url.strip_prefix("s3://") else {
            return Err(PipelineError::Config(format!(
                "raw store URL {url:?}: expected file://PATH or s3://BUCKET[/PREFIX]"
            )));
        };
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let prefix = prefix.trim_matches('/');
        if bucket.is_empty() {
            return Err(PipelineError::Config(format!(
                "raw store URL {url:?}: no bucket"
            )));
        }
        // A request is retried for at most 20 s here; past that the activity fails and
        // Temporal's retry policy takes over, visibly, with its own backoff.
        let retry = RetryConfig {
            max_retries: 4,
            retry_timeout: std::time::Duration::from_secs(20),
            ..Default::default()
        };
        let mut builder = AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .with_retry(retry);
        for (key, value) in options {
            let key = key.parse().map_err(|e| {
                PipelineError::Config(format!("raw store {url}: option {key}: {e}"))
            })?;
            builder = builder.with_config(key, value);
        }
        let s3 = builder
            .build()
            .map_err(|e| PipelineError::Config(format!("raw store {url}: {e}")))?;
        let store: Arc<dyn ObjectStore> = if prefix.is_empty() {
            Arc::new(s3)
        } else {
            Arc::new(PrefixStore::new(s3, prefix))
        };
        Ok(Self {
            store,
            location: url.trim_end_matches('/').into(),
        })
    }

    /// Any object store (a bucket, or an in-memory store).
    pub fn new(store: Arc<dyn ObjectStore>) -> Self {
        Self {
            store,
            location: "an object store".into(),
        }
    }

    /// Whether the store answers: lists its top level (a folder that is gone or became a
    /// file, a bucket out of reach or refusing the credentials fail here).
    pub async fn check(&self) -> Result<()> {
        self.store
            .list_with_delimiter(None)
            .await
            .map(|_| ())
            .map_err(|e| self.error("", e))
    }

    /// Where the store is, for messages.
    pub fn location(&self) -> &str {
        &self.location
    }

    /// An object store error with the store and key it happened at.
    fn error(&self, key: &str, source: object_store::Error) -> PipelineError {
        PipelineError::RawStoreAt {
            at: format!("{}/{key}", self.location),
            source,
        }
    }

    /// The underlying object store, for objects kept under keys of their own (model
    /// artifacts: `predict::gbm`).
    pub fn object_store(&self) -> Arc<dyn ObjectStore> {
        Arc::clone(&self.store)
    }

    /// The content-addressed key of a payload.
    pub fn key_for(source: &str, date: &str, request_key: &str, body: &[u8]) -> (String, String) {
        let hash = blake3::hash(body).to_hex().to_string();
        let key = format!("{source}/{date}/{}/{hash}.json", sanitize(request_key));
        (key, hash)
    }

    /// Keeps a payload; a second put of the same bytes is a no-op.
    pub async fn put(
        &self,
        source: &str,
        date: &str,
        request_key: &str,
        body: Bytes,
    ) -> Result<StoredPayload> {
        let (key, hash) = Self::key_for(source, date, request_key, &body);
        self.put_at(key, hash, body).await
    }

    /// Keeps a payload that failed validation under `quarantine/`, so it can be inspected and
    /// replayed once the parser is fixed.
    pub async fn quarantine(
        &self,
        source: &str,
        date: &str,
        request_key: &str,
        body: Bytes,
    ) -> Result<StoredPayload> {
        let (key, hash) = Self::key_for(source, date, request_key, &body);
        self.put_at(format!("quarantine/{key}"), hash, body).await
    }

    async fn put_at(&self, key: String, hash: String, body: Bytes) -> Result<StoredPayload> {
        let len = body.len() as u32;
        let path = ObjectPath::from(key.as_str());
        let opts = PutOptions {
            mode: PutMode::Create,
            ..Default::default()
        };
        let newly_written = match self
            .store
            .put_opts(&path, PutPayload::from(body), opts)
            .await
        {
            Ok(_) => true,
            // Content-addressed: an existing object under this key has these very bytes.
            Err(object_store::Error::AlreadyExists { .. }) => false,
            Err(e) => return Err(self.error(&key, e)),
        };
        Ok(StoredPayload {
            key,
            blake3: hash,
            bytes: len,
            newly_written,
        })
    }

    /// Keeps an object under a name of its own (a date's report), replacing any object under
    /// that name; returns where it is, store and key.
    pub async fn put_replacing(&self, key: &str, body: Bytes) -> Result<String> {
        self.store
            .put(&ObjectPath::from(key), PutPayload::from(body))
            .await
            .map_err(|e| self.error(key, e))?;
        Ok(format!("{}/{key}", self.location))
    }

    /// An object kept under a name of its own; `None` when there is none.
    pub async fn get_named(&self, key: &str) -> Result<Option<Bytes>> {
        match self.store.get(&ObjectPath::from(key)).await {
            Ok(found) => Ok(Some(found.bytes().await.map_err(|e| self.error(key, e))?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(self.error(key, e)),
        }
    }

    /// Whether an object is kept under a name of its own, without reading it.
    pub async fn has_named(&self, key: &str) -> Result<bool> {
        match self.store.head(&ObjectPath::from(key)).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(self.error(key, e)),
        }
    }

    /// Reads a payload back and checks it against the hash in its key.
    pub async fn get(&self, key: &str) -> Result<Bytes> {
        let body = match self.store.get(&ObjectPath::from(key)).await {
            Ok(found) => found.bytes().await.map_err(|e| self.error(key, e))?,
            Err(e) => return Err(self.error(key, e)),
        };
        let expected = key
            .rsplit('/')
            .next()
            .and_then(|f| f.strip_suffix(".json"))
            .unwrap_or_default();
        let actual = blake3::hash(&body).to_hex().to_string();
        if actual != expected {
            return Err(PipelineError::Internal(format!(
                "raw store object {key} does not match its hash (got {actual})"
            )));
        }
        Ok(body)
    }
}

/// Keeps request keys to one safe path segment.
fn sanitize(request_key: &str) -> String {
    let s: String = request_key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() {
        "all".to_string()
    } else {
        s
    }
}

/// One kept payload's row in `raw_payloads`, the warehouse's index of the raw store.
pub struct PayloadRecord<'a> {
    pub stored: &'a StoredPayload,
    pub source: &'a str,
    pub data_date: &'a str,
    pub request_key: &'a str,
    /// Where it came from: the URL, `file://…`, `signal://…`.
    pub url: &'a str,
    /// `ok`, or why it was quarantined.
    pub status: &'a str,
    pub reason: Option<&'a str>,
    /// UTC RFC 3339, whole seconds.
    pub first_seen_at: &'a str,
}

/// Indexes a kept payload in `raw_payloads`; a payload already indexed keeps its first row
/// (its `first_seen_at` says when it was first kept).
pub async fn record_payload(
    warehouse: &crate::storage::Warehouse,
    rec: &PayloadRecord<'_>,
) -> Result<()> {
    let sql = super::sql::Sql::new(
        "INSERT INTO raw_payloads (object_key, source, data_date, request_key, blake3, bytes, url, \
         status, reason, first_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (object_key) DO NOTHING",
    )
    .bind(&rec.stored.key)
    .bind(rec.source)
    .bind(rec.data_date)
    .bind(rec.request_key)
    .bind(&rec.stored.blake3)
    .bind(rec.stored.bytes as i64)
    .bind(rec.url)
    .bind(rec.status)
    .bind(rec.reason)
    .bind(rec.first_seen_at);
    warehouse.execute(&sql).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn same_payload_is_stored_once_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let store = RawStore::local(dir.path()).unwrap();
        let a = store
            .put(
                "nbac_schedule",
                "2025-11-28",
                "all",
                Bytes::from_static(b"{\"a\":1}"),
            )
            .await
            .unwrap();
        assert!(a.newly_written);
        let b = store
            .put(
                "nbac_schedule",
                "2025-11-28",
                "all",
                Bytes::from_static(b"{\"a\":1}"),
            )
            .await
            .unwrap();
        assert!(!b.newly_written);
        assert_eq!(a.key, b.key);
        assert!(a.key.starts_with("nbac_schedule/2025-11-28/all/"));
        assert_eq!(&store.get(&a.key).await.unwrap()[..], b"{\"a\":1}");
        let c = store
            .put(
                "nbac_schedule",
                "2025-11-28",
                "all",
                Bytes::from_static(b"{\"a\":2}"),
            )
            .await
            .unwrap();
        assert_ne!(a.key, c.key, "a changed payload gets its own key");
    }

    #[tokio::test]
    async fn quarantined_payloads_are_kept_apart() {
        let dir = tempfile::tempdir().unwrap();
        let store = RawStore::local(dir.path()).unwrap();
        let q = store
            .quarantine(
                "oddsa_player_props",
                "2025-11-28",
                "ev/1",
                Bytes::from_static(b"<html>"),
            )
            .await
            .unwrap();
        assert!(q
            .key
            .starts_with("quarantine/oddsa_player_props/2025-11-28/ev_1/"));
        assert_eq!(&store.get(&q.key).await.unwrap()[..], b"<html>");
    }
}
