//! What the batches of a date share, kept once per worker process.
//!
//! Phase 5 runs each system over batches of 25 players, and every batch of a date reads the
//! same history: `similarity` its 365-day pool of labelled games, `gbm` the date's model,
//! `gbm_train` every earlier labelled game. Read and parsed per batch, that cost grows with the
//! history behind the date and a long backfill grows quadratically. `ensemble` likewise refits
//! its blend on 60 days of graded predictions per batch. This cache keeps:
//!
//! - the labelled games of each game date, parsed, with a digest of the rows they came from
//!   ([`super::history`] checks the digest before every use, so a rewritten date is read again);
//! - values computed from such history ([`Memo`]): the similarity pool and the trained gbm
//!   model, keyed by the digest of the whole history they were computed from; the ensemble's
//!   blend, keyed by the digest of the graded predictions it was fitted on; the parsed gbm
//!   model, keyed by its artifact's content hash.
//!
//! Nothing here changes what is computed: a key names exactly the inputs of its value.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

use super::ensemble::Blend;
use super::gbm::{GbmModel, TrainedModel};
use super::history::LabelledGame;
use super::similarity::Pool;
use crate::error::Result;

/// Where one key's value is (or is being) computed.
type Slot<V> = Arc<OnceCell<Arc<V>>>;

/// Values computed once per key; concurrent callers with the same key share one computation.
/// At most `capacity` keys are kept, the oldest dropped first. A failed computation keeps
/// nothing: the next caller tries again.
pub struct Memo<V> {
    entries: Mutex<VecDeque<(String, Slot<V>)>>,
    capacity: usize,
}

impl<V> Memo<V> {
    pub fn new(capacity: usize) -> Self {
        Self {
            entries: Mutex::new(VecDeque::new()),
            capacity: capacity.max(1),
        }
    }

    fn cell(&self, key: &str) -> Slot<V> {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, cell)) = entries.iter().find(|(k, _)| k == key) {
            return cell.clone();
        }
        let cell = Arc::new(OnceCell::new());
        entries.push_back((key.to_string(), cell.clone()));
        while entries.len() > self.capacity {
            entries.pop_front();
        }
        cell
    }

    /// The value for `key`, computed by `init` if no caller has computed it yet.
    pub async fn get_or_try_init<F, Fut>(&self, key: &str, init: F) -> Result<Arc<V>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V>>,
    {
        let cell = self.cell(key);
        cell.get_or_try_init(|| async { init().await.map(Arc::new) })
            .await
            .cloned()
    }
}

/// The labelled games of one game date and the digest of the rows they were parsed from.
pub type CachedDay = (String, Arc<Vec<LabelledGame>>);

/// The per-process cache of Phase 5 (one in each [`crate::Deps`]).
pub struct PredictCache {
    /// Labelled games by game date.
    pub(crate) days: Mutex<HashMap<String, CachedDay>>,
    /// Similarity pools by the digest of their history.
    pub(crate) pools: Memo<Pool>,
    /// Trained gbm models by the date they were trained for and the digest of their rows.
    pub(crate) trained: Memo<TrainedModel>,
    /// Parsed gbm models by their artifact's content hash.
    pub(crate) models: Memo<GbmModel>,
    /// Ensemble blends by the digest of the graded history they were fitted on.
    pub(crate) blends: Memo<Blend>,
}

impl Default for PredictCache {
    fn default() -> Self {
        Self {
            days: Mutex::new(HashMap::new()),
            // A few dates are in flight at once (the backfill's window, a live day's rerun).
            pools: Memo::new(6),
            trained: Memo::new(8),
            models: Memo::new(8),
            blends: Memo::new(8),
        }
    }
}

impl std::fmt::Debug for PredictCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let days = self.days.lock().map(|d| d.len()).unwrap_or(0);
        f.debug_struct("PredictCache")
            .field("days", &days)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::PipelineError;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn memo_computes_once_per_key_and_forgets_failures_and_old_keys() {
        let memo: Memo<usize> = Memo::new(2);
        let calls = AtomicUsize::new(0);
        let compute = |v: usize| {
            calls.fetch_add(1, Ordering::SeqCst);
            async move { Ok(v) }
        };
        let (a, b) = tokio::join!(
            memo.get_or_try_init("a", || compute(1)),
            memo.get_or_try_init("a", || compute(2))
        );
        assert_eq!((*a.unwrap(), *b.unwrap()), (1, 1));
        assert_eq!(calls.load(Ordering::SeqCst), 1);

        let failed = memo
            .get_or_try_init("b", || async {
                Err::<usize, _>(PipelineError::Internal("no".into()))
            })
            .await;
        assert!(failed.is_err());
        assert_eq!(*memo.get_or_try_init("b", || compute(3)).await.unwrap(), 3);

        // A third key drops the oldest.
        memo.get_or_try_init("c", || compute(4)).await.unwrap();
        assert_eq!(*memo.get_or_try_init("a", || compute(5)).await.unwrap(), 5);
    }
}
