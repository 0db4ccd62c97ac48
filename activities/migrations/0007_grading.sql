-- Grading: each live prediction of a date against what happened (player_game_summary of the
-- same date), written by the `prediction_grades` processor once every game of the date has
-- box-score rows. Replaced per date (hash-diffed), so a rerun changes nothing.
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
