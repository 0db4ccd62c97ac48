//! Phase 2: raw processors. One per source: parse the kept payloads of a date with the
//! source's parser and replace the date's partition of the source's table.

pub mod nbac_player_boxscores;
pub mod nbac_schedule;
pub mod oddsa_player_props;

use nbaprops_proto::{ProcessorRequest, RawPayloadRef};

use crate::error::{PipelineError, Result};
use crate::hashing;

/// The payloads of one source in a request, or a clear error naming what is missing.
pub fn payloads_of<'a>(
    req: &'a ProcessorRequest,
    source: &str,
    date: &str,
) -> Result<Vec<&'a RawPayloadRef>> {
    let found: Vec<&RawPayloadRef> = req
        .raw_payloads
        .iter()
        .filter(|p| p.source == source)
        .collect();
    if found.is_empty() {
        return Err(PipelineError::InvalidRequest(format!(
            "{}: no {source} payload for {date} in the request (did Phase 1 run?)",
            req.processor
        )));
    }
    Ok(found)
}

/// The input hash of a raw processor: its payloads' content hashes.
pub fn payload_hash(payloads: &[&RawPayloadRef]) -> String {
    hashing::combine(payloads.iter().map(|p| p.blake3.as_str()))
}

/// The stored bytes of a payload, re-parsed: a payload that passed Phase 1 cannot fail here
/// unless the parser changed, which is a bug, not bad input.
pub fn reparse<T>(parsed: std::result::Result<T, String>, payload: &RawPayloadRef) -> Result<T> {
    parsed.map_err(|reason| {
        PipelineError::Internal(format!(
            "payload {} passed Phase 1 but no longer parses: {reason}",
            payload.object_key
        ))
    })
}
