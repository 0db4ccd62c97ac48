-- Phase 5: the American odds of the line a prediction was made against, so grading can compute
-- ROI at the price actually offered. NULL when the sportsbook gave no price for that side.
ALTER TABLE predictions ADD COLUMN over_price INTEGER;
ALTER TABLE predictions ADD COLUMN under_price INTEGER;
