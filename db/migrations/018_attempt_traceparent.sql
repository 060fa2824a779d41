-- The trace of the request that opened the attempt, so a later webhook's trace can link to it.
ALTER TABLE payment_attempts ADD COLUMN IF NOT EXISTS traceparent VARCHAR(64);
