//! Phase 2: raw processors. One per source: parse the kept payloads of a date with the
//! source's parser and replace the date's partition of the source's table.

pub mod bdl_box_scores;
pub mod bdl_injuries;
pub mod bp_player_props;
pub mod espn_rosters;
pub mod espn_scoreboard;
pub mod historical_player_game_logs;
pub mod historical_points_lines;
pub mod historical_team_games;
pub mod injury_updates;
pub mod nbac_injury_report;
pub mod nbac_play_by_play;
pub mod nbac_player_boxscores;
pub mod nbac_player_list;
pub mod nbac_schedule;
pub mod nbac_schedule_api;
pub mod nbac_team_boxscores;
pub mod oddsa_game_lines;
pub mod oddsa_player_props;

/// The Phase 2 processors, by registry name.
pub const PROCESSORS: &[crate::entry::Processor] = &[
    crate::processor_entry!(nbac_schedule, nbac_schedule::ScheduleRow),
    crate::processor_entry!(nbac_player_boxscores, nbac_player_boxscores::BoxScoreRow),
    crate::processor_entry!(oddsa_player_props, oddsa_player_props::PropLineRow),
    crate::processor_entry!(nbac_schedule_api, nbac_schedule_api::ScheduleApiRow),
    crate::processor_entry!(nbac_team_boxscores, nbac_team_boxscores::TeamBoxRow),
    crate::processor_entry!(nbac_play_by_play, nbac_play_by_play::PbpPlayerRow),
    crate::processor_entry!(nbac_injury_report, nbac_injury_report::InjuryReportRow),
    crate::processor_entry!(injury_updates, injury_updates::InjuryUpdateRow),
    crate::processor_entry!(nbac_player_list, nbac_player_list::PlayerListRow),
    crate::processor_entry!(oddsa_game_lines, oddsa_game_lines::GameLineRow),
    crate::processor_entry!(bp_player_props, bp_player_props::BpPropRow),
    crate::processor_entry!(espn_scoreboard, espn_scoreboard::EspnGameRow),
    crate::processor_entry!(espn_rosters, espn_rosters::EspnRosterRow),
    crate::processor_entry!(bdl_box_scores, bdl_box_scores::BdlBoxRow),
    crate::processor_entry!(bdl_injuries, bdl_injuries::BdlInjuryRow),
    crate::processor_entry!(
        historical_team_games,
        historical_team_games::HistTeamGameRow
    ),
    crate::processor_entry!(
        historical_player_game_logs,
        historical_player_game_logs::HistPlayerLogRow
    ),
    crate::processor_entry!(
        historical_points_lines,
        historical_points_lines::HistPointsLineRow
    ),
];

#[cfg(test)]
pub(crate) mod test_support;

use std::collections::BTreeMap;

use nbaprops_proto::{ProcessorRequest, RawPayloadRef};

use crate::error::{PipelineError, Result};
use crate::hashing;
use crate::Deps;

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

/// Which kept payloads of a (source, date) a processor reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// The newest payload of each request key (one game, one team, one page, one file): what
    /// the source says now. A request's own payloads win when it carries any.
    NewestPerRequestKey,
    /// Every payload ever kept for the date plus the request's own (line snapshots, hourly
    /// injury reports): nothing scraped earlier in the day is lost.
    Every,
}

/// The `ok` payloads the `raw_payloads` table holds for (source, date), oldest first (by
/// `first_seen_at`, then key), narrowed by `keep`. A backfill re-runs Phase 2 from these
/// without scraping; historical imports are only ever found here.
pub async fn kept_payloads(
    deps: &Deps,
    source: &str,
    date: &str,
    keep: Keep,
) -> Result<Vec<RawPayloadRef>> {
    let kept = crate::storage::queries::raw::kept(&deps.warehouse, source, date).await?;
    let refs = kept
        .into_iter()
        .map(|(object_key, request_key, blake3, bytes)| RawPayloadRef {
            source: source.to_string(),
            data_date: date.to_string(),
            object_key,
            blake3,
            bytes: bytes as u32,
            request_key,
        });
    Ok(match keep {
        Keep::Every => refs.collect(),
        Keep::NewestPerRequestKey => {
            // Oldest first, so the last one seen per key is the newest; output by key.
            let mut newest: BTreeMap<String, RawPayloadRef> = BTreeMap::new();
            for r in refs {
                newest.insert(r.request_key.clone(), r);
            }
            newest.into_values().collect()
        }
    })
}

/// The payloads a raw processor reads: the request's own (what Phase 1 scraped this run) and,
/// per `keep`, the payloads kept earlier for the date. When the request carries none (a
/// backfill, a historical import, a manual re-run) the kept ones alone. No payload anywhere is
/// `PipelineError::NoPayloads`, which the runner reports as an empty run that wrote nothing.
pub async fn payloads_for(
    deps: &Deps,
    req: &ProcessorRequest,
    source: &str,
    date: &str,
    keep: Keep,
) -> Result<Vec<RawPayloadRef>> {
    let requested: Vec<RawPayloadRef> = req
        .raw_payloads
        .iter()
        .filter(|p| p.source == source && (p.data_date.is_empty() || p.data_date == date))
        .cloned()
        .collect();
    let out = match keep {
        Keep::NewestPerRequestKey if !requested.is_empty() => requested,
        Keep::NewestPerRequestKey => kept_payloads(deps, source, date, keep).await?,
        Keep::Every => {
            let mut all = kept_payloads(deps, source, date, keep).await?;
            for r in requested {
                if !all.iter().any(|k| k.object_key == r.object_key) {
                    all.push(r);
                }
            }
            all
        }
    };
    if out.is_empty() {
        return Err(PipelineError::NoPayloads {
            processor: req.processor.clone(),
            source_name: source.to_string(),
            date: date.to_string(),
        });
    }
    Ok(out)
}

/// Reads and re-parses every payload with the source's parser.
pub async fn load_all<T>(
    deps: &Deps,
    payloads: &[RawPayloadRef],
    parse: impl Fn(&[u8]) -> std::result::Result<T, String>,
) -> Result<Vec<(RawPayloadRef, T)>> {
    let mut out = Vec::with_capacity(payloads.len());
    for p in payloads {
        let body = deps.raw.get(&p.object_key).await?;
        out.push((p.clone(), reparse(parse(&body), p)?));
    }
    Ok(out)
}

/// The input hash of a list of owned payload refs.
pub fn payloads_hash(payloads: &[RawPayloadRef]) -> String {
    hashing::combine(payloads.iter().map(|p| p.blake3.as_str()))
}

/// The rows of one historical-import kind for a date: every file imported for the date (one
/// payload per file and date; the newest per file), re-parsed. Historical imports never come
/// in a request: `nbaprops import` keeps them in the raw store, so they are read from there.
/// Rows that several files hold (same key) are read once, from the file imported last.
/// A payload of another kind under the source is an error (the import names the source after
/// the kind it detected).
pub async fn historical_rows(
    deps: &Deps,
    req: &ProcessorRequest,
    kind: crate::sources::historical_import::HistoryKind,
    date: &str,
) -> Result<(
    Vec<RawPayloadRef>,
    Vec<crate::sources::historical_import::HistoryRow>,
)> {
    use crate::sources::historical_import;
    let mut payloads =
        payloads_for(deps, req, kind.source(), date, Keep::NewestPerRequestKey).await?;
    // Files in the order they were imported: when two cover the same row (a player's game, a
    // team's game, a line snapshot), the file imported last wins.
    let order: Vec<String> = kept_payloads(deps, kind.source(), date, Keep::Every)
        .await?
        .into_iter()
        .map(|p| p.object_key)
        .collect();
    payloads.sort_by_key(|p| order.iter().position(|k| *k == p.object_key));
    let loaded = load_all(deps, &payloads, historical_import::parse).await?;
    let mut by_key: BTreeMap<String, usize> = BTreeMap::new();
    let mut rows: Vec<historical_import::HistoryRow> = Vec::new();
    for (p, parsed) in loaded {
        if parsed.kind != kind {
            return Err(PipelineError::Internal(format!(
                "payload {} under {} holds {:?} rows",
                p.object_key,
                kind.source(),
                parsed.kind
            )));
        }
        for (d, (date_rows, _)) in parsed.by_date {
            if d != date {
                continue;
            }
            for row in date_rows {
                match by_key.get(&row.key()) {
                    Some(&i) => rows[i] = row,
                    None => {
                        by_key.insert(row.key(), rows.len());
                        rows.push(row);
                    }
                }
            }
        }
    }
    Ok((payloads, rows))
}

/// How a raw processor of the common shape reads its source: which payloads, which of them, and
/// the source's parser.
pub struct RawSource<P> {
    /// The processor's name (for results and errors).
    pub processor: &'static str,
    pub source: &'static str,
    pub keep: Keep,
    /// Single-request sources: only the newest payload is read (it is the state as it stands).
    pub newest_only: bool,
    /// Request keys kept under the same source that this processor does not read (an events
    /// list beside the odds).
    pub skip: fn(&str) -> bool,
    pub parse: fn(&[u8]) -> std::result::Result<Vec<P>, String>,
}

/// Reads nothing to skip.
pub fn skip_none(_: &str) -> bool {
    false
}

/// The common shape of a raw processor: the source's payloads for the date, parsed and
/// flattened, turned into rows by `transform` (rows and warnings), and the date's partition
/// replaced in one hash-diffed transaction.
pub async fn run_source<P, R, T>(
    deps: &Deps,
    req: &ProcessorRequest,
    date: &str,
    meta: &crate::storage::warehouse::WriteMeta,
    src: RawSource<P>,
    transform: T,
) -> Result<nbaprops_proto::ProcessorResult>
where
    R: crate::storage::TableRow,
    T: FnOnce(Vec<P>, &str) -> (Vec<R>, Vec<String>),
{
    let mut payloads = payloads_for(deps, req, src.source, date, src.keep).await?;
    payloads.retain(|p| !(src.skip)(&p.request_key));
    if src.newest_only && payloads.len() > 1 {
        payloads.drain(..payloads.len() - 1);
    }
    if payloads.is_empty() {
        return Err(PipelineError::NoPayloads {
            processor: src.processor.to_string(),
            source_name: src.source.to_string(),
            date: date.to_string(),
        });
    }
    let loaded = load_all(deps, &payloads, src.parse).await?;
    let records: Vec<P> = loaded.into_iter().flat_map(|(_, r)| r).collect();
    let read = records.len();
    let (rows, warnings) = transform(records, date);
    let stats = deps
        .warehouse
        .write_partition(date, None, &rows, meta)
        .await?;
    Ok(crate::result::processor_result(
        src.processor,
        date,
        read,
        payloads_hash(&payloads),
        stats,
        warnings,
    ))
}

/// Keeps the name registry (`players`) current from a box-score source: (id, name, team, game
/// date) per row. The newest game date wins a player's name and team, so sources and dates can
/// be processed in any order. Every box-score source merges into it (it is the one table with
/// several writers; see the registry's `SHARED_TABLES`).
pub async fn upsert_players(deps: &crate::Deps, rows: &[(i64, &str, &str, &str)]) -> Result<()> {
    let rows: Vec<(i64, &str, String, &str, &str)> = rows
        .iter()
        .map(|&(id, name, team, date)| (id, name, crate::names::player_lookup(name), team, date))
        .collect();
    crate::storage::queries::players::upsert(&deps.warehouse, &rows).await
}

#[cfg(test)]
mod tests {

    use super::test_support as t;
    use super::*;

    const SRC: &str = "nbac_team_boxscore";
    const DATE: &str = "2025-01-15";

    async fn kept(deps: &Deps) -> [RawPayloadRef; 4] {
        let a_old = t::keep(
            deps,
            SRC,
            DATE,
            "game-a",
            b"a1".to_vec(),
            "2025-01-16T10:00:00Z",
        )
        .await;
        let b = t::keep(
            deps,
            SRC,
            DATE,
            "game-b",
            b"b1".to_vec(),
            "2025-01-16T10:00:01Z",
        )
        .await;
        let a_new = t::keep(
            deps,
            SRC,
            DATE,
            "game-a",
            b"a2".to_vec(),
            "2025-01-16T12:00:00Z",
        )
        .await;
        let bad = t::keep_with_status(
            deps,
            SRC,
            DATE,
            "game-c",
            b"<html>".to_vec(),
            "2025-01-16T12:00:01Z",
            "quarantined",
        )
        .await;
        // Another date and another source are never picked up.
        t::keep(
            deps,
            SRC,
            "2025-01-14",
            "game-a",
            b"x".to_vec(),
            "2025-01-15T10:00:00Z",
        )
        .await;
        t::keep(
            deps,
            "bdl_box_scores",
            DATE,
            "all",
            b"y".to_vec(),
            "2025-01-16T10:00:00Z",
        )
        .await;
        [a_old, b, a_new, bad]
    }

    fn keys(refs: &[RawPayloadRef]) -> Vec<&str> {
        refs.iter().map(|r| r.object_key.as_str()).collect()
    }

    #[tokio::test]
    async fn kept_payloads_newest_per_request_key_or_every_one() {
        let (_d, deps) = t::temp_deps().await;
        let [a_old, b, a_new, _bad] = kept(&deps).await;
        let newest = kept_payloads(&deps, SRC, DATE, Keep::NewestPerRequestKey)
            .await
            .unwrap();
        assert_eq!(newest, vec![a_new.clone(), b.clone()]);
        let every = kept_payloads(&deps, SRC, DATE, Keep::Every).await.unwrap();
        assert_eq!(
            keys(&every),
            keys(&[a_old, b, a_new]),
            "oldest first, quarantined left out"
        );
        assert!(kept_payloads(&deps, SRC, "2025-01-13", Keep::Every)
            .await
            .unwrap()
            .is_empty());
    }

    #[tokio::test]
    async fn the_request_wins_and_the_raw_store_fills_in() {
        let (_d, deps) = t::temp_deps().await;
        let [a_old, b, a_new, _bad] = kept(&deps).await;

        // What Phase 1 scraped this run is what a latest-state processor reads.
        let req = t::request("p", DATE, vec![a_old.clone()]);
        let got = payloads_for(&deps, &req, SRC, DATE, Keep::NewestPerRequestKey)
            .await
            .unwrap();
        assert_eq!(got, vec![a_old.clone()]);

        // A request without payloads (a backfill): the newest kept per request key.
        let req = t::request("p", DATE, vec![]);
        let got = payloads_for(&deps, &req, SRC, DATE, Keep::NewestPerRequestKey)
            .await
            .unwrap();
        assert_eq!(got, vec![a_new.clone(), b.clone()]);

        // Snapshot processors read everything kept plus the request's own, each once.
        let fresh = RawPayloadRef {
            source: SRC.into(),
            data_date: DATE.into(),
            object_key: "nbac_team_boxscore/2025-01-15/game-d/zzz.json".into(),
            blake3: "zzz".into(),
            bytes: 1,
            request_key: "game-d".into(),
        };
        let req = t::request("p", DATE, vec![a_new.clone(), fresh.clone()]);
        let got = payloads_for(&deps, &req, SRC, DATE, Keep::Every)
            .await
            .unwrap();
        assert_eq!(keys(&got), keys(&[a_old, b, a_new, fresh]));

        // Nothing anywhere: an error naming the processor, source and date.
        let req = t::request("raw_x", "2025-01-13", vec![]);
        let err = payloads_for(&deps, &req, SRC, "2025-01-13", Keep::Every)
            .await
            .unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("raw_x") && msg.contains(SRC) && msg.contains("2025-01-13"),
            "{msg}"
        );
    }

    /// Every table's declaration (`warehouse_table!`) agrees with the migrated schema: the
    /// same business columns with their declared kinds, the write mode's bookkeeping columns,
    /// and a primary key of the partition column and the key columns. Order is not compared:
    /// a column a later migration adds comes last (reads and writes name their columns).
    #[tokio::test]
    async fn every_table_matches_its_migration() {
        use crate::storage::WriteMode;
        let (_d, deps) = t::temp_deps().await;
        let schema = crate::storage::schema::read(&deps.warehouse).await.unwrap();
        let tables = crate::catalog::tables();
        assert!(tables.len() > 25, "{}", tables.len());
        for def in tables {
            assert_eq!(
                crate::storage::schema::check_table(&schema, def),
                Vec::<String>::new()
            );
            let stored = &schema.tables[def.name];
            let columns: Vec<&str> = stored.columns.iter().map(|c| c.name.as_str()).collect();
            let mut expected: Vec<&str> = def.columns.to_vec();
            match def.mode {
                WriteMode::Replace => {
                    expected.extend(["row_hash", "written_at"]);
                    let mut pk = vec![def.partition_column];
                    pk.extend(def.key_columns);
                    assert_eq!(stored.primary_key, pk, "{}", def.name);
                }
                WriteMode::Supersede => {
                    expected.retain(|c| columns.contains(c));
                    assert_eq!(expected, def.columns.to_vec(), "{}", def.name);
                    continue;
                }
            }
            // A generated stamp (`prediction_grades.graded_at`) may be there too.
            let mut stored: Vec<&str> = columns.clone();
            stored.retain(|c| expected.contains(c));
            stored.sort_unstable();
            expected.sort_unstable();
            assert_eq!(stored, expected, "{}", def.name);
            assert!(
                columns.len() <= expected.len() + 1,
                "{}: {columns:?}",
                def.name
            );
        }
    }
}
