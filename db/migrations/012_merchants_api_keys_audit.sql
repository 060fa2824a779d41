-- Merchants and their API keys (ADR 0009). Every payment, refund, idempotency key and review belongs
-- to one merchant; every read and write of the public API is scoped to the caller's merchant.
CREATE TABLE merchants (
  merchant_id VARCHAR(64) PRIMARY KEY CHECK (merchant_id ~ '^mer_[a-z0-9_]{1,60}$'),
  name        VARCHAR(200) NOT NULL UNIQUE,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
-- Owns the rows written before merchants existed, and autopay orders that name no merchant.
INSERT INTO merchants (merchant_id, name) VALUES ('mer_default', 'default');

-- Only a SHA-256 of each secret is kept: the secret is 32 random bytes, so a slow KDF would add nothing
-- against guessing, and lookups stay one index probe (docs/security.md).
CREATE TABLE api_keys (
  key_id         VARCHAR(40) PRIMARY KEY,
  merchant_id    VARCHAR(64) NOT NULL REFERENCES merchants(merchant_id),
  secret_sha256  BYTEA NOT NULL UNIQUE CHECK (length(secret_sha256) = 32),
  secret_hint    VARCHAR(24) NOT NULL,
  scopes         TEXT[] NOT NULL CHECK (
    cardinality(scopes) > 0
    AND scopes <@ ARRAY['payments:read', 'payments:write', 'payments:capture', 'refunds:write', 'ops']::TEXT[]
  ),
  label          VARCHAR(200),
  created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
  revoked_at     TIMESTAMPTZ
);
CREATE INDEX api_keys_merchant_idx ON api_keys (merchant_id);

ALTER TABLE payment_index ADD COLUMN merchant_id VARCHAR(64) NOT NULL DEFAULT 'mer_default'
  REFERENCES merchants(merchant_id);
ALTER TABLE payment_index ALTER COLUMN merchant_id DROP DEFAULT;
DROP INDEX payment_index_order_idx;
CREATE INDEX payment_index_order_idx ON payment_index (merchant_id, order_id, created_at DESC);

ALTER TABLE payments ADD COLUMN merchant_id VARCHAR(64) NOT NULL DEFAULT 'mer_default';
ALTER TABLE payments ALTER COLUMN merchant_id DROP DEFAULT;
DROP INDEX payments_order_idx;
CREATE INDEX payments_order_idx ON payments (merchant_id, order_id, created_at DESC);

ALTER TABLE refunds ADD COLUMN merchant_id VARCHAR(64) NOT NULL DEFAULT 'mer_default'
  REFERENCES merchants(merchant_id);
ALTER TABLE refunds ALTER COLUMN merchant_id DROP DEFAULT;

ALTER TABLE payment_reviews ADD COLUMN merchant_id VARCHAR(64);
UPDATE payment_reviews r SET merchant_id = i.merchant_id FROM payment_index i WHERE i.payment_id = r.payment_id;
ALTER TABLE payment_reviews ALTER COLUMN merchant_id SET NOT NULL;

-- Idempotency keys are per merchant: two merchants may use the same key.
ALTER TABLE idempotency_keys ADD COLUMN merchant_id VARCHAR(64) NOT NULL DEFAULT 'mer_default';
ALTER TABLE idempotency_keys ALTER COLUMN merchant_id DROP DEFAULT;
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey;
ALTER TABLE idempotency_keys ADD PRIMARY KEY (merchant_id, idempotency_key);

-- Append-only: one row per mutation and ops action (PCI DSS v4 10.2). Nothing may change or remove a row;
-- retention is a partition drop by a privileged role, outside the service.
CREATE TABLE audit_log (
  audit_id    BIGSERIAL PRIMARY KEY,
  at          TIMESTAMPTZ NOT NULL DEFAULT now(),
  merchant_id VARCHAR(64),
  key_id      VARCHAR(40),
  client_ip   VARCHAR(64),
  action      VARCHAR(64) NOT NULL,
  payment_id  UUID,
  request_id  VARCHAR(64),
  outcome     SMALLINT NOT NULL,
  error_code  VARCHAR(64)
);
CREATE INDEX audit_log_merchant_idx ON audit_log (merchant_id, at);
CREATE INDEX audit_log_payment_idx ON audit_log (payment_id) WHERE payment_id IS NOT NULL;

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- Counters of rate-limiter-flexible's RateLimiterPostgres (its own layout), shared by every ingress.
-- Keys are `<limiter>:<key id>` or `<limiter>:<merchant>:<sha256 of a token>`, never a token itself.
CREATE TABLE rate_limits (
  key    VARCHAR(255) PRIMARY KEY,
  points INTEGER NOT NULL DEFAULT 0,
  expire BIGINT
);
