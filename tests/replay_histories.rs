//! Every saved history under tests/histories replays against today's workflow code without a
//! nondeterminism error. A change to a workflow that breaks this needs the SDK's patching
//! (or, when the old histories can no longer be running anywhere, new fixtures recorded with
//! `NBAPROPS_RECORD_HISTORIES=<tag> cargo test -p nbaprops-tests --test day_workflow`, which
//! adds `{workflow}-<tag>.json` beside the old fixtures; `--test grading_workflow` adds
//! `grade-<tag>.json`; `--test backfill` adds `backfill-<tag>.json` and
//! `backfill-date-p{1,2,4,5}-<tag>.json`).

use temporalio_client::WorkflowHistory;

#[tokio::test]
async fn saved_histories_replay_without_nondeterminism() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("histories");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let names: Vec<String> = files
        .iter()
        .map(|f| f.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    for expected in [
        "day",
        "day-phase-2",
        "day-phase-3",
        "day-phase-4",
        "day-predict",
        "grade-v1",
        // Phase 5 by level (per-date training, systems, ensemble) with its gate.
        "day-predict-prediction-levels",
        // A backfill with pause, resume and failed dates; its per-date children.
        "backfill-v1",
        "backfill-date-p5-v1",
        "backfill-date-p1-v1",
        // From `backfill-step-activity` on: a date's step in one activity, Phase 5 in one
        // batch per system.
        "backfill-v2",
        "backfill-date-p5-v2",
        "backfill-date-p1-v2",
        "backfill-date-p2-v2",
        // Merged steps (registry::backfill_steps): Phase 1's fetches with Phase 2's parsing,
        // Phase 2's gate first in the next step's children, the contexts with Phase 3's gate,
        // Phase 4 and its gate, Phase 5's levels 1-2 together.
        "backfill-v3",
        "backfill-date-p5-v3",
        "backfill-date-p1-v3",
        "backfill-date-p2-v3",
        "backfill-date-p4-v3",
        // The day and grading set their search attributes (game_date, phase, mode, trigger)
        // and start their children with them.
        "day-search-attributes",
        "day-phase-3-search-attributes",
        "grade-search-attributes",
        // What the schedules start (workflows/src/scheduled.rs).
        "scheduled-start-v1",
        // The SLA timer (dropped; fired mid-day with its alert) and a stuck phase's alert.
        "day-sla-alerts",
        "day-sla-missed-v1",
        "day-phase-stuck-v1",
        // The day open after its main run: injury reruns (applied, duplicate, refused), then
        // continued as new with its main result and a queued update; the injury watch.
        "day-injury-updates-v1",
        "day-injury-listening-v1",
        "injury-watch-v1",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "tests/histories/{expected}.json is missing"
        );
    }
    let replayer = nbaprops_tests::replayer();
    for file in files {
        let history = WorkflowHistory::from_json(&std::fs::read(&file).unwrap()).unwrap();
        replayer
            .replay_workflow(history)
            .await
            .unwrap_or_else(|e| panic!("{} does not replay: {e}", file.display()));
    }
}
