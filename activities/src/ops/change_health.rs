//! The change-detection health check: a processor whose inputs changed since its last
//! successful run over the same date and scope, yet whose output did not change at all, may be
//! hashing the wrong columns or reading stale inputs (the silent "hash bug": every rerun
//! reports zero changes and nothing downstream ever updates). It can also be legitimate (a new
//! line snapshot after tip-off changes nothing), so it raises a warning alert, not a failure.

use nbaprops_proto::ProcessorResult;

use super::run_history::PreviousRun;

/// The alert message when a run looks like a hash bug, else `None`.
pub fn suspicious(previous: Option<&PreviousRun>, result: &ProcessorResult) -> Option<String> {
    let prev = previous?;
    let prev_input = prev.input_hash.as_deref()?;
    if prev_input.is_empty() || result.input_hash.is_empty() || prev_input == result.input_hash {
        return None;
    }
    let nothing_changed = result.rows_written == 0 && result.rows_removed == 0;
    let same_output = prev.output_hash.as_deref() == Some(result.output_hash.as_str());
    (nothing_changed && same_output).then(|| {
        format!(
            "{} for {}: its inputs changed since run {} (input hash {} -> {}) but it changed \
             nothing ({} rows unchanged); check that its row hashes cover the columns it reads",
            result.processor,
            result.data_date,
            prev.correlation_id,
            short(prev_input),
            short(&result.input_hash),
            result.rows_unchanged
        )
    })
}

fn short(h: &str) -> &str {
    &h[..h.len().min(12)]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prev(input: &str, output: &str) -> PreviousRun {
        PreviousRun {
            input_hash: Some(input.into()),
            output_hash: Some(output.into()),
            correlation_id: "day-2025-01-13".into(),
        }
    }

    fn result(input: &str, output: &str, written: u32) -> ProcessorResult {
        ProcessorResult {
            processor: "player_game_summary".into(),
            data_date: "2025-01-12".into(),
            rows_written: written,
            rows_unchanged: 40 - written,
            input_hash: input.into(),
            output_hash: output.into(),
            ..Default::default()
        }
    }

    #[test]
    fn inputs_changed_but_nothing_written_is_suspicious() {
        let msg = suspicious(Some(&prev("aaa", "out")), &result("bbb", "out", 0)).unwrap();
        assert!(msg.contains("player_game_summary for 2025-01-12"), "{msg}");
        assert!(msg.contains("aaa -> bbb"), "{msg}");
    }

    #[test]
    fn healthy_runs_are_not() {
        // Same inputs, same outputs: a plain rerun.
        assert_eq!(
            suspicious(Some(&prev("aaa", "out")), &result("aaa", "out", 0)),
            None
        );
        // Inputs changed and rows were rewritten.
        assert_eq!(
            suspicious(Some(&prev("aaa", "out")), &result("bbb", "out2", 3)),
            None
        );
        // First run of the date.
        assert_eq!(suspicious(None, &result("bbb", "out", 0)), None);
    }
}
