-- Phase 3: analytics. Derived tables, rebuilt from Phase 2 by their processors, so the first
-- shape of player_game_summary is dropped and recreated with the columns below (a rerun of
-- Phase 3 fills it again).

DROP TABLE player_game_summary;

-- One row per player and game: the box score (NBA.com's, or the historical import's when the
-- date has no NBA.com box score), efficiency, usage, shot zones from the play-by-play when
-- there is one, and the result against the pre-game line.
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

-- One row per team and game: scoring, possessions, pace, offensive rating.
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

-- One row per team and game, from the defense's side: what the opponent scored and shot, by
-- zone when a play-by-play exists.
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

-- One row per player with a points line on the game date: the context of his coming game, from
-- data captured before the cut-off only.
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

-- One row per team playing on the game date.
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
