-- The run history names the Temporal execution behind each row, and covers Phase 1 too.
--
-- `kind`: 'scrape' (a Phase 1 source: rows_read = records seen, rows_written = payloads newly
-- kept, rows_unchanged = payloads already kept) or 'process' (a Phase 2-6 processor).
-- `workflow_id` / `run_id`: the workflow execution whose activity ran it ('' when run
-- in-process, outside Temporal); `activity_id` and `attempt` the activity and its retry.
ALTER TABLE processor_runs ADD COLUMN kind TEXT NOT NULL DEFAULT 'process';
ALTER TABLE processor_runs ADD COLUMN workflow_id TEXT NOT NULL DEFAULT '';
ALTER TABLE processor_runs ADD COLUMN run_id TEXT NOT NULL DEFAULT '';
ALTER TABLE processor_runs ADD COLUMN activity_id TEXT NOT NULL DEFAULT '';
ALTER TABLE processor_runs ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1;
CREATE INDEX processor_runs_by_workflow ON processor_runs (workflow_id, run_id);
