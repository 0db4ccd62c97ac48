//! The dense shape (the demo's): deterministic bytes, and every Phase 1 source answered.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::Duration;
use nbaprops_activities::sources::{
    bdl_box_scores, bdl_injuries, bp_player_props, espn_roster, espn_scoreboard,
    nbac_injury_report, nbac_play_by_play, nbac_player_boxscore, nbac_player_list, nbac_schedule,
    nbac_schedule_api, nbac_team_boxscore, oddsa_player_props, replay, SourceConfig, SourceRequest,
};

use super::support::read_at;
use crate::*;

#[test]
fn writes_parseable_native_responses_deterministically() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let opts = SimOptions::default();
    let truth = simulate(a.path(), &opts).unwrap();
    simulate(b.path(), &opts).unwrap();
    let config = SourceConfig::replay("http://replay");
    let day = opts.from + Duration::days(3);
    let read = |dir: &Path, req: &SourceRequest| {
        std::fs::read(replay::file_for(dir, &req.path, &req.query)).unwrap()
    };

    let logs = nbac_player_boxscore::parse(&read(
        a.path(),
        &nbac_player_boxscore::request(&config, day),
    ))
    .unwrap();
    assert_eq!(logs.len(), opts.teams * opts.players_per_team);
    for l in &logs {
        assert_eq!(truth.points[&(day.to_string(), l.player_id)], l.points);
        // The shooting split adds up to the points.
        assert_eq!(
            2 * (l.fgm.unwrap() - l.fg3m.unwrap()) + 3 * l.fg3m.unwrap() + l.ftm.unwrap(),
            l.points
        );
    }
    let games = nbac_schedule::parse(&read(a.path(), &nbac_schedule::request(&config))).unwrap();
    assert_eq!(
        nbac_schedule::games_on(games, &day.to_string()).len(),
        opts.teams / 2
    );
    let events = oddsa_player_props::parse_events(&read(
        a.path(),
        &oddsa_player_props::events_request(&config, day),
    ))
    .unwrap();
    assert_eq!(events.len(), opts.teams / 2);
    let lines = oddsa_player_props::parse_event_odds(&read(
        a.path(),
        &oddsa_player_props::event_odds_request(&config, &events[0].id),
    ))
    .unwrap();
    assert_eq!(
        lines.len(),
        2 * 2 * 5,
        "two teams, two books, five players with props"
    );
    assert!(lines.iter().all(|l| l.line.fract() == 0.5));

    // Same seed, same bytes.
    let req = nbac_player_boxscore::request(&config, day);
    assert_eq!(read(a.path(), &req), read(b.path(), &req));
}

/// The dense shape (the demo's) answers for every Phase 1 source too, consistently: the
/// play-by-play's made points are the box-score points, the injury report and every other file
/// parse with their sources' parsers.
#[test]
fn the_dense_shape_writes_every_source() {
    let dir = tempfile::tempdir().unwrap();
    let opts = SimOptions::default();
    let truth = simulate(dir.path(), &opts).unwrap();
    let config = SourceConfig::replay("http://replay");
    let day = opts.from + Duration::days(2);
    let read = |req: &SourceRequest| read_at(dir.path(), req);
    let games = nbac_schedule::games_on(
        nbac_schedule::parse(&read(&nbac_schedule::request(&config))).unwrap(),
        &day.to_string(),
    );
    assert_eq!(games.len(), opts.teams / 2);
    let api = nbac_schedule_api::parse(&read(&nbac_schedule_api::request(&config, day))).unwrap();
    assert_eq!(
        nbac_schedule_api::games_on(api, &day.to_string()).len(),
        games.len()
    );
    for g in &games {
        let actions =
            nbac_play_by_play::parse(&read(&nbac_play_by_play::request(&config, &g.game_id)))
                .unwrap();
        let mut made: BTreeMap<i64, i64> = BTreeMap::new();
        for a in &actions {
            if let Some(p) = a.person_id {
                *made.entry(p).or_default() += a.points_scored();
            }
        }
        assert!(!made.is_empty());
        for (p, pts) in made {
            assert_eq!(truth.points[&(day.to_string(), p)], pts, "{}", g.game_id);
        }
        let lines =
            nbac_team_boxscore::parse(&read(&nbac_team_boxscore::request(&config, &g.game_id)))
                .unwrap();
        assert_eq!(
            lines.iter().filter(|l| !l.is_team_total()).count(),
            2 * opts.players_per_team
        );
        assert_eq!(
            nbac_play_by_play::final_score(&actions),
            Some((
                lines
                    .iter()
                    .find(|l| l.is_team_total() && l.is_home == Some(true))
                    .unwrap()
                    .points(),
                lines
                    .iter()
                    .find(|l| l.is_team_total() && l.is_home == Some(false))
                    .unwrap()
                    .points(),
            ))
        );
    }
    let report = nbac_injury_report::parse_report(&read(&nbac_injury_report::request(
        &config,
        day,
        sources::nbac_injury_report::REPORT_HOUR_ET,
    )))
    .unwrap();
    assert!(
        report.entries.is_empty(),
        "the dense shape draws no injuries"
    );
    assert_eq!(report.pending_teams.len(), opts.teams);
    let bp = bp_player_props::parse_events(&read(&bp_player_props::events_request(&config, day)))
        .unwrap();
    assert_eq!(bp.len(), games.len());
    let offers = bp_player_props::parse_offers(&read(&bp_player_props::offers_request(
        &config,
        bp[0].event_id,
    )))
    .unwrap();
    assert_eq!(offers.len(), 2 * 2 * 5, "two books, two teams, five lines");
    let bdl = bdl_box_scores::parse(&read(&bdl_box_scores::request(&config, day))).unwrap();
    assert_eq!(bdl.len(), opts.teams * opts.players_per_team);
    let board = espn_scoreboard::parse(&read(&espn_scoreboard::request(&config, day))).unwrap();
    for g in &board {
        let roster =
            espn_roster::parse(&read(&espn_roster::request(&config, &g.home_team_id, day)))
                .unwrap();
        assert_eq!(roster.len(), opts.players_per_team);
    }
    let index = nbac_player_list::parse(&read(&nbac_player_list::request(&config, day))).unwrap();
    assert_eq!(index.len(), truth.players.len());
    assert!(
        bdl_injuries::parse(&read(&bdl_injuries::request(&config, day)))
            .unwrap()
            .is_empty()
    );
}
