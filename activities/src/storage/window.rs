//! Reads of a date window of a table (`[from, before)`), kept parsed per partition date.
//!
//! Phases 3 and 4 read history windows per game date: season to date for the daily cache, the
//! composite factors and the zone analyses, 200 days for a player's context. Read whole each
//! time, a backfill reads and parses every summary row again for every date after it: the cost
//! of a date grows through the season. A window read instead asks for the stored `row_hash`es
//! of the window (a narrow read, no parsing), and parses again only the dates whose hashes
//! changed or that are new; the rest come from this per-process cache.
//!
//! Nothing here changes what a processor computes: the rows are the same, in the same order
//! (partition, then key columns), and the window's input hash is the same order-independent
//! hash the processors computed from the rows' values (the stored `row_hash` *is* that hash:
//! `Warehouse::write_partition` computes it from the same values).

use std::any::Any;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use super::db::{Backend, Db};
use super::sql::{decode_all, Kind, Sql};
use super::table::{TableRow, WriteMode};
use crate::error::Result;
use crate::hashing;

/// Partition dates kept per table; the least recently used go first. Four seasons of game
/// dates fit, so a backfill's windows (at most a season and a bit) never evict what they need.
const DATES_PER_TABLE: usize = 900;

/// One partition's rows as parsed, with their stored hashes (same order).
struct Day<R> {
    rows: Vec<R>,
    hashes: Vec<String>,
}

struct Entry {
    /// blake3 over the partition's sorted row hashes, comma-separated.
    digest: String,
    day: Arc<dyn Any + Send + Sync>,
    last_used: u64,
}

/// The per-process cache behind [`read`] (one in each [`super::Warehouse`]).
#[derive(Default)]
pub struct WindowCache {
    inner: Mutex<Tables>,
}

#[derive(Default)]
struct Tables {
    by_table: HashMap<&'static str, HashMap<String, Entry>>,
    clock: u64,
}

impl std::fmt::Debug for WindowCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let dates = self
            .inner
            .lock()
            .map(|t| t.by_table.values().map(HashMap::len).sum::<usize>())
            .unwrap_or(0);
        f.debug_struct("WindowCache")
            .field("dates", &dates)
            .finish()
    }
}

/// The rows of a table over a date window.
pub struct Window<R> {
    days: Vec<Arc<Day<R>>>,
    /// [`crate::hashing::combine`] over every row's hash: what `input_hash(&rows)` gives.
    pub input_hash: String,
}

impl<R> Window<R> {
    /// Every row, by partition date then key.
    pub fn iter(&self) -> impl Iterator<Item = &R> + '_ {
        self.days.iter().flat_map(|d| d.rows.iter())
    }

    /// Every row with its stored hash (for input hashes over a subset).
    pub fn iter_hashed(&self) -> impl Iterator<Item = (&R, &str)> + '_ {
        self.days
            .iter()
            .flat_map(|d| d.rows.iter().zip(d.hashes.iter().map(String::as_str)))
    }

    pub fn len(&self) -> usize {
        self.days.iter().map(|d| d.rows.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The rows as one owned vector.
    pub fn to_vec(&self) -> Vec<R>
    where
        R: Clone,
    {
        self.iter().cloned().collect()
    }
}

/// The live rows of `R`'s table with partition date in `[from, before)`.
pub async fn read<R>(db: &Db, cache: &WindowCache, from: &str, before: &str) -> Result<Window<R>>
where
    R: TableRow + Send + Sync + 'static,
{
    let def = R::TABLE;
    let live = if def.mode == WriteMode::Supersede {
        " AND superseded_at IS NULL"
    } else {
        ""
    };
    // One snapshot: the hashes and the rows parsed again come from the same commit. The hashes
    // come one string per date, aggregated by the database: a few hundred rows instead of one
    // per table row.
    let mut tx = db.begin_snapshot().await?;
    let aggregate = match db.backend() {
        Backend::Sqlite => "group_concat(row_hash, ',' ORDER BY row_hash)",
        Backend::Postgres => "string_agg(row_hash, ',' ORDER BY row_hash)",
    };
    let stored: Vec<(String, String)> = decode_all(
        tx.fetch(
            &Sql::new(format!(
                "SELECT {part}, {aggregate} FROM {table} \
                 WHERE {part} >= ? AND {part} < ?{live} GROUP BY {part} ORDER BY {part}",
                part = def.partition_column,
                table = def.name,
            ))
            .bind(from)
            .bind(before),
            &[Kind::Text, Kind::Text],
        )
        .await?,
    )?;
    let digests: Vec<(&str, String)> = stored
        .iter()
        .map(|(date, hashes)| {
            (
                date.as_str(),
                blake3::hash(hashes.as_bytes()).to_hex().to_string(),
            )
        })
        .collect();

    let mut found: BTreeMap<&str, Arc<Day<R>>> = BTreeMap::new();
    let mut missing: Vec<&str> = Vec::new();
    {
        let mut tables = cache.inner.lock().unwrap_or_else(|e| e.into_inner());
        tables.clock += 1;
        let now = tables.clock;
        let table = tables.by_table.entry(def.name).or_default();
        for (date, digest) in &digests {
            let cached = table
                .get_mut(*date)
                .filter(|e| &e.digest == digest)
                .and_then(|e| {
                    e.last_used = now;
                    e.day.clone().downcast::<Day<R>>().ok()
                });
            match cached {
                Some(day) => {
                    found.insert(date, day);
                }
                None => missing.push(date),
            }
        }
    }

    if let (Some(first), Some(last)) = (missing.first(), missing.last()) {
        let order: Vec<&str> = std::iter::once(def.partition_column)
            .chain(def.key_columns.iter().copied())
            .collect();
        let kinds: Vec<Kind> = def.kinds.iter().copied().chain([Kind::Text]).collect();
        let rows = tx
            .fetch(
                &Sql::new(format!(
                    "SELECT {cols}, row_hash FROM {table} WHERE {part} >= ? AND {part} <= ?{live} \
                     ORDER BY {order}",
                    cols = def.select_list(),
                    table = def.name,
                    part = def.partition_column,
                    order = order.join(", "),
                ))
                .bind(*first)
                .bind(*last),
                &kinds,
            )
            .await?;
        let mut parsed: BTreeMap<&str, Day<R>> = missing
            .iter()
            .map(|d| {
                (
                    *d,
                    Day {
                        rows: Vec::new(),
                        hashes: Vec::new(),
                    },
                )
            })
            .collect();
        let part = def.column_index(def.partition_column);
        for mut values in rows {
            let hash = values.pop().map(|h| h.key_string()).unwrap_or_default();
            // Dates between the first and last missing ones that are cached are read too
            // (one range query); they are skipped here.
            let Some(day) = parsed.get_mut(values[part].key_string().as_str()) else {
                continue;
            };
            day.rows.push(R::from_values(values).map_err(|e| {
                crate::error::PipelineError::Warehouse(sqlx::Error::Decode(e.into()))
            })?);
            day.hashes.push(hash);
        }
        let mut tables = cache.inner.lock().unwrap_or_else(|e| e.into_inner());
        let now = tables.clock;
        let table = tables.by_table.entry(def.name).or_default();
        for (date, digest) in &digests {
            if let Some(day) = parsed.remove(date) {
                let day = Arc::new(day);
                table.insert(
                    date.to_string(),
                    Entry {
                        digest: digest.clone(),
                        day: day.clone(),
                        last_used: now,
                    },
                );
                found.insert(date, day);
            }
        }
        while table.len() > DATES_PER_TABLE {
            let oldest = table
                .iter()
                .min_by_key(|(_, e)| e.last_used)
                .map(|(d, _)| d.clone())
                .expect("not empty");
            table.remove(&oldest);
        }
    }
    tx.commit().await?;

    let input_hash = hashing::combine(stored.iter().flat_map(|(_, h)| h.split(',')));
    Ok(Window {
        days: found.into_values().collect(),
        input_hash,
    })
}

#[cfg(test)]
mod tests {
    use crate::analytics::player_game_summary::GameSummaryRow;
    use crate::storage::warehouse::{Filter, WriteMeta};
    use crate::storage::Warehouse;

    fn meta() -> WriteMeta {
        WriteMeta {
            correlation_id: "test".into(),
            now: "2025-01-20T12:00:00Z".into(),
        }
    }

    fn games(date: &str, players: &[(i64, i64)]) -> Vec<GameSummaryRow> {
        players
            .iter()
            .map(|(p, pts)| GameSummaryRow::sample(date, *p, *pts, 30.0))
            .collect()
    }

    #[tokio::test]
    async fn a_window_is_what_select_reads_and_rereads_only_rewritten_dates() {
        let dir = tempfile::tempdir().unwrap();
        let w = Warehouse::open(&dir.path().join("w.sqlite")).await.unwrap();
        for (date, players) in [
            ("2025-01-01", vec![(3, 10), (1, 20)]),
            ("2025-01-02", vec![(2, 30)]),
            ("2025-01-04", vec![(1, 5), (2, 7)]),
            ("2025-01-09", vec![(9, 9)]),
        ] {
            w.write_partition(date, None, &games(date, &players), &meta())
                .await
                .unwrap();
        }
        // A plain select, in the window's order (date, game, player).
        let select = |from: &'static str, before: &'static str| {
            let w = w.clone();
            async move {
                let mut rows = w
                    .rows::<GameSummaryRow>(&Filter::new().range("game_date", from, before))
                    .await
                    .unwrap();
                rows.sort_by(|a, b| {
                    (&a.game_date, &a.game_id, a.player_id).cmp(&(
                        &b.game_date,
                        &b.game_id,
                        b.player_id,
                    ))
                });
                rows
            }
        };

        // The same rows as a plain select (by date, game, player) and the processors' hash.
        let first = w
            .select_window::<GameSummaryRow>("2025-01-01", "2025-01-05")
            .await
            .unwrap();
        let expected = select("2025-01-01", "2025-01-05").await;
        assert_eq!(first.to_vec(), expected);
        assert_eq!(first.len(), 5);
        assert_eq!(
            first.input_hash,
            crate::precompute::input_hash(&expected),
            "the stored row hashes are the hashes of the values"
        );

        // A later, wider window shares the parsed dates; a rewritten date is read again.
        w.write_partition(
            "2025-01-02",
            None,
            &games("2025-01-02", &[(2, 31)]),
            &meta(),
        )
        .await
        .unwrap();
        let second = w
            .select_window::<GameSummaryRow>("2025-01-01", "2025-01-10")
            .await
            .unwrap();
        assert!(std::sync::Arc::ptr_eq(&first.days[0], &second.days[0]));
        assert!(!std::sync::Arc::ptr_eq(&first.days[1], &second.days[1]));
        assert!(std::sync::Arc::ptr_eq(&first.days[2], &second.days[2]));
        let expected = select("2025-01-01", "2025-01-10").await;
        assert_eq!(second.to_vec(), expected);
        assert_eq!(second.iter().find(|g| g.player_id == 2).unwrap().points, 31);
        assert_eq!(second.input_hash, crate::precompute::input_hash(&expected));

        // A date emptied by a rewrite leaves the window; an empty window hashes like no rows.
        w.write_partition::<GameSummaryRow>("2025-01-09", None, &[], &meta())
            .await
            .unwrap();
        let third = w
            .select_window::<GameSummaryRow>("2025-01-05", "2025-01-10")
            .await
            .unwrap();
        assert!(third.is_empty());
        assert_eq!(
            third.input_hash,
            crate::precompute::input_hash::<GameSummaryRow>(&[])
        );
    }
}
