-- Encryption at rest (docs/security.md): the application seals payment-method tokens and PII before they
-- reach PostgreSQL, as `enc:v1:<kek id>:…` text (core/security/envelope.ts). A migration holds no key, so
-- it cannot encrypt rows written before: they stay readable as plain text, and `npm run keys:rotate`
-- seals them (and re-wraps every sealed value under the current KEK).
--
-- A sealed value is longer than its plaintext, so the bounded text columns become TEXT; the lengths are
-- checked by the API before sealing. varchar -> text is binary coercible: no table rewrite. JSONB columns
-- (metadata, payload, response_body, response) keep their type and hold the sealed text as a JSON string.
ALTER TABLE payments
  ALTER COLUMN payment_method_token TYPE TEXT,
  ALTER COLUMN customer_id TYPE TEXT,
  ALTER COLUMN description TYPE TEXT;

-- Payment-method tokens, sealed, so that commands on Kafka carry a reference instead of the token. The
-- ingress (and autopay) writes the row before it publishes the command; processors read it by ref and
-- merchant. Rows are kept while a command may still be redelivered or replayed (housekeeping).
CREATE TABLE payment_method_vault (
  ref         UUID PRIMARY KEY,
  merchant_id VARCHAR(64) NOT NULL,
  ciphertext  TEXT NOT NULL CHECK (ciphertext LIKE 'enc:v1:%'),
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX payment_method_vault_created_idx ON payment_method_vault (created_at);
