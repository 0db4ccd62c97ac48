-- Injury updates signalled to a day (`injury_update`), resolved to players of the registry.
-- The upcoming contexts read them beside the official report: the latest word before tip-off
-- wins. A later update of the same player adds a row (the report time is in the key).
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
