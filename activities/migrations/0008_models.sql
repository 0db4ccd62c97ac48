-- Phase 5: trained model artifacts. One row per prediction system and game date: the model
-- that predicts that date, trained walk-forward on dates strictly before it. The model's bytes
-- live in the object store under `object_key` (content-addressed: models/<system>/<hash>.bin);
-- a retrain on changed data replaces the row, old objects stay in the store.
CREATE TABLE model_artifacts (
    system              TEXT NOT NULL,     -- the prediction system, e.g. gbm
    trained_for         TEXT NOT NULL,     -- the game date the model predicts
    model_version       TEXT NOT NULL,     -- <system>-<first 12 hex of content_hash>
    content_hash        TEXT NOT NULL,     -- blake3 of the artifact's bytes
    object_key          TEXT NOT NULL,     -- where the bytes are in the object store
    feature_version     INTEGER NOT NULL,  -- precompute::ml_feature_store::FEATURE_VERSION
    training_rows       INTEGER NOT NULL,
    first_training_date TEXT NOT NULL,
    last_training_date  TEXT NOT NULL,     -- always before trained_for
    in_sample_mae       REAL NOT NULL,     -- the model's mean absolute error on its training rows
    line_mae            REAL NOT NULL,     -- the line's on the same rows, for comparison
    row_hash            TEXT NOT NULL,     -- blake3 over the columns above (not created_at)
    created_at          TEXT NOT NULL,     -- UTC RFC 3339, when this version was recorded
    PRIMARY KEY (system, trained_for)
);
