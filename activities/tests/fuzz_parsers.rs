//! Every parser of a source's native format and every CSV import shape, fed arbitrary bytes and
//! mutated real samples (`../shared/data/samples`, `../shared/data/history`): each must answer
//! with a result or a classified error (a non-empty reason the processor turns into a
//! `bad_payload` naming the source and date), never a panic.
//!
//! `PROPTEST_CASES` sets the cases per property (64 here by default, the test command's bounded
//! run); docs/testing.md gives the longer run.

use std::io::Read;
use std::path::{Path, PathBuf};

use nbaprops_activities::sources::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

type Parse = fn(&[u8]) -> Result<(), String>;

/// Each parser, with the sample folders of its native format.
fn parsers() -> Vec<(&'static str, Parse, &'static [&'static str])> {
    fn ok<T>(r: Result<T, String>) -> Result<(), String> {
        r.map(|_| ())
    }
    vec![
        (
            "bdl_box_scores",
            |b| ok(bdl_box_scores::parse(b)),
            &["bdl_box_scores", "bdl_player_box_scores"],
        ),
        (
            "bdl_injuries",
            |b| ok(bdl_injuries::parse(b)),
            &["bdl_injuries"],
        ),
        (
            "bp_events",
            |b| ok(bp_player_props::parse_events(b)),
            &["bp_events"],
        ),
        ("bp_offers", |b| ok(bp_player_props::parse_offers(b)), &[]),
        (
            "espn_roster",
            |b| ok(espn_roster::parse(b)),
            &["espn_roster_api"],
        ),
        (
            "espn_scoreboard",
            |b| ok(espn_scoreboard::parse(b)),
            &["espn_scoreboard_api"],
        ),
        (
            "historical_import",
            |b| ok(historical_import::parse(b)),
            &[],
        ),
        ("injury_update", |b| ok(injury_update::parse(b)), &[]),
        (
            "nbac_injury_report",
            |b| ok(nbac_injury_report::parse(b)),
            &["nbac_injury_report"],
        ),
        (
            "nbac_play_by_play",
            |b| ok(nbac_play_by_play::parse(b)),
            &["nbac_play_by_play"],
        ),
        (
            "nbac_player_boxscore",
            |b| ok(nbac_player_boxscore::parse(b)),
            &["nbac_player_boxscore"],
        ),
        (
            "nbac_player_list",
            |b| ok(nbac_player_list::parse(b)),
            &["nbac_player_list"],
        ),
        (
            "nbac_schedule",
            |b| ok(nbac_schedule::parse(b)),
            &["nbac_schedule_cdn"],
        ),
        (
            "nbac_schedule_api",
            |b| ok(nbac_schedule_api::parse(b)),
            &["nbac_schedule_api"],
        ),
        (
            "nbac_team_boxscore",
            |b| ok(nbac_team_boxscore::parse(b)),
            &["nbac_team_boxscore"],
        ),
        (
            "oddsa_game_lines",
            |b| ok(oddsa_game_lines::parse(b)),
            &["oddsa_game_lines_his"],
        ),
        (
            "oddsa_events",
            |b| ok(oddsa_player_props::parse_events(b)),
            &["oddsa_events_his"],
        ),
        (
            "oddsa_event_odds",
            |b| ok(oddsa_player_props::parse_event_odds(b)),
            &["oddsa_player_props_his"],
        ),
    ]
}

fn shared_data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data")
}

/// A sample's bytes, gunzipped when it is `.gz`.
fn read_sample(path: &Path) -> Vec<u8> {
    let raw = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if path.extension().is_some_and(|e| e == "gz") {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&raw[..])
            .read_to_end(&mut out)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        out
    } else {
        raw
    }
}

fn samples_of(folders: &[&str]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for folder in folders {
        let dir = shared_data().join("samples").join(folder);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        out.extend(files.iter().map(|f| read_sample(f)));
    }
    out
}

/// The CSV import's shapes: the head of each history file (header and some rows).
fn csv_samples() -> Vec<Vec<u8>> {
    let dir = shared_data().join("history");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| {
            let text = std::fs::read(f).unwrap();
            let end = text
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .nth(40)
                .map(|(i, _)| i + 1)
                .unwrap_or(text.len());
            text[..end].to_vec()
        })
        .collect()
}

fn config() -> Config {
    Config {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(64),
        failure_persistence: None,
        ..Config::default()
    }
}

/// What a mutation does to a sample: overwrite bytes, cut it, splice in bytes.
#[derive(Debug, Clone)]
enum Mutation {
    Overwrite(usize, u8),
    Truncate(usize),
    Insert(usize, Vec<u8>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Overwrite(i, b)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..16))
            .prop_map(|(i, b)| Mutation::Insert(i, b)),
        // Characters that matter to JSON and CSV.
        (
            any::<usize>(),
            prop::sample::select(b"{}[]\",:\n0-.ne".to_vec())
        )
            .prop_map(|(i, b)| Mutation::Overwrite(i, b)),
    ]
}

fn mutate(sample: &[u8], mutations: &[Mutation]) -> Vec<u8> {
    let mut out = sample.to_vec();
    for m in mutations {
        if out.is_empty() {
            break;
        }
        match m {
            Mutation::Overwrite(i, b) => {
                let i = i % out.len();
                out[i] = *b;
            }
            Mutation::Truncate(i) => out.truncate(i % out.len()),
            Mutation::Insert(i, bytes) => {
                let i = i % out.len();
                out.splice(i..i, bytes.iter().copied());
            }
        }
    }
    out
}

/// The parser's answer, which must be an outcome: a panic fails the test, and so does an
/// error without a reason.
fn classified(name: &str, parse: Parse, body: &[u8]) -> Result<(), TestCaseError> {
    match std::panic::catch_unwind(|| parse(body)) {
        Ok(Ok(())) => Ok(()),
        Ok(Err(reason)) if !reason.trim().is_empty() => Ok(()),
        Ok(Err(_)) => Err(TestCaseError::fail(format!(
            "{name}: an error without a reason"
        ))),
        Err(_) => Err(TestCaseError::fail(format!(
            "{name} panicked on {} bytes: {:?}",
            body.len(),
            String::from_utf8_lossy(&body[..body.len().min(200)])
        ))),
    }
}

#[test]
fn arbitrary_bytes_never_panic_a_parser() {
    for (name, parse, _) in parsers() {
        let mut runner = TestRunner::new(config());
        runner
            .run(&prop::collection::vec(any::<u8>(), 0..2048), |body| {
                classified(name, parse, &body)
            })
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn mutated_real_samples_never_panic_a_parser() {
    for (name, parse, folders) in parsers() {
        let samples = samples_of(folders);
        for sample in &samples {
            // The sample itself parses (the mutations start from good input).
            assert!(
                parse(sample).is_ok(),
                "{name}: its own sample fails: {:?}",
                parse(sample)
            );
            let mut runner = TestRunner::new(config());
            runner
                .run(&prop::collection::vec(mutation(), 1..6), |mutations| {
                    classified(name, parse, &mutate(sample, &mutations))
                })
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
    }
}

#[test]
fn mutated_csv_imports_never_panic_the_import() {
    let parse: Parse = |b| historical_import::parse(b).map(|_| ());
    for sample in csv_samples() {
        assert!(
            parse(&sample).is_ok(),
            "a history file's head imports: {:?}",
            parse(&sample)
        );
        let mut runner = TestRunner::new(config());
        runner
            .run(&prop::collection::vec(mutation(), 1..6), |mutations| {
                classified("historical_import", parse, &mutate(&sample, &mutations))
            })
            .unwrap_or_else(|e| panic!("historical_import: {e}"));
    }
}
