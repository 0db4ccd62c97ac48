//! Ranges of the season shape: parsed back file by file, deterministic, and across seasons.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Duration;
use nbaprops_activities::sources::{
    bdl_box_scores, bdl_injuries, bp_player_props, espn_roster, espn_scoreboard,
    nbac_injury_report, nbac_play_by_play, nbac_player_boxscore, nbac_player_list, nbac_schedule,
    nbac_schedule_api, nbac_team_boxscore, oddsa_game_lines, oddsa_player_props, replay,
    SourceConfig, SourceRequest,
};

use super::support::{d, files_under, read_at};
use crate::naming::book_spelling;
use crate::*;

/// Ten days around Christmas 2024 (Christmas Eve has no games), parsed back file by file.
#[test]
fn a_season_range_parses_back_and_adds_up() {
    let dir = tempfile::tempdir().unwrap();
    let opts = SimOptions {
        from: d("2024-12-20"),
        to: d("2024-12-29"),
        seed: 7,
        ..SimOptions::default()
    };
    let truth = simulate_shaped(dir.path(), &opts, ScheduleShape::Season).unwrap();
    let config = SourceConfig::replay("http://replay");
    let by_id: BTreeMap<i64, &SimPlayer> = truth.players.iter().map(|p| (p.player_id, p)).collect();
    let by_bdl: BTreeMap<i64, &SimPlayer> = truth.players.iter().map(|p| (p.bdl_id, p)).collect();
    let by_book_name: BTreeMap<String, &SimPlayer> = truth
        .players
        .iter()
        .map(|p| (book_spelling(&p.name), p))
        .collect();

    // 30 teams, real-sized rosters.
    let teams: BTreeSet<&str> = truth.players.iter().map(|p| p.team.as_str()).collect();
    assert_eq!(teams.len(), 30);
    assert!((420..=450).contains(&truth.players.len()));

    // Every file parses with its source's parser; count them as we go.
    let mut parsed = 0;
    let mut lines_seen: BTreeMap<(String, i64), Vec<f64>> = BTreeMap::new();
    let mut spreads = 0;
    for (rel, body) in files_under(dir.path()) {
        let name = rel.to_string_lossy().to_string();
        if name.contains("player_injuries") {
            bdl_injuries::parse(&body).unwrap();
        } else if name.contains("playbyplay_") {
            assert!(!nbac_play_by_play::parse(&body).unwrap().is_empty());
        } else if name.contains("Injury-Report_") {
            nbac_injury_report::parse(&body).unwrap();
        } else if name.contains("v3/events") {
            bp_player_props::parse_events(&body).unwrap();
        } else if name.contains("v3/offers") {
            assert!(!bp_player_props::parse_offers(&body).unwrap().is_empty());
        } else if name.contains("enable=roster") {
            assert!(espn_roster::parse(&body).unwrap().len() >= 14);
        } else if name.contains("box_scores") {
            bdl_box_scores::parse(&body).unwrap();
        } else if name.contains("playerindex") {
            assert!(nbac_player_list::parse(&body).unwrap().len() >= 420);
        } else if name.contains("leaguegamelog") {
            nbac_player_boxscore::parse(&body).unwrap();
        } else if name.contains("boxscoretraditionalv3") {
            assert!(nbac_team_boxscore::parse(&body).unwrap().len() > 20);
        } else if name.contains("scheduleleaguev2int") {
            nbac_schedule_api::parse(&body).unwrap();
        } else if name.contains("scheduleLeagueV2_1") {
            nbac_schedule::parse(&body).unwrap();
        } else if name.contains("scoreboard") {
            espn_scoreboard::parse(&body).unwrap();
        } else if name.contains("markets=player_points") {
            for l in oddsa_player_props::parse_event_odds(&body).unwrap() {
                assert_eq!(l.line.fract(), 0.5);
                assert!(l.over_price.is_some() && l.under_price.is_some());
                let p = by_book_name[&l.player_name];
                let date = &l.snapshot_time[..10];
                lines_seen
                    .entry((date.to_string(), p.player_id))
                    .or_default()
                    .push(l.line);
            }
        } else if name.contains("markets=spreads%2Ctotals") {
            let lines = oddsa_game_lines::parse(&body).unwrap();
            assert_eq!(
                lines.len(),
                8,
                "two books, two spread sides, over and under"
            );
            spreads += 1;
        } else if name.ends_with("events") || name.contains("events@") {
            oddsa_player_props::parse_events(&body).unwrap();
        } else {
            panic!("unexpected file {name}");
        }
        parsed += 1;
    }
    assert_eq!(parsed, truth.files_written);
    assert_eq!(spreads, truth.games.len());

    // The schedules: every team 82 games over the full season, never twice on a date.
    let season_file = nbac_schedule_api::request(&config, opts.from);
    let season = nbac_schedule_api::parse(
        &std::fs::read(replay::file_for(
            dir.path(),
            &season_file.path,
            &season_file.query,
        ))
        .unwrap(),
    )
    .unwrap();
    let season: Vec<_> = season
        .into_iter()
        .filter(|g| g.season_type_digit() == '2')
        .collect();
    assert_eq!(season.len(), 1230);
    let mut per_team: BTreeMap<&str, usize> = BTreeMap::new();
    let mut team_dates = BTreeSet::new();
    for g in &season {
        assert!(g.is_final() && g.home.score != g.away.score);
        assert_eq!(g.season_type_digit(), '2');
        assert!(g.game_id.starts_with("00224"));
        for t in [&g.home.tricode, &g.away.tricode] {
            *per_team.entry(t).or_default() += 1;
            assert!(
                team_dates.insert((g.game_date_et.clone(), t.clone())),
                "{t} twice"
            );
        }
    }
    assert_eq!(per_team.len(), 30);
    assert!(per_team.values().all(|n| *n == 82));
    let cdn = nbac_schedule::request(&config);
    let cdn = nbac_schedule::parse(
        &std::fs::read(replay::file_for(dir.path(), &cdn.path, &cdn.query)).unwrap(),
    )
    .unwrap();
    assert!(
        cdn.len() > 1230 + 6 + 4 * 15,
        "the play-in and playoffs follow"
    );

    let read = |req: &SourceRequest| {
        std::fs::read(replay::file_for(dir.path(), &req.path, &req.query)).unwrap()
    };
    let mut date = opts.from;
    let mut injured_absences = 0;
    while date <= opts.to {
        let day = date.to_string();
        let games: Vec<&SimGame> = truth.games.iter().filter(|g| g.date == day).collect();
        assert_eq!(
            nbac_schedule::games_on(cdn.clone(), &day).len(),
            games.len(),
            "{day}"
        );

        // Box-score points are the truth, row for row.
        let logs =
            nbac_player_boxscore::parse(&read(&nbac_player_boxscore::request(&config, date)))
                .unwrap();
        let from_logs: BTreeMap<i64, i64> = logs.iter().map(|l| (l.player_id, l.points)).collect();
        let expected: BTreeMap<i64, i64> = truth
            .points
            .iter()
            .filter(|((dd, _), _)| *dd == day)
            .map(|((_, p), pts)| (*p, *pts))
            .collect();
        assert_eq!(from_logs, expected, "{day}");
        for l in &logs {
            assert_eq!(
                2 * (l.fgm.unwrap() - l.fg3m.unwrap()) + 3 * l.fg3m.unwrap() + l.ftm.unwrap(),
                l.points
            );
            assert_eq!(by_id[&l.player_id].team, l.team);
        }

        // Team box scores: totals are the game's score and the sum of the players.
        for g in &games {
            let lines =
                nbac_team_boxscore::parse(&read(&nbac_team_boxscore::request(&config, &g.game_id)))
                    .unwrap();
            for (tri, pts) in [(&g.home, g.home_points), (&g.away, g.away_points)] {
                let total = lines
                    .iter()
                    .find(|l| l.is_team_total() && &l.team == tri)
                    .unwrap();
                assert_eq!(total.points(), pts);
                let players: i64 = lines
                    .iter()
                    .filter(|l| !l.is_team_total() && &l.team == tri)
                    .map(|l| l.points())
                    .sum();
                assert_eq!(players, pts);
                let starters = lines
                    .iter()
                    .filter(|l| l.starter() && &l.team == tri)
                    .count();
                assert_eq!(starters, 5);
                assert!(total.stats.as_ref().unwrap().minutes >= 240.0);
            }
            for l in lines.iter().filter(|l| !l.is_team_total() && l.played()) {
                let id = l.player.as_ref().unwrap().person_id;
                assert_eq!(truth.points[&(day.clone(), id)], l.points());
            }
        }

        // Injured players: absent from the game logs of the games they miss, and either left
        // off the v3 box score or listed there without minutes.
        for inj in truth
            .injuries
            .iter()
            .filter(|i| i.missed_dates.contains(&day))
        {
            injured_absences += 1;
            assert!(!from_logs.contains_key(&inj.player_id), "{inj:?}");
            let game = games
                .iter()
                .find(|g| g.home == inj.team || g.away == inj.team)
                .expect("he misses his team's game");
            let lines = nbac_team_boxscore::parse(&read(&nbac_team_boxscore::request(
                &config,
                &game.game_id,
            )))
            .unwrap();
            let row = lines.iter().find(|l| {
                l.player
                    .as_ref()
                    .is_some_and(|p| p.person_id == inj.player_id)
            });
            match row {
                None => assert!(inj.inactive),
                Some(r) => {
                    assert!(!inj.inactive && !r.played());
                    assert_eq!(r.player.as_ref().unwrap().comment, "DNP - Injury/Illness");
                }
            }
        }

        // The injury list as of the date: exactly the listed injuries that cover it.
        let list = bdl_injuries::parse(&read(&bdl_injuries::request(&config, date))).unwrap();
        let listed: BTreeSet<i64> = list
            .iter()
            .map(|i| by_bdl[&i.player_id].player_id)
            .collect();
        let expect: BTreeSet<i64> = truth
            .injuries
            .iter()
            .filter(|i| i.listed && i.listed_from <= day && day <= i.listed_until)
            .map(|i| i.player_id)
            .collect();
        assert_eq!(listed, expect, "{day}");
        let ruled_out: BTreeSet<i64> = list
            .iter()
            .filter(|i| i.status == "Out")
            .map(|i| by_bdl[&i.player_id].player_id)
            .collect();

        // Lines: only for players who played or were expected to (not ruled out at noon).
        for ((dd, pid), line) in truth.lines.iter().filter(|((dd, _), _)| *dd == day) {
            assert!(
                !ruled_out.contains(pid),
                "{dd}: a line for {pid}, ruled out"
            );
            assert!(by_id[pid].has_props);
            assert_eq!(
                lines_seen[&(dd.clone(), *pid)][0],
                *line,
                "the draftkings line"
            );
            assert_eq!(lines_seen[&(dd.clone(), *pid)].len(), 2, "two books");
        }
        let played_or_listed_dtd = truth
            .lines
            .keys()
            .filter(|(dd, _)| *dd == day)
            .filter(|(_, pid)| from_logs.contains_key(pid) || listed.contains(pid))
            .count();
        let lines_today = truth.lines.keys().filter(|(dd, _)| *dd == day).count();
        assert!(
            lines_today - played_or_listed_dtd <= 2,
            "late scratches are rare"
        );
        if !games.is_empty() {
            assert!(
                lines_today >= games.len() * 10,
                "{day}: {lines_today} lines"
            );
        }

        // The events and the scoreboard list the date's games; a day without games is empty.
        let events = oddsa_player_props::parse_events(&read(&oddsa_player_props::events_request(
            &config, date,
        )))
        .unwrap();
        assert_eq!(events.len(), games.len());
        let board =
            espn_scoreboard::parse(&read(&espn_scoreboard::request(&config, date))).unwrap();
        assert_eq!(board.len(), games.len());
        for g in &board {
            assert_eq!(g.game_date_et, day);
            assert!(g.completed);
        }
        date += Duration::days(1);
    }
    assert_eq!(lines_seen.len(), truth.lines.len());
    assert!(
        injured_absences > 5,
        "{injured_absences} absences in ten days"
    );
    // Christmas Eve: no games, empty answers.
    assert!(!truth.game_dates.contains(&"2024-12-24".to_string()));
    assert_eq!(
        truth
            .games
            .iter()
            .filter(|g| g.date == "2024-12-25")
            .count(),
        5
    );
}

/// Same seed, same bytes; and a date's files do not depend on the range around it.
#[test]
fn the_season_shape_is_deterministic() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let c = tempfile::tempdir().unwrap();
    let opts = SimOptions {
        from: d("2025-03-01"),
        to: d("2025-03-04"),
        seed: 3,
        ..SimOptions::default()
    };
    simulate_shaped(a.path(), &opts, ScheduleShape::Season).unwrap();
    simulate_shaped(b.path(), &opts, ScheduleShape::Season).unwrap();
    let fa = files_under(a.path());
    assert_eq!(fa, files_under(b.path()));
    let narrow = SimOptions {
        from: d("2025-03-02"),
        to: d("2025-03-02"),
        ..opts.clone()
    };
    simulate_shaped(c.path(), &narrow, ScheduleShape::Season).unwrap();
    let config = SourceConfig::replay("http://replay");
    for req in [
        nbac_player_boxscore::request(&config, narrow.from),
        oddsa_player_props::events_request(&config, narrow.from),
        espn_scoreboard::request(&config, narrow.from),
    ] {
        assert_eq!(read_at(a.path(), &req), read_at(c.path(), &req));
    }
    let other = tempfile::tempdir().unwrap();
    simulate_shaped(
        other.path(),
        &SimOptions {
            seed: 4,
            ..opts.clone()
        },
        ScheduleShape::Season,
    )
    .unwrap();
    assert_ne!(fa, files_under(other.path()));
}

/// A range across seasons: one CDN schedule lists every date; the summer is empty answers.
#[test]
fn a_range_across_seasons_keeps_one_schedule() {
    let dir = tempfile::tempdir().unwrap();
    let opts = SimOptions {
        from: d("2022-04-09"),
        to: d("2022-10-19"),
        seed: 9,
        ..SimOptions::default()
    };
    let truth = simulate_shaped(dir.path(), &opts, ScheduleShape::Season).unwrap();
    let config = SourceConfig::replay("http://replay");
    let cdn = nbac_schedule::request(&config);
    let games = nbac_schedule::parse(&read_at(dir.path(), &cdn)).unwrap();
    let regular = |g: &&nbac_schedule::ScheduledGame| g.game_id.starts_with("002");
    assert_eq!(
        games.iter().filter(regular).count(),
        2 * 1230,
        "2021-22 and 2022-23"
    );
    assert_eq!(
        nbac_schedule::games_on(games.clone(), "2022-04-10").len(),
        15
    );
    assert_eq!(
        nbac_schedule::games_on(games.clone(), "2022-10-18").len(),
        2
    );
    // After the last regular-season day: the play-in, then the playoffs into June.
    let play_in: Vec<_> = games
        .iter()
        .filter(|g| g.game_id.starts_with("00521"))
        .collect();
    assert_eq!(play_in.len(), 6);
    assert!(play_in.iter().all(|g| g.et_date() > "2022-04-10"));
    let playoffs: Vec<_> = games
        .iter()
        .filter(|g| g.game_id.starts_with("00421"))
        .collect();
    assert!(
        (4 * 15..=4 * 15 + 45).contains(&playoffs.len()),
        "{}",
        playoffs.len()
    );
    let finals = playoffs
        .iter()
        .filter(|g| g.game_id.starts_with("00421004"))
        .count();
    assert!((4..=7).contains(&finals));
    assert!(playoffs.iter().all(|g| g.et_date() > play_in[5].et_date()));
    assert_eq!(&truth.game_dates[..2], ["2022-04-09", "2022-04-10"]);
    assert_eq!(
        &truth.game_dates[truth.game_dates.len() - 2..],
        ["2022-10-18", "2022-10-19"]
    );
    assert!(truth.game_dates.iter().any(|d| d.as_str() > "2022-05-31"));
    for season in ["2021-10-19", "2022-10-18"] {
        let req = nbac_schedule_api::request(&config, d(season));
        assert_eq!(
            nbac_schedule_api::parse(&read_at(dir.path(), &req))
                .unwrap()
                .iter()
                .filter(|g| g.season_type_digit() == '2')
                .count(),
            1230
        );
    }
    // A summer day: every per-date source answers, with nothing in it.
    let summer = d("2022-07-15");
    let logs = nbac_player_boxscore::request(&config, summer);
    assert!(nbac_player_boxscore::parse(&read_at(dir.path(), &logs))
        .unwrap()
        .is_empty());
    let events = oddsa_player_props::events_request(&config, summer);
    assert!(
        oddsa_player_props::parse_events(&read_at(dir.path(), &events))
            .unwrap()
            .is_empty()
    );
    let board = espn_scoreboard::request(&config, summer);
    assert!(espn_scoreboard::parse(&read_at(dir.path(), &board))
        .unwrap()
        .is_empty());
    assert!(bdl_injuries::parse(&read_at(
        dir.path(),
        &bdl_injuries::request(&config, summer)
    ))
    .unwrap()
    .is_empty());
    let bdl = bdl_box_scores::request(&config, summer);
    assert!(bdl_box_scores::parse(&read_at(dir.path(), &bdl))
        .unwrap()
        .is_empty());
    let bp = bp_player_props::events_request(&config, summer);
    assert!(bp_player_props::parse_events(&read_at(dir.path(), &bp))
        .unwrap()
        .is_empty());
    // No game within a week: no injury report is published.
    let report =
        nbac_injury_report::request(&config, summer, sources::nbac_injury_report::REPORT_HOUR_ET);
    assert!(!replay::file_for(dir.path(), &report.path, &report.query).exists());
}
