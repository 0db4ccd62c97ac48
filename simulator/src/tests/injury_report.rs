//! The season shape's injury report PDF against the simulated injuries.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Duration;
use nbaprops_activities::sources::{nbac_injury_report, SourceConfig};

use super::support::{d, read_at};
use crate::*;

/// The injury report PDF the season shape publishes parses back, row for row, to the
/// simulated listings of the date (and every game of the date is on it).
#[test]
fn the_injury_report_pdf_parses_back_to_the_simulated_injuries() {
    let dir = tempfile::tempdir().unwrap();
    let opts = SimOptions {
        from: d("2025-01-13"),
        to: d("2025-01-16"),
        seed: 5,
        ..SimOptions::default()
    };
    let truth = simulate_shaped(dir.path(), &opts, ScheduleShape::Season).unwrap();
    let config = SourceConfig::replay("http://replay");
    let by_id: BTreeMap<i64, &SimPlayer> = truth.players.iter().map(|p| (p.player_id, p)).collect();
    let mut entries_seen = 0;
    let mut date = opts.from;
    while date <= opts.to {
        let day = date.to_string();
        let req =
            nbac_injury_report::request(&config, date, sources::nbac_injury_report::REPORT_HOUR_ET);
        let report = nbac_injury_report::parse_report(&read_at(dir.path(), &req)).unwrap();
        let when = date
            .and_hms_opt(sources::nbac_injury_report::REPORT_HOUR_ET, 30, 0)
            .unwrap();
        assert_eq!(report.report_time_et, Some(when));
        let games: Vec<&SimGame> = truth.games.iter().filter(|g| g.date == day).collect();
        assert!(!games.is_empty(), "{day} has games");
        // Every team of the date is on the report, with players or as not submitted.
        let mut teams_on: BTreeSet<String> =
            report.entries.iter().map(|e| e.team.clone()).collect();
        teams_on.extend(report.pending_teams.iter().map(|t| t.team.clone()));
        assert_eq!(teams_on.len(), 2 * games.len(), "{day}");
        for g in &games {
            let matchup = format!("{}@{}", g.away, g.home);
            assert!(
                report.entries.iter().any(|e| e.matchup == matchup)
                    || report.pending_teams.iter().any(|t| t.matchup == matchup),
                "{matchup}"
            );
        }
        // The entries are exactly the listings of the date for the teams that play.
        let playing: BTreeSet<&str> = games
            .iter()
            .flat_map(|g| [g.home.as_str(), g.away.as_str()])
            .collect();
        let expected: BTreeMap<String, &str> = truth
            .injuries
            .iter()
            .filter(|i| i.listed && i.listed_from <= day && day <= i.listed_until)
            .filter(|i| playing.contains(i.team.as_str()))
            .map(|i| {
                let name = deunicode::deunicode(&by_id[&i.player_id].name);
                let status = if i.status == "Out" {
                    "Out"
                } else {
                    "Questionable"
                };
                (name, status)
            })
            .collect();
        let got: BTreeMap<String, &str> = report
            .entries
            .iter()
            .map(|e| (e.player_name.clone(), e.status.as_str()))
            .collect();
        assert_eq!(got, expected, "{day}");
        for e in &report.entries {
            assert_eq!(e.game_date, day);
            assert!(e.reason.starts_with("Injury/Illness - "), "{}", e.reason);
        }
        entries_seen += report.entries.len();
        date += Duration::days(1);
    }
    assert!(entries_seen > 5, "{entries_seen} entries in four days");
}
