//! What every prediction system reads for one batch of players on a date: his current line
//! (with its prices), his feature vector from `ml_feature_store`, and his game context (whose
//! last-10 average reaches back into last season, which the season-scoped daily cache does
//! not). All of it is computed from games before the date: point in time.

use std::collections::BTreeMap;

use nbaprops_proto::{Mode, ProcessorRequest};

use crate::analytics::player_game_summary::entity_scope;
use crate::analytics::upcoming_player_game_context::PlayerContextRow;
use crate::error::{PipelineError, Result};
use crate::hashing;
use crate::lines::{current_lines, ChosenLine};
use crate::precompute::ml_feature_store::{FeatureRow, FEATURE_NAMES};
use crate::storage::warehouse::{Filter, Scope};
use crate::storage::{TableRow, Value};
use crate::Deps;

/// A player's stored feature vector.
#[derive(Debug, Clone, PartialEq)]
pub struct Features {
    pub hash: String,
    pub values: Vec<Option<f64>>,
    pub missing: i64,
}

/// The position of a feature in [`FEATURE_NAMES`]; a name that is not there is a bug.
pub fn feature_index(name: &str) -> usize {
    FEATURE_NAMES
        .iter()
        .position(|n| *n == name)
        .unwrap_or_else(|| panic!("no feature named {name}"))
}

impl Features {
    pub fn get(&self, name: &str) -> Option<f64> {
        self.values[feature_index(name)]
    }
}

/// One player to predict.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub player_id: i64,
    pub player_name: String,
    pub line: ChosenLine,
    pub features: Option<Features>,
    pub context: Option<PlayerContextRow>,
}

impl Candidate {
    pub fn feature(&self, name: &str) -> Option<f64> {
        self.features.as_ref().and_then(|f| f.get(name))
    }
}

/// A batch, ready for the systems: who can be predicted, and why the others cannot.
#[derive(Debug, Clone)]
pub struct Batch {
    pub date: String,
    /// The batch's players: the write scope of every system.
    pub scope: Scope,
    pub candidates: Vec<Candidate>,
    /// `"{reason}: {name} ({id})"` for players who cannot be predicted by any system.
    pub skipped: Vec<String>,
    pub rows_read: usize,
    pub input_hash: String,
}

/// Why a backfill predicts nothing for a player: a day workflow's prediction of the date is
/// live, the one the team sees, at the line of the day's run; a backfill reads every snapshot
/// of the date and would supersede it with another.
pub const DAY_PREDICTION_STANDS: &str = "a day's prediction stands";

/// A skip message in the one shape the backtest's coverage report groups by: the reason first.
pub fn skip(reason: &str, name: &str, player_id: i64) -> String {
    format!("{reason}: {name} ({player_id})")
}

/// Loads the batch named by the request's `entity_filter.players`.
pub async fn load_batch(deps: &Deps, req: &ProcessorRequest, date: &str) -> Result<Batch> {
    let Some(scope) = entity_scope(req) else {
        return Err(PipelineError::InvalidRequest(format!(
            "{} for {date}: a batch must name its players (entity_filter.players)",
            req.processor
        )));
    };
    let mut ids: Vec<i64> = scope
        .values
        .iter()
        .filter_map(|v| match v {
            Value::Int(i) => Some(*i),
            _ => None,
        })
        .collect();
    let mut skipped = Vec::new();
    // A backfill leaves alone the players a day already predicted (docs/backfill.md).
    let mut scope = scope;
    if req
        .context
        .as_ref()
        .is_some_and(|c| c.mode() == Mode::Backfill)
    {
        let shown =
            crate::storage::queries::predict::players_with_day_predictions(&deps.warehouse, date)
                .await?;
        for p in ids.iter().filter(|p| shown.contains(p)) {
            skipped.push(skip(DAY_PREDICTION_STANDS, "player", *p));
        }
        ids.retain(|p| !shown.contains(p));
        scope
            .values
            .retain(|v| !matches!(v, Value::Int(p) if shown.contains(p)));
    }
    let players = crate::storage::queries::players::by_ids(&deps.warehouse, &ids).await?;
    let batch = Filter::new()
        .eq("game_date", date)
        .is_in("player_id", ids.iter().copied());
    let feature_rows: Vec<FeatureRow> = deps.warehouse.rows(&batch).await?;
    let context_rows: Vec<PlayerContextRow> = deps.warehouse.rows(&batch).await?;
    let props = crate::analytics::inputs::points_lines(deps, date).await?;
    let lines = current_lines(&props, crate::lines::cutoff_of(req.context.as_ref()));

    let mut features: BTreeMap<i64, Features> = BTreeMap::new();
    for r in &feature_rows {
        features.insert(
            r.player_id,
            Features {
                hash: r.feature_hash.clone(),
                values: r.vector()?,
                missing: r.missing_count,
            },
        );
    }
    let mut contexts: BTreeMap<i64, PlayerContextRow> =
        context_rows.into_iter().map(|r| (r.player_id, r)).collect();

    let mut candidates = Vec::new();
    let mut hashes: Vec<String> = Vec::new();
    for (player_id, name, lookup) in players {
        let Some(line) = lines.get(&lookup) else {
            skipped.push(skip("no line for the date", &name, player_id));
            continue;
        };
        let features = features.remove(&player_id);
        let context = contexts.remove(&player_id);
        hashes.push(hashing::row_hash(&[
            player_id.into(),
            line.line.into(),
            line.snapshot_time.clone().into(),
            line.over_price.map(|p| p as f64).into(),
            line.under_price.map(|p| p as f64).into(),
            features.as_ref().map(|f| f.hash.clone()).into(),
            context
                .as_ref()
                .map(|c| hashing::row_hash(&c.values()))
                .into(),
        ]));
        candidates.push(Candidate {
            player_id,
            player_name: name,
            line: line.clone(),
            features,
            context,
        });
    }
    Ok(Batch {
        date: date.to_string(),
        scope,
        rows_read: feature_rows.len() + candidates.len(),
        input_hash: hashing::combine(hashes.iter().map(String::as_str)),
        candidates,
        skipped,
    })
}
