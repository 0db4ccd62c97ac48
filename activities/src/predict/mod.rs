//! Phase 5: predictions. `plan` lists the players with a line (resolving sportsbook names to
//! NBA ids). Level 1 of the phase prepares what a whole date shares (a model trained on the
//! history before it); level 2 runs each system over a batch of players (`inputs` loads the
//! batch, `system` turns estimates into rows); level 3, `ensemble`, combines them.

pub mod cache;
pub mod ensemble;
pub mod fair_points;
pub mod gbm;
pub mod gbm_system;
pub mod gbm_train;
pub mod history;
pub mod inputs;
pub mod matchup;
pub mod median;
pub mod moving_average;
pub mod plan;
pub mod predictions;
pub mod similarity;
pub mod system;

/// The Phase 5 processors (the training and the prediction systems), by registry name.
pub const PROCESSORS: &[crate::entry::Processor] = &[
    crate::processor_entry!(gbm_train),
    crate::processor_entry!(moving_average, predictions::PredictionRow),
    crate::processor_entry!(matchup, predictions::PredictionRow),
    crate::processor_entry!(similarity, predictions::PredictionRow),
    crate::processor_entry!(gbm_system, predictions::PredictionRow),
    crate::processor_entry!(fair_points, predictions::PredictionRow),
    crate::processor_entry!(ensemble, predictions::PredictionRow),
];
