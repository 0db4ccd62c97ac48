//! Building a `ProcessorResult` from what a processor read and what its write did.

use nbaprops_proto::{EntitySet, ProcessorResult};

use crate::storage::WriteStats;

pub fn processor_result(
    processor: &str,
    data_date: &str,
    rows_read: usize,
    input_hash: String,
    stats: WriteStats,
    warnings: Vec<String>,
) -> ProcessorResult {
    ProcessorResult {
        processor: processor.to_string(),
        data_date: data_date.to_string(),
        rows_read: rows_read as u32,
        rows_written: stats.written,
        rows_unchanged: stats.unchanged,
        rows_removed: stats.removed,
        entities_changed: Some(EntitySet {
            players: stats.players_changed.into_iter().collect(),
            teams: stats.teams_changed.into_iter().collect(),
            games: stats.games_changed.into_iter().collect(),
        }),
        input_hash,
        output_hash: stats.output_hash,
        warnings,
    }
}
