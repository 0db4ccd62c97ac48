//! Incremental mode: what depends on a changed entity. A player's change (a new status, a new
//! line) reaches his teammates (their usage and minutes shift when he sits); a team's change
//! reaches its players; a game's change reaches both teams.

use std::collections::BTreeSet;

use nbaprops_proto::EntitySet;

use crate::error::Result;
use crate::storage::queries::players;
use crate::Deps;

/// The teams of the given games, from the schedule and the box scores.
async fn teams_of_games(deps: &Deps, games: &BTreeSet<String>) -> Result<BTreeSet<String>> {
    let mut teams = BTreeSet::new();
    for g in games {
        for (a, b) in players::teams_of_game(&deps.warehouse, g).await? {
            teams.insert(a);
            teams.insert(b);
        }
    }
    Ok(teams)
}

/// The changed entities and everything that depends on them: players (the changed ones and
/// all players of the teams involved), teams, and the changed games.
pub async fn expand(deps: &Deps, changed: &EntitySet) -> Result<EntitySet> {
    // Players come as NBA ids, or as normalized names from the sportsbook tables.
    let mut ids = BTreeSet::new();
    for p in &changed.players {
        match p.parse::<i64>() {
            Ok(id) => {
                ids.insert(id);
            }
            Err(_) => {
                let found = players::by_lookup(&deps.warehouse, p).await?;
                ids.extend(found.into_iter().map(|(id, ..)| id));
            }
        }
    }
    let games: BTreeSet<String> = changed.games.iter().cloned().collect();
    let mut teams: BTreeSet<String> = changed.teams.iter().cloned().collect();
    teams.extend(players::teams_of(&deps.warehouse, &ids).await?);
    teams.extend(teams_of_games(deps, &games).await?);
    let mut all_players = ids;
    all_players.extend(players::of_teams(&deps.warehouse, &teams).await?);
    Ok(EntitySet {
        players: all_players.iter().map(i64::to_string).collect(),
        teams: teams.into_iter().collect(),
        games: games.into_iter().collect(),
    })
}
