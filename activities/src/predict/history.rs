//! Labelled history for the systems that learn from earlier games (`similarity`, `gbm`,
//! `ensemble`): each earlier player-game's feature vector as it stood that morning, with the
//! points he then scored. Strictly before the date: a system predicting D never sees D.
//!
//! The parsed games of each date are kept in the process's [`super::cache::PredictCache`] with
//! a digest of the rows they came from (each feature row's and box-score row's hash). Every
//! read asks the warehouse for the digests first, a cheap aggregate, and parses again only the
//! dates whose digest changed or that are new. So a date's batches, and the dates after it,
//! parse each earlier date once.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::error::Result;
use crate::precompute::ml_feature_store::{FeatureRow, FEATURE_NAMES, FEATURE_VERSION};
use crate::storage::queries::predict as predict_queries;
use crate::Deps;

/// One earlier player-game: what was known that morning, and what happened.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelledGame {
    pub game_date: String,
    pub player_id: i64,
    pub features: Vec<Option<f64>>,
    pub line: f64,
    pub actual_points: f64,
}

/// The labelled games of a range of dates, a date at a time, in date and player order.
#[derive(Debug, Clone, Default)]
pub struct History {
    days: Vec<Arc<Vec<LabelledGame>>>,
    /// Names the rows the games came from: the same digest, the same games.
    pub digest: String,
}

impl History {
    pub fn iter(&self) -> impl Iterator<Item = &LabelledGame> {
        self.days.iter().flat_map(|d| d.iter())
    }

    pub fn len(&self) -> usize {
        self.days.iter().map(|d| d.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn last(&self) -> Option<&LabelledGame> {
        self.days.iter().rev().find_map(|d| d.last())
    }

    pub fn to_vec(&self) -> Vec<LabelledGame> {
        self.iter().cloned().collect()
    }
}

/// The player-games in `[from, before)` that have a feature row of this code's version and
/// a box-score row with minutes played, ordered by date and player (deterministic).
pub async fn labelled_games(deps: &Deps, from: &str, before: &str) -> Result<Vec<LabelledGame>> {
    Ok(labelled_history(deps, from, before).await?.to_vec())
}

/// [`labelled_games`] without copying: the dates' parsed games from the process's cache,
/// those that changed or are new read again.
pub async fn labelled_history(deps: &Deps, from: &str, before: &str) -> Result<History> {
    // One read transaction: the digests and the rows read again are the same snapshot.
    let mut snapshot = deps.warehouse.snapshot().await?;
    let digests = predict_queries::labelled_digests(&mut snapshot, from, before).await?;
    let digests: Vec<(String, String)> = digests
        .into_iter()
        .map(|(date, rows)| (date, blake3::hash(rows.as_bytes()).to_hex().to_string()))
        .collect();

    let cache = &deps.predict_cache;
    let mut found: BTreeMap<String, Arc<Vec<LabelledGame>>> = BTreeMap::new();
    let mut missing: BTreeSet<&str> = BTreeSet::new();
    {
        let days = cache.days.lock().unwrap_or_else(|e| e.into_inner());
        for (date, digest) in &digests {
            match days.get(date) {
                Some((d, games)) if d == digest => {
                    found.insert(date.clone(), games.clone());
                }
                _ => {
                    missing.insert(date);
                }
            }
        }
    }
    if let (Some(first), Some(last)) = (missing.first(), missing.last()) {
        let rows = predict_queries::labelled_rows(&mut snapshot, first, before, last).await?;
        let mut parsed: BTreeMap<String, Vec<LabelledGame>> = missing
            .iter()
            .map(|d| (d.to_string(), Vec::new()))
            .collect();
        for (game_date, player_id, version, features, points) in rows {
            let Some(day) = parsed.get_mut(&game_date) else {
                continue;
            };
            if let Some(game) = labelled(game_date, player_id, version, features, points)? {
                day.push(game);
            }
        }
        let mut days = cache.days.lock().unwrap_or_else(|e| e.into_inner());
        for (date, digest) in &digests {
            if let Some(games) = parsed.remove(date) {
                let games = Arc::new(games);
                days.insert(date.clone(), (digest.clone(), games.clone()));
                found.insert(date.clone(), games);
            }
        }
    }
    snapshot.finish().await?;

    let mut h = blake3::Hasher::new();
    for (date, digest) in &digests {
        h.update(date.as_bytes());
        h.update(b" ");
        h.update(digest.as_bytes());
        h.update(b"\n");
    }
    Ok(History {
        days: found.into_values().collect(),
        digest: h.finalize().to_hex().to_string(),
    })
}

/// One stored row as a labelled game; `None` for another feature version or no line.
fn labelled(
    game_date: String,
    player_id: i64,
    version: i64,
    features: String,
    points: i64,
) -> Result<Option<LabelledGame>> {
    if version != FEATURE_VERSION {
        return Ok(None);
    }
    let line_at = FEATURE_NAMES.iter().position(|n| *n == "line").unwrap_or(0);
    let row = FeatureRow {
        game_date: game_date.clone(),
        player_id,
        player_name: String::new(),
        team: String::new(),
        opponent: None,
        feature_version: version,
        feature_count: FEATURE_NAMES.len() as i64,
        features,
        missing_count: 0,
        feature_hash: String::new(),
    };
    let features = row.vector()?;
    let Some(line) = features[line_at] else {
        return Ok(None);
    };
    Ok(Some(LabelledGame {
        game_date,
        player_id,
        features,
        line,
        actual_points: points as f64,
    }))
}
