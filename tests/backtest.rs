//! `nbaprops backtest` end to end on the real 2025-26 history in `../shared/data/history`,
//! through the binary: figures in range and as JSON, coverage accounted for, and the leakage
//! guard firing on lines that were made from the results.

use std::path::{Path, PathBuf};
use std::process::Command;

use nbaprops_tests::nbaprops_binary;

fn history(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data/history")
        .join(file)
}

const LOGS: &str = "player_game_logs_2025_26_through_2025-11-07.csv";
const LINES: &str = "points_lines_2025_26_through_2025-11-07.csv";

fn backtest(data: &Path, work: &Path, from: &str, to: &str, extra: &[&str]) -> (i32, String) {
    let out = Command::new(nbaprops_binary())
        .args(["backtest", "--data"])
        .arg(data)
        .args(["--from", from, "--to", to, "--warmup-days", "8", "--work"])
        .arg(work)
        .args(extra)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    (
        out.status.code().unwrap_or(-1),
        format!("{stdout}\n{stderr}"),
    )
}

#[test]
fn a_backtest_on_real_lines_reports_every_system_against_the_line() {
    let data = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    for f in [LOGS, LINES] {
        std::fs::copy(history(f), data.path().join(f)).unwrap();
    }
    // An unrelated file in the folder is not read.
    std::fs::write(data.path().join("notes.csv"), "not,a,history,file\n").unwrap();
    let json = work.path().join("report.json");
    let (code, output) = backtest(
        data.path(),
        work.path(),
        "2025-10-27",
        "2025-10-31",
        &["--json", json.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{output}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["files"].as_array().unwrap().len(), 2, "{output}");
    assert_eq!(report["dates_predicted"], 5, "{output}");
    let systems = report["systems"].as_array().unwrap();
    let names: Vec<&str> = systems
        .iter()
        .map(|s| s["system"].as_str().unwrap())
        .collect();
    for s in ["moving_average", "matchup", "ensemble"] {
        assert!(names.contains(&s), "{s} missing: {names:?}\n{output}");
    }
    for s in systems {
        let graded = s["graded"].as_u64().unwrap();
        if graded == 0 {
            continue;
        }
        let mae = s["mae"].as_f64().unwrap();
        let line_mae = s["line_mae"].as_f64().unwrap();
        // Real points against real lines: an honest model is off by several points.
        assert!(
            (3.5..9.0).contains(&mae),
            "{}: MAE {mae}\n{output}",
            s["system"]
        );
        assert!((3.5..8.0).contains(&line_mae), "{output}");
        let edges: Vec<f64> = s["by_edge"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["threshold"].as_f64().unwrap())
            .collect();
        assert_eq!(edges, vec![1.0, 2.0, 3.0]);
        // The paired difference against the line is the two MAEs' difference, inside its
        // bootstrap interval; the calibration has ten deciles covering every graded game.
        let d = &s["against_line"];
        let mean = d["mean"].as_f64().unwrap();
        assert!(
            (mean - (mae - line_mae)).abs() < 1e-9,
            "{d} {mae} {line_mae}"
        );
        assert!(d["lo"].as_f64().unwrap() <= mean && mean <= d["hi"].as_f64().unwrap());
        assert_eq!(d["player_games"].as_u64().unwrap(), graded);
        let bins = s["calibration"].as_array().unwrap();
        assert_eq!(bins.len(), 10.min(graded as usize));
        let counted: u64 = bins.iter().map(|b| b["count"].as_u64().unwrap()).sum();
        assert_eq!(counted, graded);
        for e in s["by_edge"].as_array().unwrap() {
            let (w, l) = (e["wins"].as_u64().unwrap(), e["losses"].as_u64().unwrap());
            if w + l > 0 {
                let (lo, hi) = (
                    e["hit_rate_lo"].as_f64().unwrap(),
                    e["hit_rate_hi"].as_f64().unwrap(),
                );
                let rate = e["hit_rate"].as_f64().unwrap();
                assert!(lo <= rate && rate <= hi, "{e}");
            }
        }
    }
    // The settings fixed beforehand are printed and in the JSON.
    assert!(
        output.contains("Settings fixed beforehand: ensemble.history_days=60"),
        "{output}"
    );
    assert!(report["settings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|kv| kv[0] == "ensemble.min_history"));
    let ensemble = systems.iter().find(|s| s["system"] == "ensemble").unwrap();
    assert!(ensemble["graded"].as_u64().unwrap() > 200, "{output}");
    // Coverage: every line is predicted or has a reason.
    let cov = &report["coverage"];
    let reasons: u64 = cov["reasons"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(
        cov["predicted"].as_u64().unwrap() + reasons,
        cov["lines"].as_u64().unwrap(),
        "{output}"
    );
    assert!(cov["rate"].as_f64().unwrap() > 0.5, "{output}");
    assert!(report["leakage_warnings"].as_array().unwrap().is_empty());
    assert!(output.contains("Coverage:"), "{output}");

    // A second run over the same work folder writes nothing new and gives the same figures.
    let (code, again) = backtest(
        data.path(),
        work.path(),
        "2025-10-27",
        "2025-10-31",
        &["--json", json.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{again}");
    let second: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["systems"], second["systems"]);
}

/// Lines copied from what the players then scored: every system that leans on the line looks
/// far too good, and the guard stops the run unless told otherwise.
#[test]
fn lines_made_from_the_results_trip_the_leakage_guard() {
    let data = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    std::fs::copy(history(LOGS), data.path().join(LOGS)).unwrap();
    let logs = std::fs::read_to_string(history(LOGS)).unwrap();
    let mut reader = csv::Reader::from_reader(logs.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (player, date, matchup, pts) = (col("player"), col("date"), col("matchup"), col("pts"));
    let mut lines = String::from(
        "snapshot_time_utc,event_id,commence_time_utc,game_date_et,game,player,bookmaker,market,line,over_odds,under_odds\n",
    );
    for r in reader.records() {
        let r = r.unwrap();
        let d = &r[date];
        if !("2025-10-24".."2025-11-04").contains(&d) {
            continue;
        }
        // The event: "AWAY @ HOME" from the player's matchup, one id per game and date.
        let parts: Vec<&str> = r[matchup].split_whitespace().collect();
        let (away, home) = match parts.as_slice() {
            [team, "@", opponent] => (*team, *opponent),
            [team, _, opponent] => (*opponent, *team),
            other => panic!("{other:?}"),
        };
        let event = format!("{d}-{away}-{home}");
        let name = r[player].replace(',', "");
        lines.push_str(&format!(
            "{d}T16:00:00Z,{event},{d}T23:30:00Z,{d},{away} @ {home},{name},draftkings,player_points,{}.0,-110,-110\n",
            &r[pts]
        ));
    }
    std::fs::write(data.path().join("points_lines_leaky.csv"), lines).unwrap();
    let (code, output) = backtest(data.path(), work.path(), "2025-10-27", "2025-11-03", &[]);
    assert_eq!(code, 3, "{output}");
    assert!(output.contains("LEAKAGE WARNING"), "{output}");
    let (code, output) = backtest(
        data.path(),
        work.path(),
        "2025-10-27",
        "2025-11-03",
        &["--allow-leakage"],
    );
    assert_eq!(code, 0, "{output}");
    assert!(output.contains("LEAKAGE WARNING"), "{output}");
}
