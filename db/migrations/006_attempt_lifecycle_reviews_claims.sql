-- The attempt lifecycle (ADR 0008). Open statuses:
--   pending  : recorded before the PSP call; the call may or may not have left
--   unknown  : the request may have reached the PSP and its answer is not known
--   parked   : the request provably never reached the PSP (breaker open, refused); retried later
--   accepted : the PSP took the request and decides later (refund pending, Adyen [capture-received])
-- Only a PSP answer ends an attempt (succeeded / failed), or a person through a review.
ALTER TABLE payment_attempts DROP CONSTRAINT payment_attempts_status_check;
ALTER TABLE payment_attempts ADD CONSTRAINT payment_attempts_status_check
  CHECK (status IN ('pending', 'unknown', 'parked', 'accepted', 'succeeded', 'failed'));

-- When the janitor looks at the attempt next; set when the attempt opens, so the selection is one
-- index range scan, fair across operations (oldest due first).
UPDATE payment_attempts SET next_sync_at = COALESCE(next_sync_at, started_at + interval '60 seconds')
 WHERE status IN ('pending', 'unknown');
DROP INDEX IF EXISTS payment_attempts_open_idx;
CREATE INDEX payment_attempts_due_idx ON payment_attempts (next_sync_at)
  WHERE status IN ('pending', 'unknown', 'parked', 'accepted');
CREATE INDEX payment_attempts_open_payment_idx ON payment_attempts (payment_id)
  WHERE status IN ('pending', 'unknown', 'parked', 'accepted');
-- A parked authorization is given up at this time (PSP_PARK_DEADLINE_MS after it was parked).
ALTER TABLE payment_attempts ADD COLUMN give_up_at TIMESTAMPTZ;

-- Manual review as a queue: one open review per payment at most, with its reason.
CREATE TABLE payment_reviews (
  review_id    UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  payment_id   UUID NOT NULL REFERENCES payment_index(payment_id),
  attempt_id   UUID REFERENCES payment_attempts(attempt_id),
  reason       VARCHAR(64) NOT NULL,
  detail       VARCHAR(1000),
  opened_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  resolved_at  TIMESTAMPTZ,
  resolution   VARCHAR(32),
  resolved_by  VARCHAR(64),
  note         VARCHAR(1000)
);
CREATE UNIQUE INDEX payment_reviews_open_idx ON payment_reviews (payment_id) WHERE resolved_at IS NULL;
CREATE INDEX payment_reviews_opened_idx ON payment_reviews (opened_at) WHERE resolved_at IS NULL;

-- Append-only audit of operator actions.
CREATE TABLE ops_audit (
  audit_id    BIGSERIAL PRIMARY KEY,
  at          TIMESTAMPTZ NOT NULL DEFAULT now(),
  actor       VARCHAR(64) NOT NULL,
  action      VARCHAR(64) NOT NULL,
  payment_id  UUID,
  review_id   UUID,
  outcome     VARCHAR(32) NOT NULL,
  detail      JSONB NOT NULL DEFAULT '{}'
);

-- A command is acted on by one processor at a time: the claim is a lease its holder renews while it
-- works, so a copy of the command (rebalance, duplicate) waits instead of racing, and a dead holder's
-- claim lapses within the lease.
CREATE TABLE command_claims (
  command_id  UUID PRIMARY KEY,
  owner       VARCHAR(64) NOT NULL,
  lease_until TIMESTAMPTZ NOT NULL
);
