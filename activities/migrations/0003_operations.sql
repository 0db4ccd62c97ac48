-- Operations: what ran (one row per processor run) and what went wrong (alerts). Neither is
-- business data: no row_hash, never hash-diffed, only appended.

-- Every Phase 2-5 processor run, successful or not. The change-detection health check compares
-- a run's input and output hashes with the previous successful run of the same processor and
-- date; `nbaprops status` reads it.
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
    duration_ms     INTEGER NOT NULL
);
CREATE INDEX processor_runs_by_date ON processor_runs (game_date, processor);
CREATE INDEX processor_runs_by_data_date ON processor_runs (processor, data_date, status);

-- Alerts: failed quality gates, change-detection health failures (and, later, missed SLAs and
-- stuck phases). Also logged at WARN/ERROR.
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
