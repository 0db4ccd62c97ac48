-- The warehouse schema for SQLite. One migration folder per database (PostgreSQL's is in
-- ../postgres); `tests/warehouse_postgres.rs` checks that both give
-- the same tables, columns, kinds and keys. Column kinds: INTEGER/BIGINT hold i64, REAL/DOUBLE
-- PRECISION hold f64, TEXT holds strings and UTC RFC 3339 timestamps.

CREATE TABLE raw_payloads (
    object_key   TEXT PRIMARY KEY,
    source       TEXT NOT NULL,
    data_date    TEXT NOT NULL,
    request_key  TEXT NOT NULL,
    blake3       TEXT NOT NULL,
    bytes        INTEGER NOT NULL,
    url          TEXT NOT NULL,
    status       TEXT NOT NULL,            -- 'ok' or 'quarantined'
    reason       TEXT,
    first_seen_at TEXT NOT NULL
);

CREATE INDEX raw_payloads_by_source_date ON raw_payloads (source, data_date);

CREATE TABLE raw_nbac_schedule (
    game_date       TEXT NOT NULL,
    game_id         TEXT NOT NULL,
    home_team_id    INTEGER NOT NULL,
    home_team       TEXT NOT NULL,
    away_team_id    INTEGER NOT NULL,
    away_team       TEXT NOT NULL,
    start_time_utc  TEXT NOT NULL,
    game_status     INTEGER NOT NULL,
    row_hash        TEXT NOT NULL,
    written_at      TEXT NOT NULL,
    PRIMARY KEY (game_date, game_id)
);

CREATE TABLE raw_nbac_player_boxscores (
    game_date   TEXT NOT NULL,
    game_id     TEXT NOT NULL,
    player_id   INTEGER NOT NULL,
    player_name TEXT NOT NULL,
    team_id     INTEGER NOT NULL,
    team        TEXT NOT NULL,
    opponent    TEXT NOT NULL,
    home        INTEGER NOT NULL,
    minutes     REAL,
    fgm INTEGER, fga INTEGER, fg3m INTEGER, fg3a INTEGER, ftm INTEGER, fta INTEGER,
    reb INTEGER, ast INTEGER, tov INTEGER,
    points      INTEGER NOT NULL,
    plus_minus  INTEGER,
    row_hash    TEXT NOT NULL,
    written_at  TEXT NOT NULL,
    PRIMARY KEY (game_date, game_id, player_id)
);

CREATE TABLE players (
    player_id     INTEGER PRIMARY KEY,
    player_name   TEXT NOT NULL,
    player_lookup TEXT NOT NULL,
    team          TEXT NOT NULL,
    last_game_date TEXT NOT NULL
);

CREATE INDEX players_by_lookup ON players (player_lookup);

CREATE TABLE raw_oddsa_player_props (
    game_date     TEXT NOT NULL,
    event_id      TEXT NOT NULL,
    bookmaker     TEXT NOT NULL,
    player_name   TEXT NOT NULL,   -- the sportsbook's spelling
    player_lookup TEXT NOT NULL,
    snapshot_time TEXT NOT NULL,   -- UTC, when the book last updated the market
    line          REAL NOT NULL,
    over_price    INTEGER,
    under_price   INTEGER,
    commence_time TEXT NOT NULL,
    home_team     TEXT NOT NULL,
    away_team     TEXT NOT NULL,
    row_hash      TEXT NOT NULL,
    written_at    TEXT NOT NULL,
    PRIMARY KEY (game_date, event_id, bookmaker, player_lookup, snapshot_time)
);

CREATE TABLE predictions (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    game_date        TEXT NOT NULL,
    player_id        INTEGER NOT NULL,
    system           TEXT NOT NULL,
    model_version    TEXT NOT NULL,
    player_name      TEXT NOT NULL,
    predicted_points REAL NOT NULL,
    line             REAL NOT NULL,
    line_source      TEXT NOT NULL,
    line_snapshot_time TEXT NOT NULL,
    recommendation   TEXT NOT NULL,  -- OVER / UNDER / PASS
    edge             REAL NOT NULL,
    confidence       REAL NOT NULL,
    feature_hash     TEXT NOT NULL,
    row_hash         TEXT NOT NULL,
    correlation_id   TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    superseded_at    TEXT,
    over_price       INTEGER,
    under_price      INTEGER
);
-- One live prediction per player, system and date: two writers racing on one key cannot both win.
CREATE UNIQUE INDEX predictions_live ON predictions (game_date, player_id, system) WHERE superseded_at IS NULL;

CREATE TABLE raw_nbac_schedule_api (
    game_date       TEXT NOT NULL,
    game_id         TEXT NOT NULL,
    season_type     TEXT NOT NULL,      -- game id digit: 1 pre, 2 regular, 3 All-Star, 4 playoffs, 5 play-in, 6 Cup final
    status          INTEGER NOT NULL,   -- 1 scheduled, 2 in progress, 3 final
    status_text     TEXT NOT NULL,
    start_time_utc  TEXT,
    home_team_id    INTEGER NOT NULL,
    home_team       TEXT NOT NULL,
    home_score      INTEGER,            -- NULL until final
    away_team_id    INTEGER NOT NULL,
    away_team       TEXT NOT NULL,
    away_score      INTEGER,
    row_hash        TEXT NOT NULL,
    written_at      TEXT NOT NULL,
    PRIMARY KEY (game_date, game_id)
);

CREATE TABLE raw_nbac_team_boxscores (
    game_date        TEXT NOT NULL,
    game_id          TEXT NOT NULL,
    team_id          INTEGER NOT NULL,
    team             TEXT NOT NULL,
    opponent_team_id INTEGER NOT NULL,
    opponent         TEXT NOT NULL,
    home             INTEGER,           -- 1 / 0; NULL from v2, which does not say
    minutes          REAL NOT NULL,     -- five times the game length
    points           INTEGER NOT NULL,
    fgm INTEGER NOT NULL, fga INTEGER NOT NULL,
    fg3m INTEGER NOT NULL, fg3a INTEGER NOT NULL,
    ftm INTEGER NOT NULL, fta INTEGER NOT NULL,
    oreb INTEGER NOT NULL, dreb INTEGER NOT NULL, reb INTEGER NOT NULL,
    ast INTEGER NOT NULL, stl INTEGER NOT NULL, blk INTEGER NOT NULL,
    tov INTEGER NOT NULL, pf INTEGER NOT NULL,
    plus_minus       REAL,
    players_played   INTEGER NOT NULL,  -- player lines with minutes
    row_hash         TEXT NOT NULL,
    written_at       TEXT NOT NULL,
    PRIMARY KEY (game_date, game_id, team_id)
);

CREATE TABLE raw_nbac_play_by_play (
    game_date        TEXT NOT NULL,
    game_id          TEXT NOT NULL,
    player_id        INTEGER NOT NULL,
    player_name      TEXT NOT NULL,     -- the feed's "J. Doe" form
    team_id          INTEGER NOT NULL,
    team             TEXT NOT NULL,
    opponent_team_id INTEGER NOT NULL,
    home             INTEGER NOT NULL,
    paint_fgm INTEGER NOT NULL, paint_fga INTEGER NOT NULL, paint_points INTEGER NOT NULL,
    mid_range_fgm INTEGER NOT NULL, mid_range_fga INTEGER NOT NULL, mid_range_points INTEGER NOT NULL,
    three_fgm INTEGER NOT NULL, three_fga INTEGER NOT NULL, three_points INTEGER NOT NULL,
    unzoned_fgm INTEGER NOT NULL, unzoned_fga INTEGER NOT NULL,
    ftm INTEGER NOT NULL, fta INTEGER NOT NULL,
    points           INTEGER NOT NULL,  -- every made shot and free throw
    row_hash         TEXT NOT NULL,
    written_at       TEXT NOT NULL,
    PRIMARY KEY (game_date, game_id, player_id)
);

CREATE TABLE raw_nbac_injury_report (
    report_date    TEXT NOT NULL,       -- the date the report was published (the data date)
    report_time    TEXT NOT NULL,       -- Eastern, "YYYY-MM-DDTHH:MM" as the report states it; else "slot:<12PM>"
    report_slot    TEXT NOT NULL,       -- the hourly file it came from ("12PM")
    game_date      TEXT NOT NULL,       -- the game the entry is for
    game_time_et   TEXT NOT NULL,
    matchup        TEXT NOT NULL,       -- away@home tricodes, "MIL@SAS"
    team           TEXT NOT NULL,       -- full team name as printed
    player_name    TEXT NOT NULL,       -- "First Last"
    player_lookup  TEXT NOT NULL,
    status         TEXT NOT NULL,       -- Out / Questionable / Doubtful / Probable / Available
    reason         TEXT NOT NULL,
    row_hash       TEXT NOT NULL,
    written_at     TEXT NOT NULL,
    PRIMARY KEY (report_date, report_time, game_date, team, player_lookup)
);

CREATE TABLE raw_nbac_player_list (
    list_date      TEXT NOT NULL,
    player_id      INTEGER NOT NULL,
    first_name     TEXT NOT NULL,
    last_name      TEXT NOT NULL,
    player_name    TEXT NOT NULL,
    player_lookup  TEXT NOT NULL,
    slug           TEXT,
    team_id        INTEGER,
    team           TEXT,
    jersey         TEXT,
    position       TEXT,
    active         INTEGER NOT NULL,
    from_year      INTEGER,
    to_year        INTEGER,
    row_hash       TEXT NOT NULL,
    written_at     TEXT NOT NULL,
    PRIMARY KEY (list_date, player_id)
);

CREATE TABLE raw_oddsa_game_lines (
    game_date      TEXT NOT NULL,
    event_id       TEXT NOT NULL,
    bookmaker      TEXT NOT NULL,
    market         TEXT NOT NULL,       -- spread / total
    outcome        TEXT NOT NULL,       -- the team (spread) or Over / Under (total)
    snapshot_time  TEXT NOT NULL,       -- UTC
    point          REAL NOT NULL,       -- the team's handicap, or the total
    price_american INTEGER,             -- NULL when the answer gave decimal odds
    price_decimal  REAL NOT NULL,
    commence_time  TEXT NOT NULL,
    home_team      TEXT NOT NULL,
    away_team      TEXT NOT NULL,
    row_hash       TEXT NOT NULL,
    written_at     TEXT NOT NULL,
    PRIMARY KEY (game_date, event_id, bookmaker, market, outcome, snapshot_time)
);

CREATE TABLE raw_bp_player_props (
    game_date      TEXT NOT NULL,
    event_id       INTEGER NOT NULL,
    book_id        INTEGER NOT NULL,    -- 0 is BettingPros' consensus
    bp_player_id   TEXT NOT NULL,
    line           REAL NOT NULL,
    snapshot_time  TEXT NOT NULL,       -- the line's `updated`; "" when the book gave none
    player_name    TEXT NOT NULL,
    player_lookup  TEXT NOT NULL,
    team           TEXT,
    over_price     INTEGER,
    under_price    INTEGER,
    main           INTEGER NOT NULL,
    home_team      TEXT,                -- from the date's events answer, when kept
    away_team      TEXT,
    scheduled_utc  TEXT,
    row_hash       TEXT NOT NULL,
    written_at     TEXT NOT NULL,
    PRIMARY KEY (game_date, event_id, book_id, bp_player_id, line, snapshot_time)
);

CREATE TABLE raw_espn_scoreboard (
    game_date       TEXT NOT NULL,
    espn_game_id    TEXT NOT NULL,
    start_time_utc  TEXT NOT NULL,
    status          TEXT NOT NULL,
    state           TEXT NOT NULL,      -- pre / in / post
    completed       INTEGER NOT NULL,
    status_detail   TEXT,
    home_team_id    TEXT NOT NULL,
    home_team       TEXT NOT NULL,
    home_team_name  TEXT NOT NULL,
    away_team_id    TEXT NOT NULL,
    away_team       TEXT NOT NULL,
    away_team_name  TEXT NOT NULL,
    home_score      INTEGER,
    away_score      INTEGER,
    row_hash        TEXT NOT NULL,
    written_at      TEXT NOT NULL,
    PRIMARY KEY (game_date, espn_game_id)
);

CREATE TABLE raw_espn_rosters (
    roster_date        TEXT NOT NULL,
    team_id            TEXT NOT NULL,   -- ESPN's
    athlete_id         TEXT NOT NULL,   -- ESPN's
    team               TEXT NOT NULL,
    player_name        TEXT NOT NULL,
    player_lookup      TEXT NOT NULL,
    position           TEXT,
    jersey             TEXT,
    status             TEXT,
    injury_status      TEXT,
    injury_date        TEXT,
    injury_type        TEXT,
    injury_return_date TEXT,
    injury_comment     TEXT,
    row_hash           TEXT NOT NULL,
    written_at         TEXT NOT NULL,
    PRIMARY KEY (roster_date, team_id, athlete_id)
);

CREATE TABLE raw_bdl_box_scores (
    game_date        TEXT NOT NULL,
    bdl_player_id    INTEGER NOT NULL,
    bdl_game_id      INTEGER,
    season           INTEGER NOT NULL,
    postseason       INTEGER NOT NULL,
    game_status      TEXT NOT NULL,
    bdl_team_id      INTEGER NOT NULL,
    team             TEXT NOT NULL,
    opponent_team_id INTEGER NOT NULL,
    home             INTEGER NOT NULL,
    player_name      TEXT NOT NULL,
    player_lookup    TEXT NOT NULL,
    position         TEXT,
    minutes          REAL,
    fgm INTEGER, fga INTEGER, fg3m INTEGER, fg3a INTEGER, ftm INTEGER, fta INTEGER,
    oreb INTEGER, dreb INTEGER, reb INTEGER, ast INTEGER, stl INTEGER, blk INTEGER,
    tov INTEGER, pf INTEGER,
    points           INTEGER,
    plus_minus       INTEGER,
    row_hash         TEXT NOT NULL,
    written_at       TEXT NOT NULL,
    PRIMARY KEY (game_date, bdl_player_id)
);

CREATE TABLE raw_bdl_injuries (
    report_date    TEXT NOT NULL,
    bdl_player_id  INTEGER NOT NULL,
    player_name    TEXT NOT NULL,
    player_lookup  TEXT NOT NULL,
    position       TEXT,
    bdl_team_id    INTEGER,
    status         TEXT NOT NULL,
    return_date    TEXT,
    description    TEXT,
    row_hash       TEXT NOT NULL,
    written_at     TEXT NOT NULL,
    PRIMARY KEY (report_date, bdl_player_id)
);

CREATE TABLE raw_historical_team_games (
    game_date      TEXT NOT NULL,
    game_id        TEXT NOT NULL,
    team_id        INTEGER NOT NULL,
    season_id      TEXT NOT NULL,
    team           TEXT NOT NULL,
    opponent       TEXT NOT NULL,       -- from MATCHUP
    home           INTEGER NOT NULL,    -- "vs." home, "@" away
    matchup        TEXT NOT NULL,
    wl             TEXT,
    minutes        REAL NOT NULL,
    points         INTEGER NOT NULL,
    fgm INTEGER NOT NULL, fga INTEGER NOT NULL, fg3m INTEGER NOT NULL, fg3a INTEGER NOT NULL,
    ftm INTEGER NOT NULL, fta INTEGER NOT NULL,
    reb INTEGER NOT NULL, ast INTEGER NOT NULL, tov INTEGER NOT NULL,
    plus_minus     REAL NOT NULL,
    row_hash       TEXT NOT NULL,
    written_at     TEXT NOT NULL,
    PRIMARY KEY (game_date, game_id, team_id)
);

CREATE TABLE raw_historical_player_game_logs (
    game_date      TEXT NOT NULL,
    player_id      INTEGER NOT NULL,
    player_name    TEXT NOT NULL,
    player_lookup  TEXT NOT NULL,
    matchup        TEXT NOT NULL,
    opponent       TEXT NOT NULL,
    home           INTEGER NOT NULL,
    minutes        REAL NOT NULL,
    fgm INTEGER NOT NULL, fga INTEGER NOT NULL, fg3m INTEGER NOT NULL, fg3a INTEGER NOT NULL,
    ftm INTEGER NOT NULL, fta INTEGER NOT NULL,
    reb INTEGER NOT NULL, ast INTEGER NOT NULL, tov INTEGER NOT NULL,
    points         INTEGER NOT NULL,
    row_hash       TEXT NOT NULL,
    written_at     TEXT NOT NULL,
    PRIMARY KEY (game_date, player_id)
);

CREATE TABLE raw_historical_points_lines (
    game_date      TEXT NOT NULL,       -- the Eastern game date
    event_id       TEXT NOT NULL,
    bookmaker      TEXT NOT NULL,
    player_lookup  TEXT NOT NULL,
    snapshot_time  TEXT NOT NULL,       -- UTC
    player_name    TEXT NOT NULL,       -- the sportsbook's spelling
    commence_time  TEXT NOT NULL,
    game           TEXT NOT NULL,       -- "Away Team @ Home Team"
    market         TEXT NOT NULL,
    line           REAL NOT NULL,
    over_price     INTEGER,
    under_price    INTEGER,
    row_hash       TEXT NOT NULL,
    written_at     TEXT NOT NULL,
    PRIMARY KEY (game_date, event_id, bookmaker, player_lookup, snapshot_time)
);

CREATE TABLE processor_runs (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    processor       TEXT NOT NULL,
    phase           INTEGER NOT NULL,
    game_date       TEXT NOT NULL,
    data_date       TEXT NOT NULL,
    correlation_id  TEXT NOT NULL,
    mode            TEXT NOT NULL,
    trigger_kind    TEXT NOT NULL,
    -- 'all' for a whole date, else the entity filter it was narrowed to ('players:12' ...).
    scope           TEXT NOT NULL,
    status          TEXT NOT NULL,          -- 'ok' or 'failed'
    rows_read       INTEGER NOT NULL DEFAULT 0,
    rows_written    INTEGER NOT NULL DEFAULT 0,
    rows_unchanged  INTEGER NOT NULL DEFAULT 0,
    rows_removed    INTEGER NOT NULL DEFAULT 0,
    input_hash      TEXT,
    output_hash     TEXT,
    error           TEXT,
    started_at      TEXT NOT NULL,
    duration_ms     INTEGER NOT NULL,
    kind            TEXT NOT NULL DEFAULT 'process',  -- 'process' or 'gate'
    workflow_id     TEXT NOT NULL DEFAULT '',
    run_id          TEXT NOT NULL DEFAULT '',
    activity_id     TEXT NOT NULL DEFAULT '',
    attempt         INTEGER NOT NULL DEFAULT 1
);

CREATE INDEX processor_runs_by_date ON processor_runs (game_date, processor);

CREATE INDEX processor_runs_by_data_date ON processor_runs (processor, data_date, status);

CREATE TABLE alerts (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at      TEXT NOT NULL,
    kind            TEXT NOT NULL,          -- 'quality_gate', 'change_detection', ...
    severity        TEXT NOT NULL,          -- 'warning' or 'critical'
    game_date       TEXT NOT NULL,
    subject         TEXT NOT NULL,          -- the processor or 'phase N'
    correlation_id  TEXT NOT NULL,
    message         TEXT NOT NULL,
    details         TEXT                    -- JSON: the numbers behind the message
);

CREATE INDEX alerts_by_date ON alerts (game_date, kind);

CREATE TABLE player_game_summary (
    game_date    TEXT NOT NULL,
    game_id      TEXT NOT NULL,
    player_id    INTEGER NOT NULL,
    player_name  TEXT NOT NULL,
    team         TEXT NOT NULL,
    opponent     TEXT NOT NULL,
    home         INTEGER NOT NULL,
    source       TEXT NOT NULL,       -- nbac / historical: where the box score came from
    minutes      REAL,
    points       INTEGER NOT NULL,
    fgm INTEGER, fga INTEGER, fg3m INTEGER, fg3a INTEGER, ftm INTEGER, fta INTEGER,
    reb INTEGER, ast INTEGER, tov INTEGER,
    ts_pct       REAL,
    efg_pct      REAL,
    usage_pct    REAL,                -- share of the team's possessions used while on the floor
    paint_fga    INTEGER,             -- shot zones: NULL without a play-by-play
    paint_points INTEGER,
    mid_range_fga INTEGER,
    mid_range_points INTEGER,
    three_fga    INTEGER,
    three_points INTEGER,
    line         REAL,                -- the pre-game points line, when there was one
    line_result  TEXT,                -- OVER / UNDER / PUSH against it
    row_hash     TEXT NOT NULL,
    written_at   TEXT NOT NULL,
    PRIMARY KEY (game_date, game_id, player_id)
);

CREATE TABLE team_offense_game_summary (
    game_date        TEXT NOT NULL,
    game_id          TEXT NOT NULL,
    team             TEXT NOT NULL,
    opponent         TEXT NOT NULL,
    home             INTEGER NOT NULL,
    source           TEXT NOT NULL,   -- nbac_team_box / historical / player_sum
    minutes          REAL NOT NULL,
    points           INTEGER NOT NULL,
    fgm INTEGER NOT NULL, fga INTEGER NOT NULL, fg3m INTEGER NOT NULL, fg3a INTEGER NOT NULL,
    ftm INTEGER NOT NULL, fta INTEGER NOT NULL, tov INTEGER NOT NULL,
    oreb             INTEGER,         -- NULL when the source has only total rebounds
    possessions      REAL NOT NULL,   -- FGA + 0.44 FTA - OREB + TOV (OREB estimated when NULL)
    pace             REAL NOT NULL,   -- possessions per 48 minutes, both teams averaged
    offensive_rating REAL NOT NULL,   -- points per 100 possessions
    efg_pct          REAL,
    ts_pct           REAL,
    row_hash         TEXT NOT NULL,
    written_at       TEXT NOT NULL,
    PRIMARY KEY (game_date, game_id, team)
);

CREATE TABLE team_defense_game_summary (
    game_date        TEXT NOT NULL,
    game_id          TEXT NOT NULL,
    team             TEXT NOT NULL,   -- the defending team
    opponent         TEXT NOT NULL,
    home             INTEGER NOT NULL,
    points_allowed   INTEGER NOT NULL,
    opp_fgm INTEGER NOT NULL, opp_fga INTEGER NOT NULL,
    opp_fg3m INTEGER NOT NULL, opp_fg3a INTEGER NOT NULL,
    opp_paint_fgm INTEGER, opp_paint_fga INTEGER,
    opp_mid_range_fgm INTEGER, opp_mid_range_fga INTEGER,
    opp_three_fgm INTEGER, opp_three_fga INTEGER,
    possessions      REAL NOT NULL,   -- the opponent's
    defensive_rating REAL NOT NULL,   -- points allowed per 100 possessions
    row_hash         TEXT NOT NULL,
    written_at       TEXT NOT NULL,
    PRIMARY KEY (game_date, game_id, team)
);

CREATE TABLE upcoming_player_game_context (
    game_date          TEXT NOT NULL,
    player_id          INTEGER NOT NULL,
    player_name        TEXT NOT NULL,
    team               TEXT NOT NULL,
    opponent           TEXT,
    home               INTEGER,
    current_line       REAL NOT NULL,
    opening_line       REAL NOT NULL,
    line_movement      REAL NOT NULL,  -- current - opening
    line_bookmaker     TEXT NOT NULL,
    line_snapshot_time TEXT NOT NULL,
    spread             REAL,           -- the team's handicap (negative: favoured)
    game_total         REAL,
    days_rest          INTEGER,        -- days since his last game, minus one; NULL: no game yet
    back_to_back       INTEGER NOT NULL,
    games_last_7       INTEGER NOT NULL,
    games_last_14      INTEGER NOT NULL,
    minutes_last_7     REAL NOT NULL,
    minutes_last_14    REAL NOT NULL,
    points_avg_l5      REAL,
    points_avg_l10     REAL,
    injury_status      TEXT,           -- from the latest report before the cut-off
    injury_reason      TEXT,
    row_hash           TEXT NOT NULL,
    written_at         TEXT NOT NULL,
    PRIMARY KEY (game_date, player_id)
);

CREATE TABLE upcoming_team_game_context (
    game_date        TEXT NOT NULL,
    team             TEXT NOT NULL,
    game_id          TEXT NOT NULL,
    opponent         TEXT NOT NULL,
    home             INTEGER NOT NULL,
    days_rest        INTEGER,
    back_to_back     INTEGER NOT NULL,
    spread           REAL,
    game_total       REAL,
    implied_points   REAL,            -- (total - spread) / 2
    players_out      INTEGER NOT NULL, -- Out or Doubtful on the latest report before the cut-off
    starters_out     INTEGER NOT NULL, -- of his five most-used players over the last 10 games
    row_hash         TEXT NOT NULL,
    written_at       TEXT NOT NULL,
    PRIMARY KEY (game_date, team)
);

CREATE TABLE player_daily_cache (
    cache_date      TEXT NOT NULL,  -- the game date it serves; uses only games before it
    player_id       INTEGER NOT NULL,
    games_played    INTEGER NOT NULL,
    last_game_date  TEXT NOT NULL,
    points_avg_l5   REAL NOT NULL,
    points_avg_l10  REAL NOT NULL,
    points_avg_season REAL NOT NULL,
    points_std_l10  REAL NOT NULL,
    minutes_avg_l10 REAL,
    minutes_std_l10 REAL,           -- population std of his last 10 games' minutes
    usage_avg_l5    REAL,           -- mean usage_pct (a fraction) over the games that have one
    usage_avg_l10   REAL,
    usage_avg_season REAL,
    row_hash        TEXT NOT NULL,
    written_at      TEXT NOT NULL,
    PRIMARY KEY (cache_date, player_id)
);

CREATE TABLE team_defense_zone_analysis (
    analysis_date          TEXT NOT NULL,
    team                   TEXT NOT NULL,
    games                  INTEGER NOT NULL, -- games in the window (<= 15)
    zone_games             INTEGER NOT NULL, -- of those, games with a play-by-play
    last_game_date         TEXT NOT NULL,
    points_allowed_avg     REAL NOT NULL,
    defensive_rating       REAL NOT NULL,    -- 100 * points allowed / opponent possessions
    pace                   REAL,             -- mean pace of its games (NULL: no offense rows)
    opp_paint_fg_pct       REAL,             -- zone fields: NULL without a play-by-play
    opp_mid_range_fg_pct   REAL,
    opp_three_fg_pct       REAL,
    opp_paint_share        REAL,             -- zone FGA / located FGA
    opp_mid_range_share    REAL,
    opp_three_share        REAL,
    league_pace            REAL,             -- the mean over teams of their windows' values
    points_allowed_vs_league REAL NOT NULL,  -- this team's value minus the league's
    defensive_rating_vs_league REAL NOT NULL,
    pace_vs_league         REAL,
    opp_paint_fg_pct_vs_league REAL,
    opp_mid_range_fg_pct_vs_league REAL,
    opp_three_fg_pct_vs_league REAL,
    opp_paint_share_vs_league REAL,
    opp_mid_range_share_vs_league REAL,
    opp_three_share_vs_league REAL,
    row_hash               TEXT NOT NULL,
    written_at             TEXT NOT NULL,
    PRIMARY KEY (analysis_date, team)
);

CREATE TABLE player_shot_zone_analysis (
    analysis_date          TEXT NOT NULL,
    player_id              INTEGER NOT NULL,
    team                   TEXT NOT NULL,    -- his team in his latest game
    games_l10              INTEGER NOT NULL, -- games in the last-10 window
    zone_games_l10         INTEGER NOT NULL, -- of those, with zones
    zone_games_season      INTEGER NOT NULL,
    paint_share_l10        REAL,             -- zone FGA / located FGA
    mid_range_share_l10    REAL,
    three_share_l10        REAL,
    paint_fg_pct_l10       REAL,             -- makes = zone points / 2 (3 for threes)
    mid_range_fg_pct_l10   REAL,
    three_fg_pct_l10       REAL,
    paint_pps_l10          REAL,             -- points per shot
    mid_range_pps_l10      REAL,
    three_pps_l10          REAL,
    paint_share_season     REAL,
    mid_range_share_season REAL,
    three_share_season     REAL,
    paint_pps_season       REAL,
    mid_range_pps_season   REAL,
    three_pps_season       REAL,
    primary_zone           TEXT,             -- paint / mid_range / three (L10, else season)
    row_hash               TEXT NOT NULL,
    written_at             TEXT NOT NULL,
    PRIMARY KEY (analysis_date, player_id)
);

CREATE TABLE player_composite_factors (
    game_date         TEXT NOT NULL,
    player_id         INTEGER NOT NULL,
    team              TEXT NOT NULL,
    opponent          TEXT,
    load_ratio        REAL,  -- minutes_last_7 / (3.5 * minutes_avg_l10)
    fatigue_score     REAL,  -- 0 (fresh) .. 1
    zone_mismatch     REAL,  -- points per FGA gained from the opponent's zone defense
    team_pace         REAL,
    opp_pace          REAL,
    pace_factor       REAL,  -- (team + opponent pace) / (2 * league pace)
    teammates_out     INTEGER,
    starters_out      INTEGER,
    usage_trend       REAL,  -- usage L5 - usage season
    usage_spike       REAL,  -- usage_trend + 0.02 * starters_out + 0.005 * other teammates out
    row_hash          TEXT NOT NULL,
    written_at        TEXT NOT NULL,
    PRIMARY KEY (game_date, player_id)
);

CREATE TABLE ml_feature_store (
    game_date        TEXT NOT NULL,
    player_id        INTEGER NOT NULL,
    player_name      TEXT NOT NULL,
    team             TEXT NOT NULL,
    opponent         TEXT,
    feature_version  INTEGER NOT NULL, -- precompute::ml_feature_store::FEATURE_VERSION
    feature_count    INTEGER NOT NULL,
    features         TEXT NOT NULL,    -- JSON array in FEATURE_NAMES order, null = missing
    missing_count    INTEGER NOT NULL,
    feature_hash     TEXT NOT NULL,    -- blake3 over the version and the values
    row_hash         TEXT NOT NULL,
    written_at       TEXT NOT NULL,
    PRIMARY KEY (game_date, player_id)
);

CREATE TABLE prediction_grades (
    game_date        TEXT NOT NULL,
    player_id        INTEGER NOT NULL,
    system           TEXT NOT NULL,
    model_version    TEXT NOT NULL,
    player_name      TEXT NOT NULL,
    predicted_points REAL NOT NULL,
    line             REAL NOT NULL,
    line_source      TEXT NOT NULL,
    over_price       INTEGER,          -- American odds of the line's sides, as predicted against
    under_price      INTEGER,
    recommendation   TEXT NOT NULL,    -- OVER / UNDER / PASS
    edge             REAL NOT NULL,    -- predicted - line
    actual_points    INTEGER,          -- NULL when void
    minutes          REAL,             -- NULL without a box-score row
    error            REAL,             -- predicted - actual; NULL when void
    abs_error        REAL,
    line_abs_error   REAL,             -- |line - actual|: the line's own miss
    within_3         INTEGER,          -- abs_error <= 3 (1/0); NULL when void
    within_5         INTEGER,
    result           TEXT NOT NULL,    -- WIN / LOSS / PUSH / NO_BET (PASS) / VOID (did not play)
    profit           REAL,             -- units at the side's price (-110 when missing); WIN/LOSS only
    row_hash         TEXT NOT NULL,
    written_at       TEXT NOT NULL,
    -- When the row's current values were graded (the writer's stamp, never hashed).
    graded_at        TEXT GENERATED ALWAYS AS (written_at) VIRTUAL,
    PRIMARY KEY (game_date, player_id, system)
);

CREATE INDEX prediction_grades_system ON prediction_grades (system, game_date);

CREATE TABLE model_artifacts (
    system              TEXT NOT NULL,     -- the prediction system, e.g. gbm
    trained_for         TEXT NOT NULL,     -- the game date the model predicts
    model_version       TEXT NOT NULL,     -- <system>-<first 12 hex of content_hash>
    content_hash        TEXT NOT NULL,     -- blake3 of the artifact's bytes
    object_key          TEXT NOT NULL,     -- where the bytes are in the object store
    feature_version     INTEGER NOT NULL,  -- precompute::ml_feature_store::FEATURE_VERSION
    training_rows       INTEGER NOT NULL,
    first_training_date TEXT NOT NULL,
    last_training_date  TEXT NOT NULL,     -- always before trained_for
    in_sample_mae       REAL NOT NULL,     -- the model's mean absolute error on its training rows
    line_mae            REAL NOT NULL,     -- the line's on the same rows, for comparison
    row_hash            TEXT NOT NULL,     -- blake3 over the columns above (not created_at)
    created_at          TEXT NOT NULL,     -- UTC RFC 3339, when this version was recorded
    PRIMARY KEY (system, trained_for)
);

CREATE INDEX processor_runs_by_workflow ON processor_runs (workflow_id, run_id);

CREATE INDEX player_game_summary_by_date_player
    ON player_game_summary (game_date, player_id);

CREATE TABLE raw_injury_updates (
    game_date      TEXT NOT NULL,
    player_id      INTEGER NOT NULL,
    player_lookup  TEXT NOT NULL,
    player_name    TEXT NOT NULL,
    team           TEXT NOT NULL,       -- tricode, from the name registry
    status         TEXT NOT NULL,       -- Out / Doubtful / Questionable / Probable / Available
    source         TEXT NOT NULL,       -- "manual", "nbac_injury_report", a reporter
    report_time    TEXT NOT NULL,       -- UTC, RFC 3339
    reason         TEXT NOT NULL,
    row_hash       TEXT NOT NULL,
    written_at     TEXT NOT NULL,
    PRIMARY KEY (game_date, player_id, report_time, source)
);
