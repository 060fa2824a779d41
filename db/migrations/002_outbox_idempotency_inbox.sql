-- Transactional outbox, shaped for the Debezium Outbox Event Router:
-- id -> header "id" (consumer dedupe), aggregateid -> record key, type -> header, payload -> value.
-- payload already holds the Confluent wire format (magic byte, schema id, Avro), so the relay and
-- Debezium (ByteArrayConverter) put byte-identical records on Kafka.
CREATE TABLE payment_outbox (
  id            UUID PRIMARY KEY,
  seq           BIGSERIAL NOT NULL UNIQUE,
  aggregatetype VARCHAR(64) NOT NULL,
  aggregateid   VARCHAR(64) NOT NULL,
  type          VARCHAR(64) NOT NULL,
  topic         VARCHAR(249) NOT NULL,
  payload       BYTEA NOT NULL,
  traceparent   VARCHAR(64),
  -- Which path ships the row (OUTBOX_PUBLISHER of the writer): the relay polls its own rows, Debezium's
  -- publication filters on 'debezium', so the two paths can run side by side without duplicates.
  publisher     VARCHAR(16) NOT NULL DEFAULT 'relay' CHECK (publisher IN ('relay', 'debezium')),
  occurred_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  published_at  TIMESTAMPTZ
);
CREATE INDEX payment_outbox_unpublished_idx ON payment_outbox (seq) WHERE published_at IS NULL AND publisher = 'relay';
CREATE INDEX payment_outbox_retention_idx ON payment_outbox (occurred_at);

-- Debezium reads only inserts of its own rows (PostgreSQL 15 row filter); the relay's updates and the
-- retention deletes never reach the connector.
CREATE PUBLICATION payment_outbox_debezium FOR TABLE payment_outbox WHERE (publisher = 'debezium')
  WITH (publish = 'insert');

-- Idempotency-Key semantics of the HTTP API (Stripe's): replay, conflict, in flight.
CREATE TABLE idempotency_keys (
  idempotency_key VARCHAR(255) PRIMARY KEY,
  method          VARCHAR(8) NOT NULL,
  path            VARCHAR(255) NOT NULL,
  request_hash    CHAR(64) NOT NULL,
  command_id      UUID NOT NULL,
  payment_id      UUID,
  state           VARCHAR(16) NOT NULL CHECK (state IN ('in_flight', 'completed')),
  response_status SMALLINT,
  response_body   JSONB,
  locked_until    TIMESTAMPTZ NOT NULL,
  created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
  expires_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX idempotency_keys_expiry_idx ON idempotency_keys (expires_at);

-- Result of every command a processor applied: dedupe on redelivery, and the reply the ingress waits for.
CREATE TABLE processed_commands (
  command_id   UUID PRIMARY KEY,
  payment_id   UUID NOT NULL,
  command_type VARCHAR(32) NOT NULL,
  http_status  SMALLINT NOT NULL,
  response     JSONB NOT NULL,
  processed_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Inbox of PSP webhook events: each (psp, event_id) is taken once.
CREATE TABLE processed_psp_events (
  psp          VARCHAR(16) NOT NULL,
  event_id     VARCHAR(255) NOT NULL,
  event_type   VARCHAR(64) NOT NULL,
  received_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  processed_at TIMESTAMPTZ,
  PRIMARY KEY (psp, event_id)
);
