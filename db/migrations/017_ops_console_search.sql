-- The ops console searches payments platform-wide (operators are no merchant, ADR 0009), newest first
-- a page at a time (keyset on created_at, payment_id), and by order id across merchants. Without these
-- every page sorts the whole payment_index, and an order id alone scans it.
CREATE INDEX IF NOT EXISTS payment_index_created_idx ON payment_index (created_at DESC, payment_id DESC);
CREATE INDEX IF NOT EXISTS payment_index_order_only_idx ON payment_index (order_id);
