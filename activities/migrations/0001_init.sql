-- nbaprops warehouse, first schema. Every table written by a processor carries `row_hash`
-- (blake3 over the business columns, never timestamps or run ids) and is written by replacing
-- a (table, date[, entity set]) partition in one transaction.

-- Phase 1: every payload fetched, by content hash (the bytes live in the raw store).
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

-- Phase 2
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

-- The name registry: NBA person id and the normalized name used to join sportsbook names.
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

-- Phase 3
CREATE TABLE player_game_summary (
    game_date    TEXT NOT NULL,
    game_id      TEXT NOT NULL,
    player_id    INTEGER NOT NULL,
    player_name  TEXT NOT NULL,
    team         TEXT NOT NULL,
    opponent     TEXT NOT NULL,
    home         INTEGER NOT NULL,
    minutes      REAL,
    points       INTEGER NOT NULL,
    ts_pct       REAL,
    efg_pct      REAL,
    line         REAL,              -- the pre-game points line, when there was one
    line_result  TEXT,              -- OVER / UNDER / PUSH against it
    row_hash     TEXT NOT NULL,
    written_at   TEXT NOT NULL,
    PRIMARY KEY (game_date, game_id, player_id)
);

-- Phase 4
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
    row_hash        TEXT NOT NULL,
    written_at      TEXT NOT NULL,
    PRIMARY KEY (cache_date, player_id)
);

-- Phase 5: append-only. A rerun that changes a prediction marks the old row superseded and
-- inserts the new one; an unchanged prediction is left as it is.
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
    superseded_at    TEXT
);
CREATE INDEX predictions_active ON predictions (game_date, player_id, system) WHERE superseded_at IS NULL;
