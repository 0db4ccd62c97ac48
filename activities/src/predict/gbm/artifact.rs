//! A model's artifact: its canonical bytes, their hash, and the names derived from the hash.

use super::model::GbmModel;
use super::{ARTIFACT_FORMAT, SYSTEM};
use crate::error::{PipelineError, Result};

/// The artifact's bytes (canonical JSON: same model, same bytes).
pub fn to_bytes(model: &GbmModel) -> Result<Vec<u8>> {
    serde_json::to_vec(model).map_err(|e| {
        PipelineError::Internal(format!(
            "{SYSTEM} model artifact for {}: cannot serialise: {e}",
            model.trained_for
        ))
    })
}

/// A model back from its artifact's bytes.
pub fn from_bytes(bytes: &[u8]) -> Result<GbmModel> {
    let bad = |reason: String| {
        PipelineError::Internal(format!("bad model artifact ({SYSTEM}): {reason}"))
    };
    let model: GbmModel = serde_json::from_slice(bytes)
        .map_err(|e| bad(format!("not a {ARTIFACT_FORMAT} artifact: {e}")))?;
    if model.format != ARTIFACT_FORMAT {
        return Err(bad(format!(
            "format {:?}, this code reads {ARTIFACT_FORMAT:?}",
            model.format
        )));
    }
    if model.feature_names.is_empty() || model.booster.trees.is_empty() {
        return Err(bad("no features or no trees".to_string()));
    }
    Ok(model)
}

/// The hex blake3 of an artifact's bytes (the same hash the raw store keys payloads by).
pub fn content_hash(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
}

/// `gbm-<first 12 hex of the hash>`.
pub fn model_version(content_hash: &str) -> String {
    format!("{SYSTEM}-{}", &content_hash[..12.min(content_hash.len())])
}

/// Where an artifact's bytes are kept in the object store.
pub fn object_key(content_hash: &str) -> String {
    format!("models/{SYSTEM}/{content_hash}.bin")
}
