//! The simulator's tests: the dense shape's bytes and counts, and short ranges of the season
//! shape parsed back, file by file, with the sources' own parsers.

mod dense;
mod injury_report;
mod replay_fetch;
mod season_range;
mod support;
