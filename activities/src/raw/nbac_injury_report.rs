//! `raw_nbac_injury_report`: every entry of every official injury report published on a date.
//!
//! The report is republished through the day (hourly files). Each report's time is part of the
//! key, so a later report adds rows beside the earlier ones instead of overwriting them: the
//! partition is rebuilt from every report kept for the date, and "what did we know at the
//! cut-off" stays answerable.

use std::collections::BTreeMap;

use nbaprops_proto::{ProcessorRequest, ProcessorResult};

use super::Keep;
use crate::error::Result;
use crate::names::player_lookup;
use crate::sources::nbac_injury_report::{self, InjuryEntry};
use crate::storage::warehouse::WriteMeta;
use crate::Deps;

pub const NAME: &str = "raw_nbac_injury_report";

crate::warehouse_table! {
    pub struct InjuryReportRow in "raw_nbac_injury_report" {
        partition: report_date,
        key: [report_time, game_date, team, player_lookup],
        entities: [(player_lookup, Player)],
        mode: Replace,
    } {
        report_date: String,
        report_time: String,
        report_slot: String,
        game_date: String,
        game_time_et: String,
        matchup: String,
        team: String,
        player_name: String,
        player_lookup: String,
        status: String,
        reason: String,
    }
}

/// The report time as a key: the time the report states (Eastern, `YYYY-MM-DDTHH:MM`), or the
/// hourly slot it was fetched as when the title could not be read.
pub fn report_time(entry: &InjuryEntry, slot: &str) -> String {
    match entry.report_time_et {
        Some(t) => t.format("%Y-%m-%dT%H:%M").to_string(),
        None => format!("slot:{slot}"),
    }
}

/// Rows of every report: `(slot, entries)` per kept report, oldest first. An entry repeated
/// (the same report kept twice) is one row, the newest reading winning.
pub fn transform(reports: Vec<(String, Vec<InjuryEntry>)>, date: &str) -> Vec<InjuryReportRow> {
    let mut by_key: BTreeMap<(String, String, String, String), InjuryReportRow> = BTreeMap::new();
    for (slot, entries) in reports {
        for e in entries {
            let lookup = player_lookup(&e.player_name);
            let time = report_time(&e, &slot);
            by_key.insert(
                (
                    time.clone(),
                    e.game_date.clone(),
                    e.team.clone(),
                    lookup.clone(),
                ),
                InjuryReportRow {
                    report_date: date.to_string(),
                    report_time: time,
                    report_slot: slot.clone(),
                    game_date: e.game_date,
                    game_time_et: e.game_time_et,
                    matchup: e.matchup,
                    team: e.team,
                    player_name: e.player_name,
                    player_lookup: lookup,
                    status: e.status.as_str().to_string(),
                    reason: e.reason,
                },
            );
        }
    }
    by_key.into_values().collect()
}

pub async fn run(
    deps: &Deps,
    req: &ProcessorRequest,
    date: &str,
    meta: &WriteMeta,
) -> Result<ProcessorResult> {
    let payloads =
        super::payloads_for(deps, req, nbac_injury_report::SOURCE, date, Keep::Every).await?;
    let loaded = super::load_all(deps, &payloads, nbac_injury_report::parse).await?;
    let read = loaded.iter().map(|(_, e)| e.len()).sum();
    let reports = loaded
        .into_iter()
        .map(|(p, entries)| (p.request_key, entries))
        .collect();
    let rows = transform(reports, date);
    let stats = deps
        .warehouse
        .write_partition(date, None, &rows, meta)
        .await?;
    Ok(crate::result::processor_result(
        NAME,
        date,
        read,
        super::payloads_hash(&payloads),
        stats,
        vec![],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raw::test_support as t;
    use crate::storage::TableRow;

    const SAMPLE: &str = "samples/nbac_injury_report/raw_f4391904.pdf";

    #[test]
    fn every_entry_of_the_recorded_report() {
        for (path, body) in t::sample_files("nbac_injury_report") {
            let entries = nbac_injury_report::parse(&body).unwrap();
            let rows = transform(vec![("12PM".into(), entries)], "2024-01-04");
            assert_eq!(rows.len(), 14, "{path}");
            assert!(rows
                .iter()
                .all(|r| r.report_time == "2024-01-04T12:30" && r.report_slot == "12PM"));
            let duke = rows
                .iter()
                .find(|r| r.player_lookup == "davidduke")
                .unwrap();
            assert_eq!(duke.player_name, "David Duke Jr.");
            assert_eq!(
                (duke.team.as_str(), duke.matchup.as_str()),
                ("San Antonio Spurs", "MIL@SAS")
            );
            assert_eq!(
                (duke.status.as_str(), duke.game_date.as_str()),
                ("Out", "2024-01-04")
            );
            let green = rows
                .iter()
                .find(|r| r.player_name == "Draymond Green")
                .unwrap();
            assert_eq!(green.reason, "League Suspension");
            assert_eq!(green.game_time_et, "10:00 (ET)");
            let jackson = rows
                .iter()
                .find(|r| r.player_name == "Reggie Jackson")
                .unwrap();
            assert_eq!(jackson.status, "Probable");
            assert_eq!(jackson.reason, "Injury/Illness - Left Calf; Tightness");
        }
    }

    #[test]
    fn a_later_report_adds_rows() {
        let entries = nbac_injury_report::parse(&t::sample(SAMPLE)).unwrap();
        let mut later = entries.clone();
        for e in &mut later {
            e.report_time_et = e.report_time_et.map(|t| t + chrono::Duration::hours(5));
        }
        later[0].status = nbac_injury_report::InjuryStatus::Out;
        let rows = transform(
            vec![("12PM".into(), entries.clone()), ("05PM".into(), later)],
            "2024-01-04",
        );
        assert_eq!(rows.len(), 28);
        let barlow: Vec<_> = rows
            .iter()
            .filter(|r| r.player_name == "Dominick Barlow")
            .map(|r| (r.report_time.as_str(), r.status.as_str()))
            .collect();
        assert_eq!(
            barlow,
            [
                ("2024-01-04T12:30", "Questionable"),
                ("2024-01-04T17:30", "Out")
            ]
        );
        // A report whose title was unreadable is keyed by its slot.
        let mut untimed = entries;
        untimed[0].report_time_et = None;
        assert_eq!(report_time(&untimed[0], "09AM"), "slot:09AM");
        assert_eq!(InjuryReportRow::TABLE.key_columns[0], "report_time");
    }

    #[tokio::test]
    async fn writing_the_same_report_twice_changes_nothing() {
        let (_d, deps) = t::temp_deps().await;
        let date = "2024-01-04";
        let p = t::keep(
            &deps,
            nbac_injury_report::SOURCE,
            date,
            "12PM",
            t::sample(SAMPLE),
            "2024-01-04T17:31:00Z",
        )
        .await;
        let req = t::request(NAME, date, vec![p.clone()]);
        let first = run(&deps, &req, date, &t::meta()).await.unwrap();
        let again = run(&deps, &req, date, &t::meta()).await.unwrap();
        t::assert_idempotent(&first, &again, 14);
    }
}
