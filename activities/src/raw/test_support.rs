//! What the raw processors' tests share: a throwaway warehouse and raw store, payloads kept
//! the way Phase 1 keeps them, and the idempotence check every processor must pass.

use bytes::Bytes;
use nbaprops_proto::{ProcessorRequest, ProcessorResult, RawPayloadRef, RunContext};

use crate::storage::warehouse::WriteMeta;
use crate::Deps;

/// A recorded sample, read from the shared data folder beside the project.
pub fn sample(path: &str) -> Vec<u8> {
    let full = format!("../../shared/data/{path}");
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// Every file of a samples folder, sorted.
pub fn sample_files(folder: &str) -> Vec<(String, Vec<u8>)> {
    let dir = format!("../../shared/data/samples/{folder}");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{dir} is empty");
    files
        .into_iter()
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect()
}

pub async fn temp_deps() -> (tempfile::TempDir, Deps) {
    let dir = tempfile::tempdir().unwrap();
    let deps = Deps::open(&crate::DepsConfig::under(
        dir.path(),
        crate::sources::SourceConfig::replay("http://127.0.0.1:9"),
    ))
    .await
    .unwrap();
    (dir, deps)
}

/// Keeps a payload as Phase 1 does: in the raw store and in `raw_payloads` (status ok).
pub async fn keep(
    deps: &Deps,
    source: &str,
    date: &str,
    request_key: &str,
    body: Vec<u8>,
    first_seen_at: &str,
) -> RawPayloadRef {
    keep_with_status(deps, source, date, request_key, body, first_seen_at, "ok").await
}

pub async fn keep_with_status(
    deps: &Deps,
    source: &str,
    date: &str,
    request_key: &str,
    body: Vec<u8>,
    first_seen_at: &str,
    status: &str,
) -> RawPayloadRef {
    let stored = deps
        .raw
        .put(source, date, request_key, Bytes::from(body))
        .await
        .unwrap();
    crate::storage::queries::testing::execute(&deps.warehouse, crate::storage::sql::Sql::new("INSERT INTO raw_payloads (object_key, source, data_date, request_key, blake3, bytes, url, \
         status, reason, first_seen_at) VALUES (?, ?, ?, ?, ?, ?, 'test://', ?, NULL, ?) \
         ON CONFLICT (object_key) DO NOTHING",).bind(&stored.key)
    .bind(source)
    .bind(date)
    .bind(request_key)
    .bind(&stored.blake3)
    .bind(stored.bytes as i64)
    .bind(status)
    .bind(first_seen_at))
    .await
    .unwrap();
    RawPayloadRef {
        source: source.to_string(),
        data_date: date.to_string(),
        object_key: stored.key,
        blake3: stored.blake3,
        bytes: stored.bytes,
        request_key: request_key.to_string(),
    }
}

pub fn request(processor: &str, game_date: &str, payloads: Vec<RawPayloadRef>) -> ProcessorRequest {
    ProcessorRequest {
        context: Some(RunContext {
            correlation_id: format!("test-{game_date}"),
            game_date: game_date.to_string(),
            ..Default::default()
        }),
        processor: processor.to_string(),
        raw_payloads: payloads,
        ..Default::default()
    }
}

pub fn meta() -> WriteMeta {
    WriteMeta {
        correlation_id: "test".into(),
        now: "2025-01-02T12:00:00Z".into(),
    }
}

/// The first run writes `rows` rows; the second, from the same payloads, writes nothing and
/// finds every row unchanged, with the same output hash.
pub fn assert_idempotent(first: &ProcessorResult, again: &ProcessorResult, rows: u32) {
    assert!(rows > 0, "a round-trip test needs rows");
    assert_eq!(
        (first.rows_written, first.rows_unchanged, first.rows_removed),
        (rows, 0, 0),
        "first run of {}",
        first.processor
    );
    assert_eq!(
        (again.rows_written, again.rows_unchanged, again.rows_removed),
        (0, rows, 0),
        "second run of {}",
        again.processor
    );
    assert_eq!(first.output_hash, again.output_hash);
    assert_eq!(first.input_hash, again.input_hash);
    let changed = again.entities_changed.clone().unwrap_or_default();
    assert!(
        changed.players.is_empty() && changed.teams.is_empty() && changed.games.is_empty(),
        "{changed:?}"
    );
}

/// Rows of a table in a partition.
pub async fn count(deps: &Deps, table: &str, partition_column: &str, date: &str) -> i64 {
    crate::storage::queries::testing::scalar(
        &deps.warehouse,
        crate::storage::sql::Sql::new(format!(
            "SELECT COUNT(*) FROM {table} WHERE {partition_column} = ?"
        ))
        .bind(date),
    )
    .await
    .unwrap()
}
