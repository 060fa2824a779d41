-- Per-payment event numbering: every outcome event carries `sequence` (1, 2, 3, ... across all five
-- event topics), taken from this counter in the transaction that writes the outbox rows. The UPDATE
-- holds the payment's index row until COMMIT, so numbers follow commit order, and a rolled-back
-- transaction gives its numbers back: no gaps.
ALTER TABLE payment_index ADD COLUMN event_sequence BIGINT NOT NULL DEFAULT 0;
