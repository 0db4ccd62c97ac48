//! Artifacts in the object store, kept content-addressed under [`super::artifact::object_key`].

use bytes::Bytes;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, PutMode, PutOptions, PutPayload};

use super::artifact::content_hash;
use crate::error::Result;
use crate::Deps;

/// Keeps the bytes at `key` unless an intact copy is already there (a damaged one is replaced).
pub(super) async fn put(deps: &Deps, key: &str, hash: &str, body: Bytes) -> Result<()> {
    let store = deps.raw.object_store();
    let path = ObjectPath::from(key);
    let create = PutOptions {
        mode: PutMode::Create,
        ..Default::default()
    };
    match store
        .put_opts(&path, PutPayload::from(body.clone()), create)
        .await
    {
        Ok(_) => Ok(()),
        Err(object_store::Error::AlreadyExists { .. }) => {
            let existing = store.get(&path).await?.bytes().await?;
            if content_hash(&existing) != hash {
                tracing::warn!(key, "replacing a damaged model artifact");
                store.put(&path, PutPayload::from(body)).await?;
            }
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}

/// The bytes at `key`; `None` when nothing is there.
pub(super) async fn get(deps: &Deps, key: &str) -> Result<Option<Bytes>> {
    match deps.raw.object_store().get(&ObjectPath::from(key)).await {
        Ok(got) => Ok(Some(got.bytes().await?)),
        Err(object_store::Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}
