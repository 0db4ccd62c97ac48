//! The name registry (`players`): one row per NBA player id with his latest name and team.
//! Every box-score source merges into it.

use std::collections::BTreeSet;

use crate::error::Result;
use crate::storage::sql::Sql;
use crate::storage::Warehouse;

/// A registry row: (id, lookup, name, team).
pub type Player = (i64, String, String, String);

/// Upserts (id, name, lookup, team, game date) rows: the newest game date wins a player's name
/// and team, so sources and dates can merge in any order. Rows go in player order, so two
/// workers upserting overlapping players lock them in the same order and cannot deadlock.
pub async fn upsert(warehouse: &Warehouse, rows: &[(i64, &str, String, &str, &str)]) -> Result<()> {
    let mut sorted: Vec<&(i64, &str, String, &str, &str)> = rows.iter().collect();
    sorted.sort_by(|a, b| (a.0, a.4).cmp(&(b.0, b.4)));
    let mut tx = warehouse.db().begin_write("players").await?;
    for (player_id, name, lookup, team, game_date) in sorted {
        tx.execute(
            &Sql::new(
                "INSERT INTO players (player_id, player_name, player_lookup, team, last_game_date) \
                 VALUES (?, ?, ?, ?, ?) ON CONFLICT (player_id) DO UPDATE SET \
                 player_name = excluded.player_name, player_lookup = excluded.player_lookup, \
                 team = excluded.team, last_game_date = excluded.last_game_date \
                 WHERE excluded.last_game_date >= players.last_game_date",
            )
            .bind(*player_id)
            .bind(*name)
            .bind(lookup)
            .bind(*team)
            .bind(*game_date),
        )
        .await?;
    }
    tx.commit().await
}

/// Every player as (id, lookup, team), by id.
pub async fn all(warehouse: &Warehouse) -> Result<Vec<(i64, String, String)>> {
    warehouse
        .fetch(&Sql::new(
            "SELECT player_id, player_lookup, team FROM players ORDER BY player_id",
        ))
        .await
}

/// The players with these ids as (id, name, lookup), by id.
pub async fn by_ids(warehouse: &Warehouse, ids: &[i64]) -> Result<Vec<(i64, String, String)>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let mut sql = Sql::new(
            "SELECT player_id, player_name, player_lookup FROM players WHERE player_id IN ",
        );
        sql.push_list(chunk.iter().copied())
            .push(" ORDER BY player_id");
        out.extend(warehouse.fetch(&sql).await?);
    }
    out.sort();
    Ok(out)
}

/// The registry rows with this id.
pub async fn by_id(warehouse: &Warehouse, id: i64) -> Result<Vec<Player>> {
    warehouse
        .fetch(
            &Sql::new(
                "SELECT player_id, player_lookup, player_name, team FROM players WHERE player_id = ?",
            )
            .bind(id),
        )
        .await
}

/// The registry rows with this normalized name, by id.
pub async fn by_lookup(warehouse: &Warehouse, lookup: &str) -> Result<Vec<Player>> {
    warehouse
        .fetch(
            &Sql::new(
                "SELECT player_id, player_lookup, player_name, team FROM players \
                 WHERE player_lookup = ? ORDER BY player_id",
            )
            .bind(lookup),
        )
        .await
}

/// The latest teams of these players.
pub async fn teams_of(warehouse: &Warehouse, players: &BTreeSet<i64>) -> Result<BTreeSet<String>> {
    let ids: Vec<i64> = players.iter().copied().collect();
    Ok(by_team_rows(warehouse, &ids)
        .await?
        .into_iter()
        .map(|(_, team)| team)
        .collect())
}

async fn by_team_rows(warehouse: &Warehouse, ids: &[i64]) -> Result<Vec<(i64, String)>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let mut sql = Sql::new("SELECT player_id, team FROM players WHERE player_id IN ");
        sql.push_list(chunk.iter().copied());
        out.extend(warehouse.fetch::<(i64, String)>(&sql).await?);
    }
    Ok(out)
}

/// The players whose latest team is one of `teams`.
pub async fn of_teams(warehouse: &Warehouse, teams: &BTreeSet<String>) -> Result<BTreeSet<i64>> {
    if teams.is_empty() {
        return Ok(BTreeSet::new());
    }
    let mut sql = Sql::new("SELECT player_id FROM players WHERE team IN ");
    sql.push_list(teams.iter());
    Ok(warehouse
        .fetch::<(i64,)>(&sql)
        .await?
        .into_iter()
        .map(|(p,)| p)
        .collect())
}

/// The teams that played a game, from the schedule and the box scores.
pub async fn teams_of_game(warehouse: &Warehouse, game_id: &str) -> Result<Vec<(String, String)>> {
    warehouse
        .fetch(
            &Sql::new(
                "SELECT home_team, away_team FROM raw_nbac_schedule WHERE game_id = ? \
                 UNION SELECT team, opponent FROM raw_nbac_player_boxscores WHERE game_id = ?",
            )
            .bind(game_id)
            .bind(game_id),
        )
        .await
}
