//! InjuryWatchWorkflow's look at the official injury report: the newest report of the date
//! published by the watch's time, diffed per player against what the day already knows.
//!
//! What the day knows is the latest entry of each player before any tip-off, from the reports
//! its runs kept (`raw_nbac_injury_report`) and the updates signalled to it
//! (`raw_injury_updates`): the same view the upcoming contexts read. Each player's entry is
//! reduced to a hash of what the pipeline uses (his status); a player whose hash differs, or
//! who is new on the report, is a change. The watch keeps no state of its own: once the day
//! has applied an update, the next look finds nothing to say; an update still queued at the
//! day is signalled again and is a no-op there (the same payload). A player the name registry
//! cannot resolve is left out with a warning (he has no line to predict).

use std::collections::BTreeMap;

use chrono::{NaiveDateTime, TimeZone};
use chrono_tz::America::New_York;
use nbaprops_proto::{InjuryUpdate, InjuryWatchInput, InjuryWatchResult};

use crate::analytics::upcoming_player_game_context::{injuries_for, latest_statuses, utc_to_et};
use crate::error::Result;
use crate::names::player_lookup;
use crate::sources::{injury_update, nbac_injury_report};
use crate::Deps;

/// The hash of a player's entry: what the pipeline reads of it.
pub fn entry_hash(lookup: &str, status: &str) -> String {
    blake3::hash(format!("{lookup}\u{1f}{}", status.to_ascii_lowercase()).as_bytes())
        .to_hex()
        .to_string()
}

/// The last report hour (Eastern) a watch at `as_of` may read for `date`: None before the date.
fn last_hour(date: &str, as_of: &str) -> Option<u32> {
    if as_of.is_empty() {
        return Some(23);
    }
    let et = utc_to_et(as_of)?;
    let (day, time) = et.split_once('T')?;
    match day.cmp(date) {
        std::cmp::Ordering::Less => None,
        std::cmp::Ordering::Greater => Some(23),
        std::cmp::Ordering::Equal => time[..2].parse().ok(),
    }
}

/// An Eastern report time as UTC RFC 3339.
fn et_to_utc(t: NaiveDateTime) -> Option<String> {
    New_York.from_local_datetime(&t).earliest().map(|t| {
        t.with_timezone(&chrono::Utc)
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    })
}

pub async fn watch(deps: &Deps, req: &InjuryWatchInput) -> Result<InjuryWatchResult> {
    let date = req.game_date.as_str();
    crate::sources::parse_date(date)?;
    let mut out = InjuryWatchResult {
        game_date: date.to_string(),
        ..Default::default()
    };
    let Some(hour) = last_hour(date, &req.as_of) else {
        return Ok(out);
    };
    let Some((_, report)) = nbac_injury_report::fetch_newest(deps, date, hour).await? else {
        return Ok(out);
    };
    // Untimed reports count from their slot's hour.
    let issued = report.report_time_et.or_else(|| {
        crate::sources::parse_date(date)
            .ok()
            .and_then(|d| d.and_hms_opt(hour, 0, 0))
    });
    out.report_time = issued
        .map(|t| t.format("%Y-%m-%dT%H:%M").to_string())
        .unwrap_or_default();
    let report_time_utc = issued.and_then(et_to_utc).unwrap_or_default();

    let known_rows = injuries_for(deps, date).await?;
    let known: BTreeMap<String, String> = latest_statuses(&known_rows, date, "9999-12-31T23:59")
        .into_iter()
        .map(|(lookup, (status, _, _))| {
            let h = entry_hash(&lookup, &status);
            (lookup, h)
        })
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    for e in report.entries.iter().filter(|e| e.game_date == date) {
        let lookup = player_lookup(&e.player_name);
        if !seen.insert(lookup.clone()) {
            continue;
        }
        out.players_on_report += 1;
        let status = e.status.as_str();
        if known.get(&lookup) == Some(&entry_hash(&lookup, status)) {
            continue;
        }
        if injury_update::resolve_player(deps, &lookup)
            .await?
            .is_none()
        {
            tracing::warn!(
                game_date = date,
                player = %e.player_name,
                "injury watch: {} ({status} on the report) matches no player in the registry; not signalled",
                e.player_name
            );
            continue;
        }
        out.changes.push(InjuryUpdate {
            player: lookup,
            status: status.to_string(),
            source: nbac_injury_report::SOURCE.to_string(),
            report_time: report_time_utc.clone(),
            reason: e.reason.clone(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_watch_reads_reports_up_to_its_own_hour() {
        // 16:20 Eastern on the date: the 04PM slot is the newest it may read.
        assert_eq!(last_hour("2025-11-28", "2025-11-28T21:20:00Z"), Some(16));
        assert_eq!(last_hour("2025-11-28", "2025-11-29T03:00:00Z"), Some(22));
        assert_eq!(last_hour("2025-11-28", "2025-11-30T12:00:00Z"), Some(23));
        assert_eq!(last_hour("2025-11-28", "2025-11-27T20:00:00Z"), None);
        assert_eq!(last_hour("2025-11-28", ""), Some(23));
    }

    #[test]
    fn an_entry_hash_depends_on_the_status_only() {
        assert_eq!(entry_hash("a", "Out"), entry_hash("a", "OUT"));
        assert_ne!(entry_hash("a", "Out"), entry_hash("a", "Questionable"));
        assert_ne!(entry_hash("a", "Out"), entry_hash("b", "Out"));
    }
}
