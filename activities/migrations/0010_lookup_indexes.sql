-- Lookups by (date, player) that the primary keys (date, game, player) cannot answer directly:
-- the ensemble's history joins each prediction to the player's game on that date, and a
-- backfill runs it for every date. Without this the join scans the date's every player.
CREATE INDEX IF NOT EXISTS player_game_summary_by_date_player
    ON player_game_summary (game_date, player_id);
