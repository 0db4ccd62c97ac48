//! What the simulator drew, for hand computations in tests: the players, their points and
//! lines, the games and the injuries of the range.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::naming::event_id;
use crate::players::Player;
use crate::schedule;
use crate::season_out::SeasonOut;
use crate::teams;

#[derive(Debug, Clone, Default)]
pub struct SimPlayer {
    pub player_id: i64,
    pub name: String,
    /// NBA.com tricode.
    pub team: String,
    /// Season shape: the mean of the season `from` falls in.
    pub mean_points: f64,
    pub has_props: bool,
    /// Season shape: Ball Don't Lie's id for him (0 in the dense shape).
    pub bdl_id: i64,
    /// Season shape: "G", "F" or "C".
    pub position: String,
    /// Season shape: "star", "starter", "rotation", "bench" or "deep bench".
    pub role: String,
    /// Season shape: his mean minutes in the season `from` falls in.
    pub mean_minutes: f64,
}

/// One simulated game (season shape).
#[derive(Debug, Clone, PartialEq)]
pub struct SimGame {
    pub game_id: String,
    pub date: String,
    /// NBA.com tricodes.
    pub home: String,
    pub away: String,
    pub home_points: i64,
    pub away_points: i64,
    /// The Odds API event id of the game.
    pub event_id: String,
}

/// One absence or injury-list entry (season shape).
#[derive(Debug, Clone, PartialEq)]
pub struct SimInjury {
    pub player_id: i64,
    pub team: String,
    /// "Out" or "Day-To-Day".
    pub status: String,
    /// The date of the game he got hurt in.
    pub hurt_on: String,
    /// His team's games he missed (empty for a knock he played through).
    pub missed_dates: Vec<String>,
    /// Whether the injury list carried him (a late scratch is not listed).
    pub listed: bool,
    pub listed_from: String,
    pub listed_until: String,
    /// Left out of the v3 box score entirely (absences of three games or more).
    pub inactive: bool,
}

/// What the simulator drew, for hand computations in tests.
#[derive(Debug, Clone, Default)]
pub struct SimTruth {
    pub players: Vec<SimPlayer>,
    /// (date, player_id) -> points scored.
    pub points: BTreeMap<(String, i64), i64>,
    /// (date, player_id) -> the draftkings line posted that date.
    pub lines: BTreeMap<(String, i64), f64>,
    /// Dense: every date. Season: the dates of the range with games.
    pub game_dates: Vec<String>,
    /// Season shape: (date, player_id) -> the fanduel line posted that date.
    pub fanduel_lines: BTreeMap<(String, i64), f64>,
    /// Season shape: the range's games.
    pub games: Vec<SimGame>,
    /// Season shape: injuries and absences touching the range.
    pub injuries: Vec<SimInjury>,
    /// Season shape: how many files were written.
    pub files_written: usize,
}

/// The ground truth of the range.
pub(crate) fn truth_of(
    league: &[Player],
    seasons: &[SeasonOut],
    from: NaiveDate,
    to: NaiveDate,
) -> SimTruth {
    let mut truth = SimTruth::default();
    let first = seasons
        .iter()
        .find(|s| s.year == schedule::season_year(from))
        .expect("the first season is simulated");
    for (i, p) in league.iter().enumerate() {
        let r = &first.ratings[i];
        truth.players.push(SimPlayer {
            player_id: p.id,
            name: p.name(),
            team: teams::TEAMS[p.team].tricode.to_string(),
            mean_points: r.mean_points,
            has_props: r.props,
            bdl_id: p.bdl_id,
            position: p.pos.to_string(),
            role: p.role.name().to_string(),
            mean_minutes: r.mean_minutes,
        });
    }
    let in_range = |d: NaiveDate| from <= d && d <= to;
    let day = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    for s in seasons {
        for g in s.games.iter().filter(|g| in_range(g.game.date)) {
            let date = day(g.game.date);
            if truth.game_dates.last() != Some(&date) {
                truth.game_dates.push(date.clone());
            }
            truth.games.push(SimGame {
                game_id: g.game.game_id.clone(),
                date: date.clone(),
                home: teams::TEAMS[g.home.team].tricode.to_string(),
                away: teams::TEAMS[g.away.team].tricode.to_string(),
                home_points: g.home.totals.pts,
                away_points: g.away.totals.pts,
                event_id: event_id(&g.game.game_id),
            });
            for b in [&g.home, &g.away] {
                for e in &b.entries {
                    if let Ok(st) = &e.played {
                        truth
                            .points
                            .insert((date.clone(), league[e.player].id), st.pts);
                    }
                }
            }
            for prop in &g.props {
                let key = (date.clone(), league[prop.player].id);
                truth.lines.insert(key.clone(), prop.books[0].line);
                truth.fanduel_lines.insert(key, prop.books[1].line);
            }
        }
        for inj in &s.injuries {
            let touches = in_range(inj.hurt_on)
                || (inj.listed && inj.listed_from <= to && from <= inj.listed_until)
                || inj.missed.iter().any(|d| in_range(*d));
            if !touches {
                continue;
            }
            truth.injuries.push(SimInjury {
                player_id: league[inj.player].id,
                team: teams::TEAMS[inj.team].tricode.to_string(),
                status: inj.status.to_string(),
                hurt_on: day(inj.hurt_on),
                missed_dates: inj.missed.iter().map(|d| day(*d)).collect(),
                listed: inj.listed,
                listed_from: day(inj.listed_from),
                listed_until: day(inj.listed_until),
                inactive: inj.inactive,
            });
        }
    }
    truth
}
