-- Every outbox row carries trace context, so the relay and Debezium put identical headers on Kafka
-- (Debezium would publish a NULL column as a null header, which the relay cannot reproduce).
UPDATE payment_outbox
   SET traceparent = '00-' || md5(id::text) || '-' || substr(md5(seq::text), 1, 16) || '-01'
 WHERE traceparent IS NULL;
ALTER TABLE payment_outbox ALTER COLUMN traceparent SET NOT NULL;
