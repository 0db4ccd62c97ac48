//! The pipeline graph as data: every source and processor, its phase and level, the date it
//! works on relative to the game date, and the tables it reads and writes.
//!
//! The workflows fan out from this list, the worker registers activities from it, the docs
//! print it (`nbaprops registry`), and later the backfill order and change propagation derive
//! from it. Add a processor here and nowhere else.

/// A phase of the day. Phase 1 fetches, 2 parses, 3 summarises games, 4 precomputes
/// per-player state, 5 predicts.
pub const PHASES: [u32; 5] = [1, 2, 3, 4, 5];

/// Grading: after the day, on its own workflow (`GradingWorkflow`, id `grade-{date}`), once
/// the date's box scores are in. Not one of the day's `PHASES`: no day plan includes it.
pub const GRADING_PHASE: u32 = 6;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcessorSpec {
    /// Unique name. The workflows run it as the activity id `{phase_prefix}.{name}`.
    pub name: &'static str,
    pub phase: u32,
    /// Order inside a phase: every processor of level N runs after all of level N-1.
    pub level: u32,
    /// The date whose partition it writes, relative to the game date (box scores are D-1).
    pub date_offset_days: i32,
    /// Tables (or `raw:{source}` raw-store prefixes) it reads.
    pub reads: &'static [&'static str],
    /// Tables (or `raw:{source}` prefixes) it writes.
    pub writes: &'static [&'static str],
    pub description: &'static str,
}

impl ProcessorSpec {
    /// The activity id (and Web UI summary) the workflows give this processor's activity:
    /// `raw.raw_nbac_schedule`. The activity *type* is per kind (`scrape`, `process`).
    pub fn activity_id(&self) -> String {
        format!("{}.{}", phase_prefix(self.phase), self.name)
    }
}

/// The activity-type prefix of a phase.
pub fn phase_prefix(phase: u32) -> &'static str {
    crate::Phase::from_number(phase).map_or("unknown", crate::Phase::prefix)
}

/// Phase 5 steps that run once per date, not per batch of players (training a model on the
/// history before the date). Every other Phase 5 processor runs per batch.
pub const PER_DATE: &[&str] = &["gbm_train"];

/// Whether a Phase 5 processor fans out over batches of players.
pub fn is_batched(spec: &ProcessorSpec) -> bool {
    spec.phase == 5 && !PER_DATE.contains(&spec.name)
}

/// Players per prediction batch in Phase 5 (the workflow's batches and the in-process runner's).
pub const PREDICTION_BATCH_SIZE: usize = 25;

/// Tables with more than one writer: the name registry, merged by every box-score source (the
/// newest game wins a player's name and team, so the order of writes does not matter), and the
/// predictions, where each system owns its own rows (keyed by player and system).
pub const SHARED_TABLES: &[&str] = &["players", "predictions"];

/// Raw-store sources that no Phase 1 scrape writes: bulk files kept by `nbaprops import`.
pub const IMPORTED_SOURCES: &[&str] = &[
    "raw:historical_team_games",
    "raw:historical_player_game_logs",
    "raw:historical_points_lines",
];

/// Raw-store sources that no scrape writes: injury updates, kept by the day workflow from its
/// `injury_update` signals (`record_injury_updates`).
pub const SIGNALLED_SOURCES: &[&str] = &["raw:injury_update"];

/// Every source and processor, in pipeline order.
pub fn specs() -> Vec<ProcessorSpec> {
    vec![
        // Phase 1: sources. Each fetches over HTTP and keeps the payload in the raw store.
        // Level 1: the season schedules (kept once per season), and the sources that depend on
        // nothing.
        ProcessorSpec {
            name: "nbac_schedule",
            phase: 1,
            level: 1,
            date_offset_days: 0,
            reads: &[],
            writes: &["raw:nbac_schedule"],
            description: "NBA.com CDN season schedule (scheduleLeagueV2_1.json), kept once per season",
        },
        ProcessorSpec {
            name: "nbac_schedule_api",
            phase: 1,
            level: 1,
            date_offset_days: 0,
            reads: &[],
            writes: &["raw:nbac_schedule_api"],
            description: "stats.nba.com scheduleleaguev2int for the date's season (past seasons too), kept once per season",
        },
        ProcessorSpec {
            name: "nbac_player_list",
            phase: 1,
            level: 1,
            date_offset_days: 0,
            reads: &[],
            writes: &["raw:nbac_player_list"],
            description: "stats.nba.com playerindex: the season's players and their current teams",
        },
        ProcessorSpec {
            name: "bdl_injuries",
            phase: 1,
            level: 1,
            date_offset_days: 0,
            reads: &[],
            writes: &["raw:bdl_injuries"],
            description: "Ball Don't Lie player_injuries: the injury list as of the date, every page",
        },
        // Level 2 sources take the date's game ids from the schedules kept at level 1 (per-game
        // sources ask one request per game; the game log picks its SeasonType from them), and
        // check their answers against it: an empty answer on a date the schedule lists games
        // for fails loudly.
        ProcessorSpec {
            name: "nbac_player_boxscore",
            phase: 1,
            level: 2,
            date_offset_days: -1,
            reads: &["raw:nbac_schedule", "raw:nbac_schedule_api"],
            writes: &["raw:nbac_player_boxscore"],
            description: "stats.nba.com leaguegamelog (PlayerOrTeam=P, SeasonType of the date's games) for the previous date",
        },
        ProcessorSpec {
            name: "nbac_team_boxscore",
            phase: 1,
            level: 2,
            date_offset_days: -1,
            reads: &["raw:nbac_schedule", "raw:nbac_schedule_api"],
            writes: &["raw:nbac_team_boxscore"],
            description: "stats.nba.com boxscoretraditionalv3, one per game of the previous date",
        },
        ProcessorSpec {
            name: "nbac_play_by_play",
            phase: 1,
            level: 2,
            date_offset_days: -1,
            reads: &["raw:nbac_schedule", "raw:nbac_schedule_api"],
            writes: &["raw:nbac_play_by_play"],
            description: "cdn.nba.com liveData play-by-play, one per game of the previous date",
        },
        ProcessorSpec {
            name: "bdl_box_scores",
            phase: 1,
            level: 2,
            date_offset_days: -1,
            reads: &["raw:nbac_schedule", "raw:nbac_schedule_api"],
            writes: &["raw:bdl_box_scores"],
            description: "Ball Don't Lie box_scores for the previous date, every page",
        },
        ProcessorSpec {
            name: "nbac_injury_report",
            phase: 1,
            level: 2,
            date_offset_days: 0,
            reads: &["raw:nbac_schedule", "raw:nbac_schedule_api"],
            writes: &["raw:nbac_injury_report"],
            description: "official injury report PDF of the date: the newest hourly slot up to 09AM ET (before the 10:00 cut-off)",
        },
        ProcessorSpec {
            name: "oddsa_player_props",
            phase: 1,
            level: 2,
            date_offset_days: 0,
            reads: &["raw:nbac_schedule", "raw:nbac_schedule_api"],
            writes: &["raw:oddsa_player_props"],
            description: "The Odds API v4: the date's events, then player_points odds per event",
        },
        ProcessorSpec {
            name: "oddsa_game_lines",
            phase: 1,
            level: 2,
            date_offset_days: 0,
            reads: &["raw:nbac_schedule", "raw:nbac_schedule_api"],
            writes: &["raw:oddsa_game_lines"],
            description: "The Odds API v4: the date's events, then spreads and totals per event",
        },
        ProcessorSpec {
            name: "bp_player_props",
            phase: 1,
            level: 2,
            date_offset_days: 0,
            reads: &["raw:nbac_schedule", "raw:nbac_schedule_api"],
            writes: &["raw:bp_player_props"],
            description: "BettingPros v3: the date's events, then player-points offers per event",
        },
        ProcessorSpec {
            name: "espn_scoreboard",
            phase: 1,
            level: 2,
            date_offset_days: 0,
            reads: &["raw:nbac_schedule", "raw:nbac_schedule_api"],
            writes: &["raw:espn_scoreboard"],
            description: "ESPN site API scoreboard of the date",
        },
        ProcessorSpec {
            name: "espn_roster",
            phase: 1,
            level: 2,
            date_offset_days: 0,
            reads: &["raw:nbac_schedule", "raw:nbac_schedule_api"],
            writes: &["raw:espn_roster"],
            description: "ESPN site API rosters (with injury notes) of the teams on the date's scoreboard",
        },
        // Phase 2: raw processors. One per source; each replaces its date partition.
        ProcessorSpec {
            name: "raw_nbac_schedule",
            phase: 2,
            level: 1,
            date_offset_days: 0,
            reads: &["raw:nbac_schedule"],
            writes: &["raw_nbac_schedule"],
            description: "the date's games: ids, teams, tip-off (UTC), status",
        },
        ProcessorSpec {
            name: "raw_nbac_player_boxscores",
            phase: 2,
            level: 1,
            date_offset_days: -1,
            reads: &["raw:nbac_player_boxscore"],
            writes: &["raw_nbac_player_boxscores", "players"],
            description: "one row per player-game of the previous date; keeps the player registry",
        },
        ProcessorSpec {
            name: "raw_oddsa_player_props",
            phase: 2,
            level: 1,
            date_offset_days: 0,
            reads: &["raw:oddsa_player_props"],
            writes: &["raw_oddsa_player_props"],
            description: "every player_points line snapshot (bookmaker, line, odds, snapshot time)",
        },
        ProcessorSpec {
            name: "raw_nbac_schedule_api",
            phase: 2,
            level: 1,
            date_offset_days: 0,
            reads: &["raw:nbac_schedule_api"],
            writes: &["raw_nbac_schedule_api"],
            description: "the date's games with status, final scores and season type (any season)",
        },
        ProcessorSpec {
            name: "raw_nbac_team_boxscores",
            phase: 2,
            level: 1,
            date_offset_days: -1,
            reads: &["raw:nbac_team_boxscore"],
            writes: &["raw_nbac_team_boxscores"],
            description: "team totals per game and team of the previous date, with the opponent",
        },
        ProcessorSpec {
            name: "raw_nbac_play_by_play",
            phase: 2,
            level: 1,
            date_offset_days: -1,
            reads: &["raw:nbac_play_by_play"],
            writes: &["raw_nbac_play_by_play"],
            description: "per player-game shots by zone (paint, mid-range, three) and free throws",
        },
        ProcessorSpec {
            name: "raw_nbac_injury_report",
            phase: 2,
            level: 1,
            date_offset_days: 0,
            reads: &["raw:nbac_injury_report"],
            writes: &["raw_nbac_injury_report"],
            description: "every entry of every official injury report of the date (report time in the key)",
        },
        ProcessorSpec {
            name: "raw_injury_updates",
            phase: 2,
            level: 1,
            date_offset_days: 0,
            reads: &["raw:injury_update"],
            writes: &["raw_injury_updates"],
            description: "injury updates signalled to the day (a player ruled out mid-day), resolved to player ids",
        },
        ProcessorSpec {
            name: "raw_nbac_player_list",
            phase: 2,
            level: 1,
            date_offset_days: 0,
            reads: &["raw:nbac_player_list"],
            writes: &["raw_nbac_player_list"],
            description: "the NBA.com player index: ids, names, teams, roster status",
        },
        ProcessorSpec {
            name: "raw_oddsa_game_lines",
            phase: 2,
            level: 1,
            date_offset_days: 0,
            reads: &["raw:oddsa_game_lines"],
            writes: &["raw_oddsa_game_lines"],
            description: "every spread and total snapshot (bookmaker, outcome, point, price)",
        },
        ProcessorSpec {
            name: "raw_bp_player_props",
            phase: 2,
            level: 1,
            date_offset_days: 0,
            reads: &["raw:bp_player_props"],
            writes: &["raw_bp_player_props"],
            description: "every BettingPros points line snapshot (book, line, odds, update time)",
        },
        ProcessorSpec {
            name: "raw_espn_scoreboard",
            phase: 2,
            level: 1,
            date_offset_days: 0,
            reads: &["raw:espn_scoreboard"],
            writes: &["raw_espn_scoreboard"],
            description: "ESPN's games of the date: ids, status, scores",
        },
        ProcessorSpec {
            name: "raw_espn_rosters",
            phase: 2,
            level: 1,
            date_offset_days: 0,
            reads: &["raw:espn_roster"],
            writes: &["raw_espn_rosters"],
            description: "rosters of the date's teams with ESPN injury notes",
        },
        ProcessorSpec {
            name: "raw_bdl_box_scores",
            phase: 2,
            level: 1,
            date_offset_days: -1,
            reads: &["raw:bdl_box_scores"],
            writes: &["raw_bdl_box_scores"],
            description: "Ball Don't Lie player lines of the previous date",
        },
        ProcessorSpec {
            name: "raw_bdl_injuries",
            phase: 2,
            level: 1,
            date_offset_days: 0,
            reads: &["raw:bdl_injuries"],
            writes: &["raw_bdl_injuries"],
            description: "Ball Don't Lie injury list as of the date",
        },
        ProcessorSpec {
            name: "raw_historical_team_games",
            phase: 2,
            level: 1,
            // The date's own games: in a backfill they are the date's schedule (their results
            // are only read by later dates' analytics, which use games before their date).
            date_offset_days: 0,
            reads: &["raw:historical_team_games"],
            writes: &["raw_historical_team_games"],
            description: "imported LeagueGameFinder team rows per game and team (nbaprops import)",
        },
        ProcessorSpec {
            name: "raw_historical_player_game_logs",
            phase: 2,
            level: 1,
            date_offset_days: -1,
            reads: &["raw:historical_player_game_logs"],
            writes: &["raw_historical_player_game_logs", "players"],
            description: "imported player game logs per player and date; keeps the player registry",
        },
        ProcessorSpec {
            name: "raw_historical_points_lines",
            phase: 2,
            level: 1,
            date_offset_days: 0,
            reads: &["raw:historical_points_lines"],
            writes: &["raw_historical_points_lines"],
            description: "imported player_points lines, every snapshot",
        },
        // Phase 3: analytics. Level 1 summarises the previous date's games; level 2 builds the
        // context of the game date's games from them.
        ProcessorSpec {
            name: "player_game_summary",
            phase: 3,
            level: 1,
            date_offset_days: -1,
            reads: &["raw_nbac_player_boxscores", "raw_historical_player_game_logs", "raw_nbac_team_boxscores", "raw_historical_team_games", "raw_nbac_play_by_play", "raw_oddsa_player_props", "raw_historical_points_lines"],
            writes: &["player_game_summary"],
            description: "box score, usage, true shooting, shot zones and the result against the pre-game line",
        },
        ProcessorSpec {
            name: "team_offense_game_summary",
            phase: 3,
            level: 1,
            date_offset_days: -1,
            reads: &["raw_nbac_player_boxscores", "raw_historical_player_game_logs", "raw_nbac_team_boxscores", "raw_historical_team_games"],
            writes: &["team_offense_game_summary"],
            description: "each team's points, possessions, pace and offensive rating",
        },
        ProcessorSpec {
            name: "team_defense_game_summary",
            phase: 3,
            level: 1,
            date_offset_days: -1,
            reads: &["raw_nbac_player_boxscores", "raw_historical_player_game_logs", "raw_nbac_team_boxscores", "raw_historical_team_games", "raw_nbac_play_by_play"],
            writes: &["team_defense_game_summary"],
            description: "what each team allowed: opponent shooting by zone, defensive rating",
        },
        ProcessorSpec {
            name: "upcoming_player_game_context",
            phase: 3,
            level: 2,
            date_offset_days: 0,
            reads: &["player_game_summary", "players", "raw_oddsa_game_lines", "raw_nbac_injury_report", "raw_injury_updates", "raw_oddsa_player_props", "raw_historical_points_lines", "raw_nbac_schedule", "raw_historical_team_games"],
            writes: &["upcoming_player_game_context"],
            description: "per player with a line: line and movement, spread, total, rest, workload, form, injury status",
        },
        ProcessorSpec {
            name: "upcoming_team_game_context",
            phase: 3,
            level: 2,
            date_offset_days: 0,
            reads: &["player_game_summary", "raw_oddsa_game_lines", "raw_nbac_injury_report", "raw_injury_updates", "raw_oddsa_player_props", "raw_historical_points_lines", "raw_nbac_schedule", "raw_historical_team_games"],
            writes: &["upcoming_team_game_context"],
            description: "per team playing: rest, back-to-back, spread, total, implied points, players out",
        },
        // Phase 4: precompute in three levels, all as of the game date from games before it.
        ProcessorSpec {
            name: "team_defense_zone_analysis",
            phase: 4,
            level: 1,
            date_offset_days: 0,
            reads: &["team_defense_game_summary", "team_offense_game_summary"],
            writes: &["team_defense_zone_analysis"],
            description: "per team, last 15 games before D: points allowed, defensive rating, pace, opponent FG% and shot share by zone, vs the league",
        },
        ProcessorSpec {
            name: "player_shot_zone_analysis",
            phase: 4,
            level: 1,
            date_offset_days: 0,
            reads: &["player_game_summary"],
            writes: &["player_shot_zone_analysis"],
            description: "per player, L10 and season: shot share, FG% and points per shot by zone, primary zone",
        },
        ProcessorSpec {
            name: "player_daily_cache",
            phase: 4,
            level: 2,
            date_offset_days: 0,
            reads: &["player_game_summary"],
            writes: &["player_daily_cache"],
            description: "per player as of the game date: L5/L10/season points, std, minutes (mean, std), usage",
        },
        ProcessorSpec {
            name: "player_composite_factors",
            phase: 4,
            level: 2,
            date_offset_days: 0,
            reads: &["upcoming_player_game_context", "upcoming_team_game_context", "player_game_summary", "player_shot_zone_analysis", "team_defense_zone_analysis"],
            writes: &["player_composite_factors"],
            description: "per player with a line: fatigue, zone mismatch, pace factor, usage spike",
        },
        ProcessorSpec {
            name: "ml_feature_store",
            phase: 4,
            level: 3,
            date_offset_days: 0,
            reads: &["upcoming_player_game_context", "upcoming_team_game_context", "player_daily_cache", "player_shot_zone_analysis", "team_defense_zone_analysis", "player_composite_factors"],
            writes: &["ml_feature_store"],
            description: "per player with a line: 32 named, versioned features (JSON vector, feature hash, missing count)",
        },
        // Phase 5: prediction systems. Level 1 prepares what a whole date shares (see
        // `PER_DATE`); level 2 fans the systems out over batches of players with a line;
        // level 3 combines them.
        ProcessorSpec {
            name: "gbm_train",
            phase: 5,
            level: 1,
            date_offset_days: 0,
            reads: &["ml_feature_store", "player_game_summary"],
            writes: &["model_artifacts"],
            description: "trains the date's gradient-boosted model on earlier feature rows (walk-forward); artifact by content hash",
        },
        ProcessorSpec {
            name: "moving_average",
            phase: 5,
            level: 2,
            date_offset_days: 0,
            reads: &["ml_feature_store", "upcoming_player_game_context", "raw_oddsa_player_props", "raw_historical_points_lines", "players"],
            writes: &["predictions"],
            description: "weighted recent form with rest, venue and pace adjustments",
        },
        ProcessorSpec {
            name: "matchup",
            phase: 5,
            level: 2,
            date_offset_days: 0,
            reads: &["ml_feature_store", "upcoming_player_game_context", "raw_oddsa_player_props", "raw_historical_points_lines", "players"],
            writes: &["predictions"],
            description: "form against the opponent's defence by zone and the game's pace",
        },
        ProcessorSpec {
            name: "similarity",
            phase: 5,
            level: 2,
            date_offset_days: 0,
            reads: &["ml_feature_store", "player_game_summary", "upcoming_player_game_context", "raw_oddsa_player_props", "raw_historical_points_lines", "players"],
            writes: &["predictions"],
            description: "the line plus the mean miss of the 50 nearest earlier player-games by context",
        },
        ProcessorSpec {
            name: "gbm",
            phase: 5,
            level: 2,
            date_offset_days: 0,
            reads: &["model_artifacts", "ml_feature_store", "upcoming_player_game_context", "raw_oddsa_player_props", "raw_historical_points_lines", "players"],
            writes: &["predictions"],
            description: "the date's gradient-boosted model: the line plus its predicted miss",
        },
        ProcessorSpec {
            name: "ensemble",
            phase: 5,
            level: 3,
            date_offset_days: 0,
            reads: &["predictions", "player_game_summary", "ml_feature_store", "upcoming_player_game_context", "raw_oddsa_player_props", "raw_historical_points_lines", "players"],
            writes: &["predictions"],
            description: "the systems weighted by their recent accuracy, pulled toward the line by a fitted alpha",
        },
        // Phase 6: grading, after the day (not in a day's plan: `GradingWorkflow` runs it). It
        // writes the game date's partition from the same date's box scores, which the day
        // after (D+1) summarises; the processor waits (retryably) until every game has them.
        ProcessorSpec {
            name: "prediction_grades",
            phase: GRADING_PHASE,
            level: 1,
            date_offset_days: 0,
            reads: &[
                "predictions",
                "player_game_summary",
                "raw_nbac_schedule",
                "raw_historical_team_games",
                "raw_oddsa_player_props",
                "raw_historical_points_lines",
            ],
            writes: &["prediction_grades"],
            description: "each live prediction against its box score: error, WIN / LOSS / PUSH / NO_BET / VOID, profit at the side's odds",
        },
    ]
}

/// The specs of one phase.
pub fn phase(phase: u32) -> Vec<ProcessorSpec> {
    specs().into_iter().filter(|s| s.phase == phase).collect()
}

/// The processors of a phase grouped by level, levels ascending, empty levels skipped.
pub fn levels(phase_no: u32) -> Vec<Vec<ProcessorSpec>> {
    let mut specs = phase(phase_no);
    specs.sort_by_key(|s| s.level);
    let mut out: Vec<Vec<ProcessorSpec>> = Vec::new();
    for s in specs {
        match out.last_mut() {
            Some(level) if level[0].level == s.level => level.push(s),
            _ => out.push(vec![s]),
        }
    }
    out
}

/// The registry as a day's plan: every phase's levels, in order.
pub fn day_plan() -> crate::DayPlan {
    crate::DayPlan {
        phases: PHASES
            .iter()
            .map(|p| crate::PhasePlan {
                phase: *p,
                levels: levels(*p)
                    .into_iter()
                    .map(|l| crate::ProcessorLevel {
                        level: l[0].level,
                        processors: l.iter().map(|s| s.name.to_string()).collect(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// Tables a processor reads at dates other than its own partition's: rolling windows over
/// earlier games, the history a system learns from, the newest kept schedule. A backfill step
/// may run a level right after the level before it, date by date in one child, only when no
/// processor of the level reads across dates a table that level wrote (see
/// [`backfill_steps`]). Tables that are not partitioned by date (`players`) always count as
/// read across dates. A processor not listed reads its own date only.
pub const HISTORY_READS: &[(&str, &[&str])] = &[
    // Phase 1, level 2: the games of a date come from the newest kept season schedule.
    (
        "nbac_player_boxscore",
        &["raw:nbac_schedule", "raw:nbac_schedule_api"],
    ),
    (
        "nbac_team_boxscore",
        &["raw:nbac_schedule", "raw:nbac_schedule_api"],
    ),
    (
        "nbac_play_by_play",
        &["raw:nbac_schedule", "raw:nbac_schedule_api"],
    ),
    (
        "bdl_box_scores",
        &["raw:nbac_schedule", "raw:nbac_schedule_api"],
    ),
    (
        "nbac_injury_report",
        &["raw:nbac_schedule", "raw:nbac_schedule_api"],
    ),
    (
        "oddsa_player_props",
        &["raw:nbac_schedule", "raw:nbac_schedule_api"],
    ),
    (
        "oddsa_game_lines",
        &["raw:nbac_schedule", "raw:nbac_schedule_api"],
    ),
    (
        "bp_player_props",
        &["raw:nbac_schedule", "raw:nbac_schedule_api"],
    ),
    (
        "espn_scoreboard",
        &["raw:nbac_schedule", "raw:nbac_schedule_api"],
    ),
    (
        "espn_roster",
        &["raw:nbac_schedule", "raw:nbac_schedule_api"],
    ),
    // Phase 3, level 2: a season of games and 200 days of a player's.
    ("upcoming_player_game_context", &["player_game_summary"]),
    ("upcoming_team_game_context", &["player_game_summary"]),
    // Phase 4: season-to-date windows.
    (
        "team_defense_zone_analysis",
        &["team_defense_game_summary", "team_offense_game_summary"],
    ),
    ("player_shot_zone_analysis", &["player_game_summary"]),
    ("player_daily_cache", &["player_game_summary"]),
    ("player_composite_factors", &["player_game_summary"]),
    // Phase 5: the labelled history the systems learn from, the ensemble's graded predictions.
    ("gbm_train", &["ml_feature_store", "player_game_summary"]),
    ("similarity", &["ml_feature_store", "player_game_summary"]),
    ("ensemble", &["predictions", "player_game_summary"]),
];

/// Tables without a date partition: every reader sees what any date wrote.
const UNPARTITIONED: &[&str] = &["players"];

/// What each phase's quality gate (`ops::quality`) reads, with the partition's date relative
/// to the gate's date. Phase 2's and 3's check the box scores of the day before; Phases 2, 4 and
/// 5 resolve the date's lines through the name registry (`players`, not partitioned).
pub const GATE_READS: &[(u32, &[(&str, i32)])] = &[
    (
        2,
        &[
            ("raw_nbac_player_boxscores", -1),
            ("raw_historical_player_game_logs", -1),
            ("raw_nbac_schedule", -1),
            ("raw_nbac_schedule", 0),
            ("raw_historical_team_games", -1),
            ("raw_historical_team_games", 0),
            ("raw_oddsa_player_props", 0),
            ("raw_historical_points_lines", 0),
            ("players", 0),
        ],
    ),
    (
        3,
        &[
            ("raw_nbac_player_boxscores", -1),
            ("raw_historical_player_game_logs", -1),
            ("player_game_summary", -1),
        ],
    ),
    (
        4,
        &[
            ("player_daily_cache", 0),
            ("upcoming_player_game_context", 0),
            ("raw_oddsa_player_props", 0),
            ("raw_historical_points_lines", 0),
            ("players", 0),
        ],
    ),
    (
        5,
        &[
            ("predictions", 0),
            ("ml_feature_store", 0),
            ("raw_oddsa_player_props", 0),
            ("raw_historical_points_lines", 0),
            ("players", 0),
        ],
    ),
];

/// Whether `spec` reads `table` at dates other than its own.
pub fn reads_across_dates(spec: &ProcessorSpec, table: &str) -> bool {
    UNPARTITIONED.contains(&table)
        || HISTORY_READS
            .iter()
            .any(|(name, tables)| *name == spec.name && tables.contains(&table))
}

/// A backfill step being built: its levels and what they write (table, date offset).
struct StepBuilder {
    parts: Vec<crate::StepPart>,
    written: Vec<(&'static str, i32)>,
    gate_before: u32,
}

impl StepBuilder {
    /// Whether `level` can run right after this step's levels in the same date's child: no
    /// processor of it reads a table they write across dates, or at another date's partition.
    fn takes(&self, level: &[ProcessorSpec]) -> bool {
        level.iter().all(|spec| {
            spec.reads.iter().all(|table| {
                self.written.iter().all(|(written, offset)| {
                    written != table
                        || (*offset == spec.date_offset_days && !reads_across_dates(spec, table))
                })
            })
        })
    }

    /// Whether the gate of `phase` can run in this step's child right after its last level:
    /// it reads nothing the step writes but that date's own partition. A gate whose reads are
    /// not listed waits for every date, the safe way.
    fn fits_gate(&self, phase: u32) -> bool {
        let Some((_, reads)) = GATE_READS.iter().find(|(p, _)| *p == phase) else {
            return false;
        };
        reads.iter().all(|(table, at)| {
            self.written.iter().all(|(written, offset)| {
                written != table || (offset == at && !UNPARTITIONED.contains(table))
            })
        })
    }

    fn add(&mut self, level: &[ProcessorSpec]) {
        let names = |offset: i32| -> Vec<String> {
            level
                .iter()
                .filter(|s| s.date_offset_days == offset)
                .map(|s| s.name.to_string())
                .collect()
        };
        self.parts.push(crate::StepPart {
            phase: level[0].phase,
            level: level[0].level,
            same_day: names(0),
            day_before: names(-1),
            gate_after: false,
        });
        for spec in level {
            self.written
                .extend(spec.writes.iter().map(|t| (*t, spec.date_offset_days)));
        }
    }

    /// The step, named by its last phase and that phase's first level in it.
    fn finish(self) -> crate::BackfillStep {
        let last = self.parts.last().map_or(0, |p| p.phase);
        let level = self
            .parts
            .iter()
            .find(|p| p.phase == last)
            .map_or(0, |p| p.level);
        crate::BackfillStep {
            phase: last,
            level,
            parts: self.parts,
            gate_before: self.gate_before,
        }
    }
}

/// The steps of a backfill of phases `first..=last`. Each step runs over all its dates before
/// the next starts, so a processor that reads earlier dates of an earlier level (rolling
/// windows: a date's context reads every summary before it; the ensemble reads the systems'
/// earlier predictions) finds them complete.
///
/// A step is one child per date, and most of a long backfill's cost is the Temporal server
/// handling those children, so a step takes as many consecutive levels as it safely can: a
/// level joins the step before it when none of its processors reads across dates
/// ([`HISTORY_READS`]) a table the step writes (Phase 1's fetches and Phase 2's parsing of
/// them; Phase 4's levels; `gbm_train` and the systems). Each phase 2-5 ends with its quality
/// gate ([`GATE_READS`]). A gate that reads only its date's partitions of what its step wrote
/// runs in the step's child right after the phase's last level (`gate_after`), and the step
/// can go on into the next phase. One that reads more (Phase 2's resolves lines through the
/// name registry, which every date of its step writes) waits until the phase is complete for
/// every date: it runs first in the next step's children (`gate_before`), or as a step of its
/// own after the range's last phase. Either way what a gate measures is the same however the
/// dates were interleaved, so a rerun passes or fails the same dates. Phase 1 has none
/// (Phase 2's checks what it kept); Phase 5 is followed by grading, which checks itself.
pub fn backfill_steps(first: u32, last: u32) -> Vec<crate::BackfillStep> {
    let mut phases: Vec<u32> = PHASES
        .iter()
        .copied()
        .filter(|p| (first..=last).contains(p))
        .collect();
    if phases.contains(&5) {
        phases.push(GRADING_PHASE);
    }
    let mut out = Vec::new();
    let mut current: Option<StepBuilder> = None;
    let mut pending_gate = 0;
    for phase in phases {
        for level in levels(phase) {
            let joins = pending_gate == 0 && current.as_ref().is_some_and(|c| c.takes(&level));
            if !joins {
                out.extend(current.take().map(StepBuilder::finish));
                current = Some(StepBuilder {
                    parts: vec![],
                    written: vec![],
                    gate_before: std::mem::take(&mut pending_gate),
                });
            }
            current.as_mut().expect("set above").add(&level);
        }
        if (2..=5).contains(&phase) {
            match current.as_mut() {
                Some(step) if step.fits_gate(phase) => {
                    if let Some(last) = step.parts.last_mut() {
                        last.gate_after = true;
                    }
                }
                _ => {
                    out.extend(current.take().map(StepBuilder::finish));
                    pending_gate = phase;
                }
            }
        }
    }
    out.extend(current.take().map(StepBuilder::finish));
    if pending_gate != 0 {
        out.push(crate::BackfillStep {
            phase: pending_gate,
            level: GATE_STEP,
            gate_before: pending_gate,
            parts: vec![],
        });
    }
    out
}

/// What a backfill step runs, for progress lines: `phase 3 gate, phase 4 levels 1-3`.
pub fn describe_backfill_step(step: &crate::BackfillStep) -> String {
    let mut out: Vec<String> = Vec::new();
    if step.gate_before != 0 {
        out.push(format!("phase {} gate", step.gate_before));
    }
    let mut i = 0;
    while i < step.parts.len() {
        let phase = step.parts[i].phase;
        let levels: Vec<u32> = step.parts[i..]
            .iter()
            .take_while(|p| p.phase == phase)
            .map(|p| p.level)
            .collect();
        let gated = step.parts[i + levels.len() - 1].gate_after;
        i += levels.len();
        out.push(match (phase, levels.as_slice()) {
            (GRADING_PHASE, _) => "grading".to_string(),
            (_, [one]) => format!("phase {phase} level {one}"),
            (_, many) => format!("phase {phase} levels {}-{}", many[0], many[many.len() - 1]),
        });
        if gated {
            out.push(format!("phase {phase} gate"));
        }
    }
    out.join(", ")
}

/// The plan of an incremental rerun after `changed` processors wrote new rows: those
/// processors, then phase by phase every processor that reads a table written by one already
/// in the plan. Once-per-date steps (`PER_DATE`: training on the history before the date) are
/// left out: a change on the date itself cannot reach them. Phases without a processor are
/// left out too.
pub fn rerun_plan(changed: &[&str]) -> crate::DayPlan {
    let mut written: std::collections::BTreeSet<&str> = std::collections::BTreeSet::new();
    let mut phases = Vec::new();
    for phase in PHASES.iter().copied().filter(|p| *p >= 2) {
        let mut levels_out = Vec::new();
        for level in levels(phase) {
            let picked: Vec<ProcessorSpec> = level
                .into_iter()
                .filter(|s| {
                    changed.contains(&s.name)
                        || (!PER_DATE.contains(&s.name)
                            && s.reads.iter().any(|r| written.contains(r)))
                })
                .collect();
            if picked.is_empty() {
                continue;
            }
            written.extend(picked.iter().flat_map(|s| s.writes.iter().copied()));
            levels_out.push(crate::ProcessorLevel {
                level: picked[0].level,
                processors: picked.iter().map(|s| s.name.to_string()).collect(),
            });
        }
        if !levels_out.is_empty() {
            phases.push(crate::PhasePlan {
                phase,
                levels: levels_out,
            });
        }
    }
    crate::DayPlan { phases }
}

/// The `level` of a backfill's gate step (levels start at 1).
pub const GATE_STEP: u32 = 0;

/// One date of one step: what runs, and which gates.
#[derive(Debug, Clone, PartialEq)]
pub struct DateStep {
    pub date: String,
    /// The step's levels with this date's processors, in order (empty levels left out).
    pub parts: Vec<crate::DatePart>,
    /// The phase whose gate runs first on this date (a game date); 0 for none.
    pub gate_before: u32,
}

/// The dates a step runs on, in date order, with the processors each runs: the step's same-day
/// processors on game dates, its day-before ones on the day after a game date; gates on game
/// dates.
pub fn dates_of(plan: &crate::BackfillPlan, step: &crate::BackfillStep) -> Vec<DateStep> {
    let games: std::collections::BTreeSet<&str> =
        plan.game_dates.iter().map(String::as_str).collect();
    let after: std::collections::BTreeSet<&str> =
        plan.after_game_dates.iter().map(String::as_str).collect();
    let all: std::collections::BTreeSet<&str> = games.union(&after).copied().collect();
    let on = |d: &str, same_day: &[String], day_before: &[String]| -> Vec<String> {
        let mut processors = Vec::new();
        if games.contains(d) {
            processors.extend(same_day.iter().cloned());
        }
        if after.contains(d) {
            processors.extend(day_before.iter().cloned());
        }
        processors
    };
    all.iter()
        .filter_map(|d| {
            let parts: Vec<crate::DatePart> = step
                .parts
                .iter()
                .map(|p| crate::DatePart {
                    phase: p.phase,
                    level: p.level,
                    processors: on(d, &p.same_day, &p.day_before),
                    gate_after: p.gate_after && games.contains(d),
                })
                .filter(|p| !p.processors.is_empty() || p.gate_after)
                .collect();
            let gate_before = if games.contains(d) {
                step.gate_before
            } else {
                0
            };
            (!parts.is_empty() || gate_before != 0).then(|| DateStep {
                date: d.to_string(),
                parts,
                gate_before,
            })
        })
        .collect()
}

/// Looks a processor up by name.
pub fn get(name: &str) -> Option<ProcessorSpec> {
    specs().into_iter().find(|s| s.name == name)
}

/// Finds a processor by its activity id (`raw.raw_nbac_schedule`).
pub fn by_activity_id(activity_id: &str) -> Option<ProcessorSpec> {
    specs().into_iter().find(|s| s.activity_id() == activity_id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet};

    #[test]
    fn backfill_steps_follow_phases_and_levels_and_cover_every_processor() {
        let steps = backfill_steps(1, 5);
        let described: Vec<String> = steps.iter().map(describe_backfill_step).collect();
        assert_eq!(
            described,
            [
                "phase 1 level 1",
                "phase 1 level 2, phase 2 level 1",
                "phase 2 gate, phase 3 level 1",
                "phase 3 level 2, phase 3 gate, phase 4 levels 1-3, phase 4 gate",
                "phase 5 levels 1-2",
                "phase 5 level 3, phase 5 gate, grading",
            ]
        );
        // Phase by phase, level by level.
        let order: Vec<(u32, u32)> = steps
            .iter()
            .flat_map(|s| s.parts.iter().map(|p| (p.phase, p.level)))
            .collect();
        let mut sorted = order.clone();
        sorted.sort();
        assert_eq!(order, sorted);
        assert_eq!(steps.last().unwrap().phase, GRADING_PHASE);
        let mut covered: Vec<String> = steps
            .iter()
            .flat_map(|s| s.parts.iter())
            .flat_map(|p| p.same_day.iter().chain(p.day_before.iter()).cloned())
            .collect();
        covered.sort();
        let mut all: Vec<String> = specs().iter().map(|s| s.name.to_string()).collect();
        all.sort();
        assert_eq!(covered, all, "every processor once");
        // Box scores are the day before's; the summaries of them too.
        let p3 = steps.iter().find(|s| s.phase == 3 && s.level == 1).unwrap();
        assert!(p3.parts[0]
            .day_before
            .contains(&"player_game_summary".to_string()));
        // A level that reads earlier dates of a table starts a step after the one writing it.
        let step_of = |name: &str| {
            steps
                .iter()
                .position(|s| {
                    s.parts
                        .iter()
                        .any(|p| p.same_day.iter().chain(&p.day_before).any(|n| n == name))
                })
                .unwrap()
        };
        assert!(step_of("upcoming_player_game_context") > step_of("player_game_summary"));
        assert!(step_of("ensemble") > step_of("gbm"));
        assert!(step_of("nbac_player_boxscore") > step_of("nbac_schedule"));
        assert_eq!(
            step_of("raw_nbac_player_boxscores"),
            step_of("nbac_player_boxscore")
        );
        assert_eq!(step_of("gbm"), step_of("gbm_train"));
        assert_eq!(
            step_of("ml_feature_store"),
            step_of("player_shot_zone_analysis")
        );
        // Each phase 2-5's gate, once, after its phase's last level and before anything of a
        // later phase: Phase 2's (it reads the name registry its step writes on every date)
        // first in the next step, the others in their step.
        let mut gates: Vec<u32> = steps
            .iter()
            .map(|s| s.gate_before)
            .filter(|g| *g != 0)
            .collect();
        assert_eq!(gates, vec![2]);
        for s in steps.iter().filter(|s| s.gate_before != 0) {
            assert!(s.parts.iter().all(|p| p.phase > s.gate_before));
        }
        for s in &steps {
            for (i, p) in s.parts.iter().enumerate().filter(|(_, p)| p.gate_after) {
                gates.push(p.phase);
                assert!(s.parts[..i].iter().all(|q| q.phase <= p.phase));
                assert!(s.parts[i + 1..].iter().all(|q| q.phase > p.phase));
            }
        }
        assert_eq!(gates, vec![2, 3, 4, 5]);
        // Phases 2-4 only: no predictions, no grading, Phase 4's gate in its step.
        let partial = backfill_steps(2, 4);
        assert!(partial.iter().all(|s| (2..=4).contains(&s.phase)));
        let last = partial.last().unwrap();
        assert!(last.parts.last().unwrap().gate_after);
        // Phase 2 alone: its gate, which waits for every date, is a step of its own.
        let phase2 = backfill_steps(2, 2);
        let last = phase2.last().unwrap();
        assert!(last.gate_before == 2 && last.parts.is_empty());
        assert_eq!((last.phase, last.level), (2, GATE_STEP));
        assert_eq!(describe_backfill_step(last), "phase 2 gate");
    }

    #[test]
    fn history_reads_name_real_processors_and_tables_they_read() {
        for (name, tables) in HISTORY_READS {
            let spec = get(name).unwrap_or_else(|| panic!("{name} is not in the registry"));
            for t in *tables {
                assert!(spec.reads.contains(t), "{name} does not read {t}");
            }
        }
    }

    #[test]
    fn dates_of_a_merged_step_keeps_each_level_and_gates_game_dates_only() {
        let plan = crate::BackfillPlan {
            game_dates: vec!["2025-01-06".into()],
            after_game_dates: vec!["2025-01-07".into()],
            steps: backfill_steps(1, 5),
            warnings: vec![],
        };
        let merged = plan.steps.iter().find(|s| s.phase == 2).unwrap();
        let dates = dates_of(&plan, merged);
        assert_eq!(dates.len(), 2);
        let (game, after) = (&dates[0], &dates[1]);
        assert_eq!((game.parts[0].phase, game.parts[1].phase), (1, 2));
        // The day after runs only the day-before fetches and their parsing.
        assert!(after.parts[0]
            .processors
            .contains(&"nbac_player_boxscore".to_string()));
        assert!(!after.parts[0]
            .processors
            .contains(&"oddsa_player_props".to_string()));
        assert!(after.parts[1]
            .processors
            .contains(&"raw_nbac_player_boxscores".to_string()));
        let p3 = plan
            .steps
            .iter()
            .find(|s| s.phase == 3 && s.level == 1)
            .unwrap();
        let dates = dates_of(&plan, p3);
        assert_eq!(dates[0].gate_before, 2);
        assert_eq!(dates[1].gate_before, 0, "gates run on game dates");
    }

    #[test]
    fn an_injury_rerun_runs_only_what_reads_the_updates() {
        let plan = rerun_plan(&["raw_injury_updates"]);
        let names = |phase: u32| -> Vec<String> {
            plan.phases
                .iter()
                .filter(|p| p.phase == phase)
                .flat_map(|p| p.levels.iter().flat_map(|l| l.processors.clone()))
                .collect()
        };
        assert_eq!(names(2), vec!["raw_injury_updates"]);
        let p3 = names(3);
        assert!(p3.contains(&"upcoming_player_game_context".to_string()));
        assert!(p3.contains(&"upcoming_team_game_context".to_string()));
        assert!(!p3.contains(&"player_game_summary".to_string()), "{p3:?}");
        let p4 = names(4);
        assert!(p4.contains(&"ml_feature_store".to_string()), "{p4:?}");
        let p5 = names(5);
        assert!(p5.contains(&"ensemble".to_string()), "{p5:?}");
        assert!(!p5.contains(&"gbm_train".to_string()), "{p5:?}");
        // Levels stay in order and each keeps its registry number.
        for p in &plan.phases {
            let lv: Vec<u32> = p.levels.iter().map(|l| l.level).collect();
            let mut sorted = lv.clone();
            sorted.sort();
            assert_eq!(lv, sorted);
        }
    }

    #[test]
    fn names_and_activity_ids_are_unique() {
        let mut names = HashSet::new();
        let mut ids = HashSet::new();
        for s in specs() {
            assert!(names.insert(s.name), "duplicate processor name {}", s.name);
            assert!(
                ids.insert(s.activity_id()),
                "duplicate activity id {}",
                s.name
            );
        }
    }

    #[test]
    fn every_table_has_exactly_one_writer() {
        let mut writers: HashMap<&str, &str> = HashMap::new();
        for s in specs() {
            for w in s.writes.iter().filter(|w| !SHARED_TABLES.contains(w)) {
                if let Some(other) = writers.insert(w, s.name) {
                    panic!("{w} written by both {other} and {}", s.name);
                }
            }
        }
    }

    /// Every read is produced strictly earlier: an earlier phase, or an earlier level of the
    /// same phase. This is what makes the graph acyclic and the fan-out order valid. (A
    /// processor may read its own rows of earlier dates: the ensemble's history.)
    #[test]
    fn every_read_comes_from_an_earlier_phase_or_level() {
        let all = specs();
        for s in &all {
            for r in s
                .reads
                .iter()
                .filter(|r| !IMPORTED_SOURCES.contains(r) && !SIGNALLED_SOURCES.contains(r))
            {
                let writer = all
                    .iter()
                    .filter(|w| w.writes.contains(r) && w.name != s.name)
                    .max_by_key(|w| (w.phase, w.level))
                    .unwrap_or_else(|| panic!("{} reads {r}, which nothing writes", s.name));
                assert!(
                    (writer.phase, writer.level) < (s.phase, s.level),
                    "{} (phase {} level {}) reads {r} from {} (phase {} level {})",
                    s.name,
                    s.phase,
                    s.level,
                    writer.name,
                    writer.phase,
                    writer.level
                );
            }
        }
    }

    #[test]
    fn every_phase_has_a_processor_and_sources_read_only_raw_payloads() {
        for p in PHASES {
            assert!(!phase(p).is_empty(), "phase {p} is empty");
        }
        assert!(phase(1)
            .iter()
            .all(|s| s.reads.iter().all(|r| r.starts_with("raw:"))));
    }

    /// Grading runs on its own workflow after the day: never in a day's plan, and its
    /// activity id is `grade.prediction_grades`.
    #[test]
    fn grading_is_phase_6_and_outside_the_day() {
        let spec = get("prediction_grades").unwrap();
        assert_eq!(spec.phase, GRADING_PHASE);
        assert!(!PHASES.contains(&GRADING_PHASE));
        assert_eq!(spec.activity_id(), "grade.prediction_grades");
        assert_eq!(phase(GRADING_PHASE), vec![spec]);
        let plan = day_plan();
        assert_eq!(
            plan.phases.iter().map(|p| p.phase).collect::<Vec<_>>(),
            PHASES.to_vec()
        );
        assert!(plan
            .phases
            .iter()
            .flat_map(|p| p.levels.iter())
            .all(|l| !l.processors.iter().any(|n| n == "prediction_grades")));
        // Every spec's phase is a day phase or grading: nothing else has a prefix.
        assert!(specs()
            .iter()
            .all(|s| PHASES.contains(&s.phase) || s.phase == GRADING_PHASE));
        assert!(specs().iter().all(|s| phase_prefix(s.phase) != "unknown"));
    }

    #[test]
    fn levels_are_ordered() {
        let l = levels(4);
        assert!(l.windows(2).all(|w| w[0][0].level < w[1][0].level));
        assert_eq!(by_activity_id("raw.raw_nbac_schedule").unwrap().phase, 2);
    }
}
