-- A re-run of a reconciliation day supersedes the earlier run instead of deleting it
-- (docs/adr/0011-reconciliation.md, "Idempotency"): the earlier run's row stays, with the run that
-- replaced it and when its CSV was removed; its exception rows go with its CSV. One current run per
-- (run_date, psp).
ALTER TABLE recon_runs
  ADD COLUMN IF NOT EXISTS superseded_by UUID REFERENCES recon_runs(run_id) DEFERRABLE INITIALLY DEFERRED,
  ADD COLUMN IF NOT EXISTS superseded_at TIMESTAMPTZ,
  ADD COLUMN IF NOT EXISTS output_removed_at TIMESTAMPTZ;
ALTER TABLE recon_runs DROP CONSTRAINT IF EXISTS recon_runs_run_date_psp_key;
CREATE UNIQUE INDEX IF NOT EXISTS recon_runs_current_idx ON recon_runs (run_date, psp)
  WHERE superseded_by IS NULL;
-- Superseded runs whose CSV is still to be removed (a removal that failed is retried by the next run).
CREATE INDEX IF NOT EXISTS recon_runs_output_to_remove_idx ON recon_runs (run_date, psp)
  WHERE superseded_by IS NOT NULL AND output_removed_at IS NULL;

-- Which exceptions have opened a manual review, so that one opens exactly once whatever the re-runs,
-- and whether or not the review has been resolved since. Keyed like the exception: the PSP's reference
-- and the class.
CREATE TABLE IF NOT EXISTS recon_reviews (
  psp             VARCHAR(16) NOT NULL,
  psp_reference   VARCHAR(128) NOT NULL,
  class           VARCHAR(32) NOT NULL,
  payment_id      UUID NOT NULL,
  run_id          UUID NOT NULL,
  opened_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (psp, psp_reference, class)
);
-- Exceptions recorded before this table existed have opened their review already.
INSERT INTO recon_reviews (psp, psp_reference, class, payment_id, run_id)
SELECT r.psp, e.psp_reference, e.class, e.payment_id, r.run_id
  FROM recon_exceptions e JOIN recon_runs r ON r.run_id = e.run_id
 WHERE e.payment_id IS NOT NULL
ON CONFLICT DO NOTHING;
