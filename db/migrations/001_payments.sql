-- The ledger. Money columns are NUMERIC; no float ever touches an amount.

-- One row per payment, unpartitioned: PostgreSQL cannot reference a partitioned table by
-- payment_id alone (its unique keys must include partition_key), so refunds and attempts
-- reference this index instead, and lookups by id find their partition through it.
CREATE TABLE payment_index (
  payment_id    UUID PRIMARY KEY,
  partition_key DATE NOT NULL,
  order_id      BIGINT NOT NULL,
  created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX payment_index_order_idx ON payment_index (order_id, created_at DESC);

CREATE TABLE payments (
  payment_id            UUID NOT NULL,
  partition_key         DATE NOT NULL,
  order_id              BIGINT NOT NULL,
  amount                NUMERIC(12,2) NOT NULL CHECK (amount > 0),
  currency              CHAR(3) NOT NULL,
  status                VARCHAR(32) NOT NULL,
  capture_method        VARCHAR(16) NOT NULL CHECK (capture_method IN ('automatic', 'manual')),
  psp                   VARCHAR(16) NOT NULL CHECK (psp IN ('stripe', 'adyen')),
  payment_method_type   VARCHAR(16),
  payment_method_token  VARCHAR(255),
  card_brand            VARCHAR(32),
  card_last4            CHAR(4),
  amount_capturable     NUMERIC(12,2) NOT NULL DEFAULT 0,
  amount_captured       NUMERIC(12,2) NOT NULL DEFAULT 0,
  amount_refunded       NUMERIC(12,2) NOT NULL DEFAULT 0,
  amount_refund_pending NUMERIC(12,2) NOT NULL DEFAULT 0,
  risk_score            SMALLINT CHECK (risk_score BETWEEN 0 AND 100),
  risk_decision         VARCHAR(16),
  needs_review          BOOLEAN NOT NULL DEFAULT false,
  failure_reason        VARCHAR(64),
  psp_code              VARCHAR(64),
  psp_reference         VARCHAR(128),
  customer_id           VARCHAR(255),
  description           VARCHAR(1000),
  metadata              JSONB NOT NULL DEFAULT '{}',
  version               INTEGER NOT NULL DEFAULT 0,
  created_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at            TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (payment_id, partition_key),
  CONSTRAINT captured_within_amount CHECK (amount_captured <= amount),
  CONSTRAINT refunds_within_captured CHECK (amount_refunded + amount_refund_pending <= amount_captured),
  CONSTRAINT amounts_not_negative CHECK (
    amount_capturable >= 0 AND amount_captured >= 0 AND amount_refunded >= 0 AND amount_refund_pending >= 0
  )
) PARTITION BY RANGE (partition_key);
CREATE INDEX payments_order_idx ON payments (order_id, created_at DESC);
CREATE INDEX payments_status_idx ON payments (status, updated_at);

-- Monthly partitions, created ahead of time: rows must never arrive before their partition.
CREATE FUNCTION ensure_payment_partitions(months_ahead INTEGER) RETURNS INTEGER
LANGUAGE plpgsql AS $$
DECLARE
  first_month DATE := date_trunc('month', now() AT TIME ZONE 'UTC')::date - INTERVAL '1 month';
  month_start DATE;
  created INTEGER := 0;
  partition_name TEXT;
BEGIN
  FOR i IN 0..(months_ahead + 1) LOOP
    month_start := (first_month + make_interval(months => i))::date;
    partition_name := format('payments_%s', to_char(month_start, 'YYYY_MM'));
    IF to_regclass(partition_name) IS NULL THEN
      EXECUTE format(
        'CREATE TABLE %I PARTITION OF payments FOR VALUES FROM (%L) TO (%L)',
        partition_name, month_start, (month_start + INTERVAL '1 month')::date
      );
      created := created + 1;
    END IF;
  END LOOP;
  RETURN created;
END;
$$;
SELECT ensure_payment_partitions(3);

-- One row per PSP call attempt (authorize, capture, cancel, refund).
CREATE TABLE payment_attempts (
  attempt_id      UUID PRIMARY KEY,
  payment_id      UUID NOT NULL REFERENCES payment_index(payment_id),
  command_id      UUID NOT NULL,
  operation       VARCHAR(16) NOT NULL CHECK (operation IN ('authorize', 'capture', 'cancel', 'refund')),
  psp             VARCHAR(16) NOT NULL,
  amount          NUMERIC(12,2),
  currency        CHAR(3) NOT NULL,
  refund_id       UUID,
  status          VARCHAR(16) NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed', 'unknown')),
  psp_reference   VARCHAR(128),
  psp_status      VARCHAR(64),
  psp_code        VARCHAR(64),
  psp_message     VARCHAR(1000),
  http_status     SMALLINT,
  requests        SMALLINT NOT NULL DEFAULT 0,
  started_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  finished_at     TIMESTAMPTZ,
  duration_ms     INTEGER
);
CREATE INDEX payment_attempts_payment_idx ON payment_attempts (payment_id, started_at);
CREATE UNIQUE INDEX payment_attempts_command_op_idx ON payment_attempts (command_id, operation);
CREATE INDEX payment_attempts_open_idx ON payment_attempts (started_at) WHERE status IN ('pending', 'unknown');

-- Exactly the blueprint's DDL, except the reference target (see payment_index above).
CREATE TABLE refunds (
  refund_id UUID PRIMARY KEY,
  payment_id UUID NOT NULL REFERENCES payment_index(payment_id),
  amount NUMERIC(12,2) NOT NULL,
  reason VARCHAR(64),
  status VARCHAR(16) NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  processed_at TIMESTAMPTZ
);
CREATE INDEX refunds_payment_idx ON refunds (payment_id);

-- Settlement lines as reported by each PSP, for reconciliation.
CREATE TABLE psp_settlement (
  settlement_line_id BIGSERIAL PRIMARY KEY,
  psp                VARCHAR(16) NOT NULL,
  batch_id           VARCHAR(64) NOT NULL,
  line_no            INTEGER NOT NULL,
  record_type        VARCHAR(32) NOT NULL,
  psp_reference      VARCHAR(128) NOT NULL,
  payment_id         UUID REFERENCES payment_index(payment_id),
  refund_id          UUID REFERENCES refunds(refund_id),
  currency           CHAR(3) NOT NULL,
  gross_amount       NUMERIC(12,2) NOT NULL,
  fee_amount         NUMERIC(12,2) NOT NULL DEFAULT 0,
  net_amount         NUMERIC(12,2) NOT NULL,
  settled_on         DATE NOT NULL,
  raw                JSONB NOT NULL DEFAULT '{}',
  imported_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (psp, batch_id, line_no)
);
CREATE INDEX psp_settlement_reference_idx ON psp_settlement (psp, psp_reference);
