//! The index of kept payloads (`raw_payloads`) and the few reads of raw tables that are not a
//! partition of typed rows.

use std::collections::BTreeSet;

use crate::error::Result;
use crate::storage::sql::Sql;
use crate::storage::Warehouse;

/// A kept payload: (object key, request key, blake3, bytes).
pub type Kept = (String, String, String, i64);

/// The payloads kept for a source and date, oldest first.
pub async fn kept(warehouse: &Warehouse, source: &str, date: &str) -> Result<Vec<Kept>> {
    warehouse
        .fetch(
            &Sql::new(
                "SELECT object_key, request_key, blake3, bytes FROM raw_payloads \
                 WHERE source = ? AND data_date = ? AND status = 'ok' \
                 ORDER BY first_seen_at, object_key",
            )
            .bind(source)
            .bind(date),
        )
        .await
}

/// When a payload was first kept (None: not kept).
pub async fn first_seen(warehouse: &Warehouse, object_key: &str) -> Result<Option<String>> {
    Ok(warehouse
        .fetch_optional::<(String,)>(
            &Sql::new("SELECT first_seen_at FROM raw_payloads WHERE object_key = ?")
                .bind(object_key),
        )
        .await?
        .map(|(t,)| t))
}

/// The keys of a source's kept payloads, the most recently kept first (at most `limit`).
pub async fn newest_keys(warehouse: &Warehouse, source: &str, limit: i64) -> Result<Vec<String>> {
    Ok(warehouse
        .fetch::<(String,)>(
            &Sql::new(
                "SELECT object_key FROM raw_payloads WHERE source = ? AND status = 'ok' \
                 ORDER BY first_seen_at DESC, data_date DESC, object_key DESC LIMIT ?",
            )
            .bind(source)
            .bind(limit),
        )
        .await?
        .into_iter()
        .map(|(k,)| k)
        .collect())
}

/// The key of a source's payload for the latest data date (the newest kept that day).
pub async fn latest_dated_key(warehouse: &Warehouse, source: &str) -> Result<Option<String>> {
    Ok(warehouse
        .fetch_optional::<(String,)>(
            &Sql::new(
                "SELECT object_key FROM raw_payloads WHERE source = ? AND status = 'ok' \
                 ORDER BY data_date DESC, first_seen_at DESC, object_key DESC LIMIT 1",
            )
            .bind(source),
        )
        .await?
        .map(|(k,)| k))
}

/// The data dates a source has kept payloads for, in `[from, to]` when given.
pub async fn kept_dates(
    warehouse: &Warehouse,
    source: &str,
    range: Option<(&str, &str)>,
) -> Result<BTreeSet<String>> {
    let mut sql =
        Sql::new("SELECT DISTINCT data_date FROM raw_payloads WHERE source = ? AND status = 'ok'")
            .bind(source);
    if let Some((from, to)) = range {
        sql.push(" AND data_date >= ").push_arg(from);
        sql.push(" AND data_date <= ").push_arg(to);
    }
    Ok(warehouse
        .fetch::<(String,)>(&sql)
        .await?
        .into_iter()
        .map(|(d,)| d)
        .collect())
}

/// The latest scheduled tip-off of a date, from the CDN schedule.
pub async fn last_scheduled_tipoff(warehouse: &Warehouse, date: &str) -> Result<Option<String>> {
    Ok(warehouse
        .fetch_one::<(Option<String>,)>(
            &Sql::new("SELECT MAX(start_time_utc) FROM raw_nbac_schedule WHERE game_date = ?")
                .bind(date),
        )
        .await?
        .0)
}

/// The latest commence time of a date's player-points lines.
pub async fn last_lined_tipoff(warehouse: &Warehouse, date: &str) -> Result<Option<String>> {
    Ok(warehouse
        .fetch_one::<(Option<String>,)>(
            &Sql::new("SELECT MAX(commence_time) FROM raw_oddsa_player_props WHERE game_date = ?")
                .bind(date),
        )
        .await?
        .0)
}

/// A player's first commence time on a date, from his lines.
pub async fn first_lined_tipoff(
    warehouse: &Warehouse,
    date: &str,
    lookup: &str,
) -> Result<Option<String>> {
    Ok(warehouse
        .fetch_one::<(Option<String>,)>(
            &Sql::new(
                "SELECT MIN(commence_time) FROM raw_oddsa_player_props \
                 WHERE game_date = ? AND player_lookup = ?",
            )
            .bind(date)
            .bind(lookup),
        )
        .await?
        .0)
}

/// The status of a player's latest injury update applied to a date.
pub async fn latest_injury_status(
    warehouse: &Warehouse,
    date: &str,
    player_id: i64,
) -> Result<Option<String>> {
    Ok(warehouse
        .fetch_optional::<(String,)>(
            &Sql::new(
                "SELECT status FROM raw_injury_updates WHERE game_date = ? AND player_id = ? \
                 ORDER BY report_time DESC, source DESC LIMIT 1",
            )
            .bind(date)
            .bind(player_id),
        )
        .await?
        .map(|(s,)| s))
}

/// The distinct matchups ("BOS vs. NYK", "NYK @ BOS") of a date's imported game logs.
pub async fn logged_matchups(warehouse: &Warehouse, date: &str) -> Result<Vec<String>> {
    Ok(warehouse
        .fetch::<(String,)>(
            &Sql::new(
                "SELECT DISTINCT matchup FROM raw_historical_player_game_logs \
                 WHERE game_date = ? ORDER BY matchup",
            )
            .bind(date),
        )
        .await?
        .into_iter()
        .map(|(m,)| m)
        .collect())
}
