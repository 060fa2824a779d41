-- The outbox relay's leader holds a lease instead of a session advisory lock: a lease runs out by the
-- database clock, so a frozen or partitioned leader loses it, whereas an advisory lock lives as long as
-- its connection looks alive. Each new holder gets the next epoch (a fencing token): a mark from an
-- older epoch is refused, so a leader that wakes up after losing the lease cannot mark rows.
CREATE TABLE outbox_relay_lease (
  name        VARCHAR(64) PRIMARY KEY,
  holder      VARCHAR(255) NOT NULL,
  epoch       BIGINT NOT NULL CHECK (epoch > 0),
  acquired_at TIMESTAMPTZ NOT NULL,
  expires_at  TIMESTAMPTZ NOT NULL
);

-- Which leader term marked the row published (audit; NULL for rows Debezium ships).
ALTER TABLE payment_outbox ADD COLUMN published_epoch BIGINT;
