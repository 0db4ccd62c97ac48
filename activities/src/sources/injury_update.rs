//! `injury_update`: injury news pushed to a day by its `injury_update` signal (by hand with
//! `nbaprops signal injury`, or by InjuryWatchWorkflow when the official report changes).
//!
//! Nothing is fetched: the day's `record_injury_updates` activity resolves each update's player
//! against the name registry, normalizes its status and report time, and keeps it in the raw
//! store like any scraped payload (one JSON object per update, content-addressed, so the same
//! update signalled twice is one payload). The Phase 2 processor `raw_injury_updates` reads
//! them from there. An update giving the status the player's latest update already gives is a
//! duplicate: reported, not kept, nothing reruns. An update that names no known player, or an unknown status, is refused
//! with its reason and kept under `quarantine/`.

use bytes::Bytes;
use chrono::{DateTime, SecondsFormat, Utc};
use nbaprops_proto::{InjuryUpdate, InjuryUpdatesResult, RawPayloadRef};
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::names::player_lookup;
use crate::storage::queries::players;
use crate::Deps;

pub const SOURCE: &str = "injury_update";

/// The statuses of the official report, in its spelling.
pub const STATUSES: &[&str] = &["Out", "Doubtful", "Questionable", "Probable", "Available"];

/// A kept update: what was signalled, resolved to a player of the registry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeptUpdate {
    pub game_date: String,
    pub player_id: i64,
    pub player_lookup: String,
    pub player_name: String,
    /// The player's team (tricode) in the registry.
    pub team: String,
    /// One of `STATUSES`.
    pub status: String,
    pub source: String,
    /// UTC, RFC 3339 to the second.
    pub report_time: String,
    pub reason: String,
    /// The player as the signal named him.
    pub player_as_given: String,
}

/// The official spelling of a status ("out", "OUT" → "Out"), or None.
pub fn normalize_status(status: &str) -> Option<&'static str> {
    let s = status.trim();
    STATUSES.iter().copied().find(|k| k.eq_ignore_ascii_case(s))
}

/// An RFC 3339 time as UTC to the second.
pub fn normalize_time(time: &str) -> Option<String> {
    DateTime::parse_from_rfc3339(time.trim()).ok().map(|t| {
        t.with_timezone(&Utc)
            .to_rfc3339_opts(SecondsFormat::Secs, true)
    })
}

/// The registry's player for an id ("2544"), a lookup ("lebronjames") or a name ("LeBron
/// James"): (id, lookup, name, team). None when no player or more than one matches.
pub async fn resolve_player(
    deps: &Deps,
    given: &str,
) -> Result<Option<(i64, String, String, String)>> {
    let given = given.trim();
    let rows: Vec<(i64, String, String, String)> = match given.parse::<i64>() {
        Ok(id) => players::by_id(&deps.warehouse, id).await?,
        Err(_) => players::by_lookup(&deps.warehouse, &player_lookup(given)).await?,
    };
    Ok(match rows.len() {
        1 => rows.into_iter().next(),
        _ => None,
    })
}

/// Validates an update and resolves its player: the kept form, or why it is refused.
async fn check(
    deps: &Deps,
    date: &str,
    u: &InjuryUpdate,
    received_at: &str,
) -> Result<std::result::Result<KeptUpdate, String>> {
    if u.player.trim().is_empty() {
        return Ok(Err("no player named".into()));
    }
    let Some(status) = normalize_status(&u.status) else {
        return Ok(Err(format!(
            "status {:?} is not one of {}",
            u.status,
            STATUSES.join(", ")
        )));
    };
    let time = if u.report_time.trim().is_empty() {
        received_at
    } else {
        u.report_time.as_str()
    };
    let Some(report_time) = normalize_time(time) else {
        return Ok(Err(format!(
            "report time {time:?} is not an RFC 3339 time (2025-11-28T22:30:00Z)"
        )));
    };
    let Some((player_id, lookup, name, team)) = resolve_player(deps, &u.player).await? else {
        return Ok(Err(format!(
            "player {:?} matches no single player in the name registry (`players`): give the \
             NBA person id or the name as the box scores spell it",
            u.player
        )));
    };
    Ok(Ok(KeptUpdate {
        game_date: date.to_string(),
        player_id,
        player_lookup: lookup,
        player_name: name,
        team,
        status: status.to_string(),
        source: match u.source.trim() {
            "" => "manual".to_string(),
            s => s.to_string(),
        },
        report_time,
        reason: u.reason.trim().to_string(),
        player_as_given: u.player.trim().to_string(),
    }))
}

/// Keeps each update of a day in the raw store (and `raw_payloads`), or refuses it with the
/// source, the date and the reason, keeping the refused update under `quarantine/`.
pub async fn keep(
    deps: &Deps,
    date: &str,
    updates: &[InjuryUpdate],
    received_at: &str,
) -> Result<InjuryUpdatesResult> {
    crate::sources::parse_date(date)?;
    let mut out = InjuryUpdatesResult::default();
    // The status each player's latest update gives (earlier batches, then this one).
    let mut latest: std::collections::BTreeMap<i64, String> = std::collections::BTreeMap::new();
    for u in updates {
        match check(deps, date, u, received_at).await? {
            Ok(kept) => {
                let known = match latest.get(&kept.player_id) {
                    Some(s) => Some(s.clone()),
                    None => latest_status(deps, date, kept.player_id).await?,
                };
                if known.as_deref() == Some(kept.status.as_str()) {
                    out.duplicates.push(format!(
                        "{} is already {} on {date}",
                        kept.player_name, kept.status
                    ));
                    continue;
                }
                if let Some(tipoff) = tipoff_of(deps, date, &kept.player_lookup).await? {
                    if kept.report_time >= tipoff {
                        out.rejected.push(format!(
                            "source {SOURCE} for {date}: update {} {} refused: reported at {} \
                             (UTC), at or after his game's tip-off ({tipoff}); it cannot change \
                             a pre-game prediction",
                            u.player, u.status, kept.report_time
                        ));
                        continue;
                    }
                }
                latest.insert(kept.player_id, kept.status.clone());
                let body = serde_json::to_vec(&kept)
                    .map_err(|e| crate::error::PipelineError::Internal(e.to_string()))?;
                let request_key = kept.player_id.to_string();
                let stored = deps
                    .raw
                    .put(SOURCE, date, &request_key, Bytes::from(body))
                    .await?;
                crate::storage::raw_store::record_payload(
                    &deps.warehouse,
                    &crate::storage::raw_store::PayloadRecord {
                        stored: &stored,
                        source: SOURCE,
                        data_date: date,
                        request_key: &request_key,
                        url: &format!("signal://injury_update/{}", kept.source),
                        status: "ok",
                        reason: Some(&format!("{} {}", kept.player_name, kept.status)),
                        first_seen_at: received_at,
                    },
                )
                .await?;
                out.payloads.push(RawPayloadRef {
                    source: SOURCE.to_string(),
                    data_date: date.to_string(),
                    object_key: stored.key,
                    blake3: stored.blake3,
                    bytes: stored.bytes,
                    request_key,
                });
            }
            Err(reason) => {
                let body = serde_json::json!({
                    "player": u.player, "status": u.status, "source": u.source,
                    "report_time": u.report_time, "reason": u.reason,
                });
                let stored = deps
                    .raw
                    .quarantine(SOURCE, date, "refused", Bytes::from(body.to_string()))
                    .await?;
                out.rejected.push(format!(
                    "source {SOURCE} for {date}: update {} {} refused: {reason} (kept at {})",
                    u.player, u.status, stored.key
                ));
            }
        }
    }
    Ok(out)
}

/// A player's tip-off on the date (UTC, RFC 3339), from the sportsbooks' lines: the cut-off
/// after which news cannot reach his prediction (point in time). None without a line.
async fn tipoff_of(deps: &Deps, date: &str, lookup: &str) -> Result<Option<String>> {
    let t = crate::storage::queries::raw::first_lined_tipoff(&deps.warehouse, date, lookup).await?;
    Ok(t.and_then(|t| normalize_time(&t)))
}

/// The status of a player's latest update applied to the date, if any.
async fn latest_status(deps: &Deps, date: &str, player_id: i64) -> Result<Option<String>> {
    crate::storage::queries::raw::latest_injury_status(&deps.warehouse, date, player_id).await
}

/// A kept update's bytes, parsed (the Phase 2 processor's parser).
pub fn parse(body: &[u8]) -> std::result::Result<Vec<KeptUpdate>, String> {
    serde_json::from_slice::<KeptUpdate>(body)
        .map(|u| vec![u])
        .map_err(|e| format!("not a kept injury update: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_times_normalize() {
        assert_eq!(normalize_status(" OUT "), Some("Out"));
        assert_eq!(normalize_status("questionable"), Some("Questionable"));
        assert_eq!(normalize_status("day-to-day"), None);
        assert_eq!(
            normalize_time("2025-11-28T17:30:00-05:00").as_deref(),
            Some("2025-11-28T22:30:00Z")
        );
        assert_eq!(normalize_time("5:30pm"), None);
    }

    #[test]
    fn a_kept_update_round_trips() {
        let u = KeptUpdate {
            game_date: "2025-11-28".into(),
            player_id: 2544,
            player_lookup: "lebronjames".into(),
            player_name: "LeBron James".into(),
            team: "LAL".into(),
            status: "Out".into(),
            source: "manual".into(),
            report_time: "2025-11-28T22:30:00Z".into(),
            reason: String::new(),
            player_as_given: "lebron james".into(),
        };
        let body = serde_json::to_vec(&u).unwrap();
        assert_eq!(parse(&body).unwrap(), vec![u]);
        assert!(parse(b"{}").is_err());
    }
}
