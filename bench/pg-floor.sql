-- The statements one payment needs (create + confirm with automatic capture, its PSP webhook, its two
-- outbox events), as the processors and the ingress's webhook route run them (bench:replay's path),
-- with nothing else around them: bench/pg-floor.ts runs this with pgbench against the real schema.
-- Keep it in step with the code: bench:pg-floor prints this script's statement count next to the one
-- pg_stat_statements measures for the service.
\set order random(1, 100000000000)
SELECT gen_random_uuid() AS pid, gen_random_uuid() AS c1, gen_random_uuid() AS c2, gen_random_uuid() AS att, gen_random_uuid() AS o1, gen_random_uuid() AS o2, md5(random()::text) AS evt \gset
-- create: where the command stands, then the payment, its reply and the NOTIFY in one statement
SELECT pc.command_id, EXISTS (SELECT 1 FROM payment_attempts a WHERE a.command_id = :c1::uuid) FROM (SELECT :c1::uuid AS command_id) c LEFT JOIN processed_commands pc ON pc.command_id = c.command_id;
WITH w0 AS (INSERT INTO payment_index (payment_id, partition_key, order_id, created_at, merchant_id) VALUES (:pid::uuid, current_date, :order::bigint, now(), 'mer_floor')), w1 AS (INSERT INTO payments (payment_id, partition_key, order_id, amount, currency, status, capture_method, psp, payment_method_type, payment_method_token, created_at, updated_at, merchant_id, metadata) VALUES (:pid::uuid, current_date, :order::bigint, 12.34, 'USD', 'requires_confirmation', 'automatic', 'stripe', 'card', 'enc-v1-' || md5(random()::text), now(), now(), 'mer_floor', '"enc-v1-x"')), saved AS (INSERT INTO processed_commands (command_id, payment_id, command_type, result, response) VALUES (:c1::uuid, :pid::uuid, 'create', 'payment.created', ('"enc-v1-' || repeat('x', 600) || '"')::jsonb) RETURNING command_id), released AS (DELETE FROM command_claims WHERE command_id = :c1::uuid) SELECT pg_notify('payment_command_results_floor', command_id::text) FROM saved;
-- confirm: claim, where it stands, the payment, then open the attempt in one guarded statement
INSERT INTO command_claims (command_id, owner, lease_until) VALUES (:c2::uuid, 'floor', now() + interval '30 seconds') ON CONFLICT (command_id) DO UPDATE SET owner = EXCLUDED.owner, lease_until = EXCLUDED.lease_until WHERE command_claims.lease_until < now() OR command_claims.owner = EXCLUDED.owner RETURNING owner;
SELECT pc.command_id, EXISTS (SELECT 1 FROM payment_attempts a WHERE a.command_id = :c2::uuid) FROM (SELECT :c2::uuid AS command_id) c LEFT JOIN processed_commands pc ON pc.command_id = c.command_id;
SELECT p.* FROM payment_index i JOIN payments p ON p.payment_id = i.payment_id AND p.partition_key = i.partition_key WHERE i.payment_id = :pid::uuid;
WITH g AS (UPDATE payments SET status = 'processing', risk_score = 12, risk_decision = 'approve', version = version + 1, updated_at = now() WHERE payment_id = :pid::uuid AND partition_key = current_date AND version = 0 RETURNING *), w0 AS (INSERT INTO payment_attempts (attempt_id, payment_id, command_id, operation, psp, amount, currency, status, next_sync_at) SELECT :att::uuid, :pid::uuid, :c2::uuid, 'authorize', 'stripe', 12.34, 'USD', 'pending', now() + interval '30 seconds' WHERE EXISTS (SELECT 1 FROM g)) SELECT * FROM g;
-- confirm, after the PSP answered: settle under the locks, events, reply
BEGIN;
SELECT p.*, a.status FROM payment_index i JOIN payments p ON p.payment_id = i.payment_id AND p.partition_key = i.partition_key JOIN payment_attempts a ON a.attempt_id = :att::uuid AND a.payment_id = i.payment_id WHERE i.payment_id = :pid::uuid FOR UPDATE OF p, a;
UPDATE payments SET status = 'succeeded', amount_captured = 12.34, psp_reference = 'pi_floor', version = version + 1, updated_at = now() WHERE payment_id = :pid::uuid AND partition_key = current_date AND version = 1 RETURNING *;
UPDATE payment_attempts SET status = 'succeeded', requests = 1, http_status = 200, psp_reference = 'pi_floor', psp_status = 'succeeded', finished_at = now(), next_sync_at = NULL WHERE attempt_id = :att::uuid;
UPDATE payment_index SET event_sequence = event_sequence + 2 WHERE payment_id = :pid::uuid RETURNING event_sequence;
INSERT INTO payment_outbox (id, aggregatetype, aggregateid, type, topic, payload, traceparent, occurred_at, publisher) VALUES (:o1::uuid, 'payment', :pid::uuid, 'payment.authorized.v1', 'payment.events.v1', decode(repeat('ab', 300), 'hex'), '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', now(), 'relay');
INSERT INTO payment_outbox (id, aggregatetype, aggregateid, type, topic, payload, traceparent, occurred_at, publisher) VALUES (:o2::uuid, 'payment', :pid::uuid, 'payment.captured.v1', 'payment.events.v1', decode(repeat('ab', 300), 'hex'), '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', now(), 'relay');
WITH saved AS (INSERT INTO processed_commands (command_id, payment_id, command_type, result, response) VALUES (:c2::uuid, :pid::uuid, 'confirm', 'payment.settled', ('"enc-v1-' || repeat('x', 600) || '"')::jsonb) RETURNING command_id), released AS (DELETE FROM command_claims WHERE command_id = :c2::uuid) SELECT pg_notify('payment_command_results_floor', command_id::text) FROM saved;
COMMIT;
-- the PSP's webhook: recorded and marked published by the ingress, then applied (stale) by the processor
WITH ins AS (INSERT INTO processed_psp_events (psp, event_id, event_type) VALUES ('stripe', :evt::varchar, 'payment_intent.succeeded') ON CONFLICT (psp, event_id) DO NOTHING RETURNING 1) SELECT EXISTS (SELECT 1 FROM ins) AS inserted;
UPDATE processed_psp_events SET published_at = now() WHERE psp = 'stripe' AND event_id = ANY(ARRAY[:evt::varchar]::varchar[]) AND published_at IS NULL;
SELECT processed_at FROM processed_psp_events WHERE psp = 'stripe' AND event_id = :evt::varchar;
SELECT p.* FROM payment_index i JOIN payments p ON p.payment_id = i.payment_id AND p.partition_key = i.partition_key WHERE i.payment_id = :pid::uuid;
UPDATE processed_psp_events SET processed_at = now(), outcome = 'stale', payment_id = :pid::uuid WHERE psp = 'stripe' AND event_id = :evt::varchar;
-- the relay publishes both events (it does this per batch of up to 500 rows; here per payment)
UPDATE payment_outbox SET published_at = now() WHERE id IN (:o1::uuid, :o2::uuid);
