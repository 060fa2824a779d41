-- PSP webhook inbox (polar's pattern): the ingress takes (psp, event_id) with INSERT … ON CONFLICT DO
-- NOTHING and publishes to Kafka only a row that is new or not yet published (published_at covers a
-- crash between the insert and the broker's ack). The webhook processor sets processed_at, with what
-- it did (outcome) and the payment it concerned, in the transaction of its effects. A webhook that met
-- a live PSP call on its payment is parked: retry_at and the event (payload) until it is looked at again.
ALTER TABLE processed_psp_events
  ADD COLUMN published_at TIMESTAMPTZ,
  ADD COLUMN payment_id   UUID,
  ADD COLUMN outcome      VARCHAR(32),
  ADD COLUMN retry_at     TIMESTAMPTZ,
  ADD COLUMN payload      JSONB;
CREATE INDEX processed_psp_events_due_idx ON processed_psp_events (retry_at)
  WHERE processed_at IS NULL AND retry_at IS NOT NULL;
CREATE INDEX processed_psp_events_payment_idx ON processed_psp_events (payment_id)
  WHERE payment_id IS NOT NULL;

-- Webhooks that name only the PSP's reference find the payment through it.
CREATE INDEX payments_psp_reference_idx ON payments (psp_reference) WHERE psp_reference IS NOT NULL;

-- Disputes and chargebacks, one row per PSP dispute, updated as its stage moves on.
CREATE TABLE payment_disputes (
  dispute_id            UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  payment_id            UUID NOT NULL REFERENCES payment_index(payment_id),
  psp                   VARCHAR(16) NOT NULL,
  psp_dispute_reference VARCHAR(128) NOT NULL,
  stage                 VARCHAR(64) NOT NULL,
  reason                VARCHAR(255),
  amount                NUMERIC(12,2) NOT NULL CHECK (amount >= 0),
  currency              CHAR(3) NOT NULL,
  last_event_id         VARCHAR(255) NOT NULL,
  last_event_at         TIMESTAMPTZ NOT NULL,
  opened_at             TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (psp, psp_dispute_reference)
);
CREATE INDEX payment_disputes_payment_idx ON payment_disputes (payment_id);
