//! Every saved history under tests/histories replays against today's workflow code without a
//! nondeterminism error, and the workflows carry no patch that docs/versioning.md does not
//! list. A change to a workflow that breaks replay ships behind `ctx.patched` (docs/versioning.md
//! says how, and which fixtures to record with `NBAPROPS_RECORD_HISTORIES=<tag>`).

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
    // One fixture per workflow shape (docs/versioning.md), each recorded by the test that
    // runs the shape.
    for expected in [
        // day_workflow: a day's main run and its phase children.
        "day-v1",
        "day-phase-2-v1",
        "day-phase-3-v1",
        "day-phase-4-v1",
        "day-predict-v1",
        // grading_workflow.
        "grade-v1",
        // The `report` patch: a day's morning report after its main run and each rerun, the
        // graded report after grading (day_workflow, grading_workflow, injury_updates).
        "day-v2",
        "grade-v2",
        "day-injury-updates-v2",
        "day-injury-listening-v2",
        // backfill: the parent with pause, resume and failed dates; its date-steps (Phase 1's
        // fetches with Phase 2's parsing, the contexts with Phases 3-4 and their gates, Phase 5
        // with its gate and grading).
        "backfill-v1",
        "backfill-date-p1-v1",
        "backfill-date-p2-v1",
        "backfill-date-p4-v1",
        "backfill-date-p5-v1",
        // alerts: the SLA timer dropped, the SLA missed mid-day, a stuck phase.
        "day-sla-timer-v1",
        "day-sla-missed-v1",
        "day-phase-stuck-v1",
        // injury_updates: reruns (applied, duplicate, refused), then continued as new while
        // listening; the injury watch.
        "day-injury-updates-v1",
        "day-injury-listening-v1",
        "injury-watch-v1",
        // bad_signals: five malformed injury_update signals refused with alerts, then two
        // applied.
        "day-bad-signals-v1",
        // schedules: what a Temporal Schedule starts.
        "scheduled-start-v1",
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

/// The patch ids the workflows call `patched` or `deprecate_patch` with (a string literal at
/// the call). A new one is added here and to docs/versioning.md's table in the same change, so
/// every patch is a deliberate act with its fixtures recorded.
const LIVE_PATCHES: &[&str] = &["report"];

#[test]
fn the_workflows_carry_only_the_listed_patches() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../workflows/src");
    let mut found: Vec<String> = Vec::new();
    let mut stack = vec![src];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for call in [".patched(", ".deprecate_patch("] {
                for (i, _) in text.match_indices(call) {
                    let rest = &text[i + call.len()..];
                    let arg = rest
                        .split(')')
                        .next()
                        .unwrap_or_default()
                        .trim()
                        .trim_matches('"');
                    found.push(format!("{}: {arg}", path.display()));
                }
            }
        }
    }
    let unlisted: Vec<&String> = found
        .iter()
        .filter(|f| !LIVE_PATCHES.iter().any(|p| f.ends_with(p)))
        .collect();
    assert!(
        unlisted.is_empty(),
        "patches not listed in LIVE_PATCHES and docs/versioning.md: {unlisted:?}"
    );
    let doc = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/versioning.md"),
    )
    .unwrap();
    for patch in LIVE_PATCHES {
        assert!(
            doc.contains(patch),
            "docs/versioning.md does not list {patch}"
        );
    }
}
