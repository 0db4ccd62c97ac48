-- Phase 4: precompute. Derived tables, each partitioned by the game date D they serve and
-- computed from games strictly before D (point in time). player_daily_cache is derived data:
-- it is dropped and recreated with the usage and minutes-spread columns (a rerun refills it).

DROP TABLE player_daily_cache;

-- Level 2: per player as of the morning of cache_date.
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

-- Level 1: per team as of analysis_date, over its last 15 games of the season before the date.
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

-- Level 1: per player as of analysis_date, his shot mix and efficiency by zone over his last
-- 10 games and the season (games with a play-by-play only; NULL when none).
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

-- Level 2: per player with a line on game_date, the composite adjustment factors.
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

-- Level 3: per player with a line on game_date, the named feature vector a model reads.
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
