//! Incremental mode: what depends on a changed entity. A player's change (a new status, a new
//! line) reaches his teammates (their usage and minutes shift when he sits); a team's change
//! reaches its players; a game's change reaches both teams.

use std::collections::BTreeSet;

use nbaprops_proto::EntitySet;

use crate::error::Result;
use crate::Deps;

/// The team of each known player (the name registry keeps his latest team).
async fn teams_of_players(deps: &Deps, players: &BTreeSet<i64>) -> Result<BTreeSet<String>> {
    let mut teams = BTreeSet::new();
    for chunk in players.iter().collect::<Vec<_>>().chunks(500) {
        let mut q =
            sqlx::QueryBuilder::new("SELECT DISTINCT team FROM players WHERE player_id IN (");
        let mut sep = q.separated(", ");
        for p in chunk {
            sep.push_bind(**p);
        }
        q.push(")");
        let rows: Vec<(String,)> = q.build_query_as().fetch_all(deps.warehouse.pool()).await?;
        teams.extend(rows.into_iter().map(|(t,)| t));
    }
    Ok(teams)
}

/// The players whose latest team is one of `teams`.
async fn players_of_teams(deps: &Deps, teams: &BTreeSet<String>) -> Result<BTreeSet<i64>> {
    if teams.is_empty() {
        return Ok(BTreeSet::new());
    }
    let mut q = sqlx::QueryBuilder::new("SELECT player_id FROM players WHERE team IN (");
    let mut sep = q.separated(", ");
    for t in teams {
        sep.push_bind(t.clone());
    }
    q.push(")");
    let rows: Vec<(i64,)> = q.build_query_as().fetch_all(deps.warehouse.pool()).await?;
    Ok(rows.into_iter().map(|(p,)| p).collect())
}

/// The teams of the given games, from the schedule and the box scores.
async fn teams_of_games(deps: &Deps, games: &BTreeSet<String>) -> Result<BTreeSet<String>> {
    let mut teams = BTreeSet::new();
    for g in games {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT home_team, away_team FROM raw_nbac_schedule WHERE game_id = ? \
             UNION SELECT team, opponent FROM raw_nbac_player_boxscores WHERE game_id = ?",
        )
        .bind(g)
        .bind(g)
        .fetch_all(deps.warehouse.pool())
        .await?;
        for (a, b) in rows {
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
    let mut players = BTreeSet::new();
    for p in &changed.players {
        match p.parse::<i64>() {
            Ok(id) => {
                players.insert(id);
            }
            Err(_) => {
                let ids: Vec<(i64,)> =
                    sqlx::query_as("SELECT player_id FROM players WHERE player_lookup = ?")
                        .bind(p)
                        .fetch_all(deps.warehouse.pool())
                        .await?;
                players.extend(ids.into_iter().map(|(id,)| id));
            }
        }
    }
    let games: BTreeSet<String> = changed.games.iter().cloned().collect();
    let mut teams: BTreeSet<String> = changed.teams.iter().cloned().collect();
    teams.extend(teams_of_players(deps, &players).await?);
    teams.extend(teams_of_games(deps, &games).await?);
    let mut all_players = players;
    all_players.extend(players_of_teams(deps, &teams).await?);
    Ok(EntitySet {
        players: all_players.iter().map(i64::to_string).collect(),
        teams: teams.into_iter().collect(),
        games: games.into_iter().collect(),
    })
}
