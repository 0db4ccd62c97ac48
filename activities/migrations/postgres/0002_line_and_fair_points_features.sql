-- Inputs of feature version 3 (docs/data-model.md). Additive: workers of the version before
-- keep writing these tables, leaving the new columns NULL.

-- The chosen book's line minus the mean of the other books' latest lines; NULL: one book.
ALTER TABLE upcoming_player_game_context ADD COLUMN line_vs_other_books DOUBLE PRECISION;

-- Minutes times points per minute, each shrunk toward last season (precompute/fair_projection.rs).
ALTER TABLE player_daily_cache ADD COLUMN fair_points DOUBLE PRECISION;
