//! Every Phase 1 source fetched through the replay server from a simulated range.

use chrono::Duration;
use nbaprops_activities::sources::SourceConfig;

use super::support::d;
use crate::*;

/// Every Phase 1 source of the registry, fetched through the replay server (real HTTP) over a
/// season-shape range that holds the end of the regular season, the play-in and the first
/// playoff games: every fetch succeeds, the per-game sources ask each game of D-1, and the
/// game log asks the play-in and playoff season types.
#[tokio::test]
async fn every_source_fetches_through_the_replay_server_into_the_playoffs() {
    use nbaprops_activities::{runner, Deps, DepsConfig};
    use nbaprops_proto::{registry, RunContext, ScrapeRequest};

    let dir = tempfile::tempdir().unwrap();
    let opts = SimOptions {
        from: d("2025-04-11"),
        to: d("2025-04-21"),
        seed: 7,
        ..SimOptions::default()
    };
    let truth = simulate_shaped(dir.path(), &opts, ScheduleShape::Season).unwrap();
    let play_in = truth
        .games
        .iter()
        .find(|g| g.game_id.starts_with("005"))
        .unwrap();
    let playoff = truth
        .games
        .iter()
        .find(|g| g.game_id.starts_with("004"))
        .unwrap();
    let server = crate::replay_server::ReplayServer::start(
        dir.path().to_path_buf(),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let data = tempfile::tempdir().unwrap();
    let deps = Deps::open(&DepsConfig::under(
        data.path(),
        SourceConfig::replay(&server.base_url()),
    ))
    .await
    .unwrap();
    // The day after the first play-in date and the day after the first playoff date: their
    // D-1 sources read those games.
    let after = |date: &str| (d(date) + Duration::days(1)).to_string();
    for (game_date, kind) in [
        (after(&play_in.date), "PlayIn"),
        (after(&playoff.date), "Playoffs"),
    ] {
        let ctx = RunContext {
            correlation_id: format!("day-{game_date}"),
            game_date: game_date.clone(),
            ..Default::default()
        };
        for level in registry::levels(1) {
            for spec in level {
                let r = runner::scrape(
                    &deps,
                    &ScrapeRequest {
                        context: Some(ctx.clone()),
                        source: spec.name.into(),
                    },
                )
                .await
                .unwrap_or_else(|e| panic!("{game_date} {}: {e}", spec.name));
                assert!(!r.payloads.is_empty(), "{game_date} {}: {r:?}", spec.name);
                assert!(r.warnings.is_empty(), "{game_date} {}: {r:?}", spec.name);
                let date = runner::data_date(&spec, &game_date).unwrap();
                let games = truth.games.iter().filter(|g| g.date == date).count();
                let listing = matches!(spec.name, "bdl_injuries" | "nbac_injury_report");
                if games > 0 && !listing {
                    assert!(r.records_seen > 0, "{game_date} {}: {r:?}", spec.name);
                }
                if matches!(spec.name, "nbac_team_boxscore" | "nbac_play_by_play") {
                    assert_eq!(r.payloads.len(), games, "{game_date} {}", spec.name);
                }
            }
        }
        let asked = server.requests();
        assert!(
            asked
                .iter()
                .any(|r| r.contains("leaguegamelog") && r.contains(&format!("SeasonType={kind}"))),
            "{kind}: {asked:?}"
        );
    }
    // The two schedules were fetched on both dates and kept once each.
    let kept: Vec<(String,)> = nbaprops_activities::storage::queries::testing::query(&deps.warehouse, nbaprops_activities::storage::sql::Sql::new("SELECT object_key FROM raw_payloads WHERE source IN ('nbac_schedule', 'nbac_schedule_api')",))
    .await
    .unwrap();
    assert_eq!(kept.len(), 2, "{kept:?}");
    assert!(
        kept.iter().all(|(k,)| k.contains("/season-2024-25/")),
        "{kept:?}"
    );
    server.stop().await;
}

/// A source that answers 429 with `Retry-After` makes the fetch fail as unavailable (retried)
/// carrying the wait it asked for, which becomes the delay before Temporal's next attempt.
#[tokio::test]
async fn a_429_with_retry_after_carries_the_wait_it_asked_for() {
    use nbaprops_activities::error::PipelineError;
    use nbaprops_activities::sources::http::SourceClient;
    use nbaprops_activities::sources::SourceRequest;

    let dir = tempfile::tempdir().unwrap();
    let server = crate::replay_server::ReplayServer::start_with_faults(
        dir.path().to_path_buf(),
        "127.0.0.1:0".parse().unwrap(),
        vec![crate::replay_server::FaultRule {
            path_contains: "odds".into(),
            fault: crate::replay_server::Fault::TooManyRequests {
                retry_after_secs: 60,
            },
            times: None,
        }],
    )
    .await
    .unwrap();
    let client = SourceClient::new(SourceConfig::replay(&server.base_url())).unwrap();
    let req = SourceRequest {
        base_url: server.base_url(),
        path: "/v4/sports/basketball_nba/odds".into(),
        query: vec![],
        request_key: "all".into(),
    };
    let err = client
        .get("oddsa_game_lines", "2025-01-13", &req)
        .await
        .unwrap_err();
    match &err {
        PipelineError::SourceUnavailable {
            retry_after,
            reason,
            ..
        } => {
            assert_eq!(*retry_after, Some(std::time::Duration::from_secs(60)));
            assert!(
                reason.contains("429") && reason.contains("Retry-After: 60"),
                "{reason}"
            );
        }
        other => panic!("{other:?}"),
    }
}
