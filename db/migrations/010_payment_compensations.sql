-- A PSP success for a payment our ledger already failed or canceled is undone at the PSP (void, or
-- refund when captured). One compensation per PSP payment reference; the janitor carries it out.
CREATE TABLE payment_compensations (
  compensation_id  UUID PRIMARY KEY,
  payment_id       UUID NOT NULL REFERENCES payment_index(payment_id),
  psp              VARCHAR(16) NOT NULL,
  psp_reference    VARCHAR(128) NOT NULL,
  action           VARCHAR(8) NOT NULL CHECK (action IN ('void', 'refund')),
  amount           NUMERIC(12,2) NOT NULL CHECK (amount > 0),
  currency         CHAR(3) NOT NULL,
  reason           VARCHAR(64) NOT NULL,
  status           VARCHAR(16) NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
  checks           SMALLINT NOT NULL DEFAULT 0,
  next_check_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
  psp_answer       VARCHAR(1000),
  created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
  settled_at       TIMESTAMPTZ,
  UNIQUE (psp, psp_reference)
);
CREATE INDEX payment_compensations_due_idx ON payment_compensations (next_check_at) WHERE status = 'pending';
