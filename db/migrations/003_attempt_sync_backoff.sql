-- Janitor bookkeeping: inconclusive status syncs back off exponentially per attempt.
ALTER TABLE payment_attempts
  ADD COLUMN sync_count   SMALLINT NOT NULL DEFAULT 0,
  ADD COLUMN next_sync_at TIMESTAMPTZ;
