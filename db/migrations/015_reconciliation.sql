-- Reconciliation (issue 8, section 3; docs/adr/0011-reconciliation.md): one run per (run_date, psp),
-- replaced by a re-run; every exception of the run, with or without a payment.
CREATE TABLE IF NOT EXISTS recon_runs (
  run_id          UUID PRIMARY KEY,
  run_date        DATE NOT NULL,
  psp             VARCHAR(16) NOT NULL,
  status          VARCHAR(16) NOT NULL CHECK (status IN ('succeeded', 'failed')),
  matched         INTEGER NOT NULL DEFAULT 0,
  exceptions      INTEGER NOT NULL DEFAULT 0,
  counts          JSONB NOT NULL DEFAULT '{}',
  totals          JSONB NOT NULL DEFAULT '{}',
  output_key      VARCHAR(512) NOT NULL,
  output_uri      VARCHAR(1024) NOT NULL,
  started_at      TIMESTAMPTZ NOT NULL,
  finished_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (run_date, psp)
);

CREATE TABLE IF NOT EXISTS recon_exceptions (
  exception_id    BIGSERIAL PRIMARY KEY,
  run_id          UUID NOT NULL REFERENCES recon_runs(run_id) ON DELETE CASCADE,
  class           VARCHAR(32) NOT NULL,
  psp_reference   VARCHAR(128) NOT NULL,
  payment_id      UUID,
  refund_id       UUID,
  record_type     VARCHAR(32),
  currency        CHAR(3),
  ledger_amount   NUMERIC(12,2),
  psp_gross       NUMERIC(12,2),
  psp_fee         NUMERIC(12,2),
  detail          VARCHAR(1000)
);
CREATE INDEX IF NOT EXISTS recon_exceptions_run_idx ON recon_exceptions (run_id, exception_id);
