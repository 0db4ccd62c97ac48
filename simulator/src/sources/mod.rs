//! The native format of each source, one module per source named like
//! `nbaprops_activities::sources` (`oddsa` holds what the two Odds API sources share, `format`
//! what several formats share). Each is a pure function of the simulated season; `files` names
//! and writes them.

pub mod bdl_box_scores;
pub mod bdl_injuries;
pub mod bp_player_props;
pub mod espn_roster;
pub mod espn_scoreboard;
pub mod format;
pub mod nbac_injury_report;
pub mod nbac_play_by_play;
pub mod nbac_player_boxscore;
pub mod nbac_player_list;
pub mod nbac_schedule;
pub mod nbac_team_boxscore;
pub mod oddsa;
pub mod oddsa_game_lines;
pub mod oddsa_player_props;
