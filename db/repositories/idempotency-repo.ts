import { openJson, sealJson } from "../../core/security/field-crypto.ts";
import type { Queryable } from "../pool.ts";

/** An Idempotency-Key as the client sent it, in its merchant's namespace. */
export interface KeyRef {
  merchantId: string;
  key: string;
}

/** A request as the idempotency layer sees it; the ids are used only if this request claims the key. */
export interface IdempotentRequest extends KeyRef {
  method: string;
  path: string;
  requestHash: string;
  commandId: string;
  paymentId: string | null;
  leaseMs: number;
  ttlMs: number;
}

export interface IdempotencyRecord {
  method: string;
  path: string;
  requestHash: string;
  commandId: string;
  paymentId: string | null;
  state: "in_flight" | "completed";
  responseStatus: number | null;
  responseBody: unknown;
  /** Evaluated by PostgreSQL's clock, so every ingress instance agrees. */
  expired: boolean;
  leaseHeld: boolean;
}

export type Claim =
  | { kind: "claimed"; commandId: string; paymentId: string | null; takeover: boolean }
  | { kind: "existing"; record: IdempotencyRecord };

interface Row {
  method: string;
  path: string;
  request_hash: string;
  command_id: string;
  payment_id: string | null;
  state: "in_flight" | "completed";
  response_status: number | null;
  response_body: unknown;
  expired: boolean;
  lease_held: boolean;
}

const toRecord = (r: Row): IdempotencyRecord => ({
  method: r.method,
  path: r.path,
  requestHash: r.request_hash,
  commandId: r.command_id,
  paymentId: r.payment_id,
  state: r.state,
  responseStatus: r.response_status,
  responseBody: openJson(r.response_body),
  expired: r.expired,
  leaseHeld: r.lease_held,
});

const interval = "make_interval(secs => $1::double precision / 1000.0)";

/**
 * Claims the key for this request, or returns what is stored under it. Every step is one atomic
 * statement, so two requests racing on a key can never both claim it: the INSERT wins for a new
 * or expired key, and the conditional UPDATE wins for an abandoned lease.
 */
export async function claimIdempotencyKey(db: Queryable, req: IdempotentRequest): Promise<Claim> {
  for (let attempt = 0; attempt < 5; attempt++) {
    // A new key is inserted; an expired one is taken over in the same statement.
    const claimed = await db.query<{ command_id: string }>({
      name: "idempotency_claim",
      text: `INSERT INTO idempotency_keys (merchant_id, idempotency_key, method, path, request_hash, command_id, payment_id,
               state, locked_until, expires_at)
             VALUES ($9, $2, $3, $4, $5, $6, $7, 'in_flight', now() + ${interval}, now() + make_interval(secs => $8::double precision / 1000.0))
             ON CONFLICT (merchant_id, idempotency_key) DO UPDATE SET method = EXCLUDED.method, path = EXCLUDED.path,
               request_hash = EXCLUDED.request_hash, command_id = EXCLUDED.command_id,
               payment_id = EXCLUDED.payment_id, state = 'in_flight', response_status = NULL, response_body = NULL,
               locked_until = EXCLUDED.locked_until, created_at = now(), expires_at = EXCLUDED.expires_at
             WHERE idempotency_keys.expires_at <= now()
             RETURNING command_id`,
      values: [
        req.leaseMs,
        req.key,
        req.method,
        req.path,
        req.requestHash,
        req.commandId,
        req.paymentId,
        req.ttlMs,
        req.merchantId,
      ],
    });
    if (claimed.rows[0])
      return { kind: "claimed", commandId: req.commandId, paymentId: req.paymentId, takeover: false };

    const record = await findIdempotencyRecord(db, req);
    if (!record || record.expired) continue;
    const sameRequest =
      record.method === req.method && record.path === req.path && record.requestHash === req.requestHash;
    if (!sameRequest || record.state === "completed" || record.leaseHeld) return { kind: "existing", record };
    if (await takeOverLease(db, req, req.leaseMs)) {
      return { kind: "claimed", commandId: record.commandId, paymentId: record.paymentId, takeover: true };
    }
  }
  throw new Error("idempotency key kept changing under contention");
}

export async function findIdempotencyRecord(db: Queryable, ref: KeyRef): Promise<IdempotencyRecord | null> {
  const { rows } = await db.query<Row>({
    name: "idempotency_find",
    text: `SELECT method, path, request_hash, command_id, payment_id, state, response_status, response_body,
                  expires_at <= now() AS expired, locked_until > now() AS lease_held
           FROM idempotency_keys WHERE idempotency_key = $1 AND merchant_id = $2`,
    values: [ref.key, ref.merchantId],
  });
  return rows[0] ? toRecord(rows[0]) : null;
}

/** An in-flight key whose lease ran out belongs to an ingress that died; the next caller resumes it. */
async function takeOverLease(db: Queryable, ref: KeyRef, leaseMs: number): Promise<boolean> {
  const { rowCount } = await db.query({
    name: "idempotency_take_over",
    text: `UPDATE idempotency_keys SET locked_until = now() + ${interval}
           WHERE idempotency_key = $2 AND merchant_id = $3
             AND state = 'in_flight' AND locked_until <= now() AND expires_at > now()`,
    values: [leaseMs, ref.key, ref.merchantId],
  });
  return rowCount === 1;
}

export async function completeIdempotencyKey(
  db: Queryable,
  ref: KeyRef,
  commandId: string,
  response: { status: number; body: unknown },
): Promise<void> {
  await db.query({
    name: "idempotency_complete",
    text: `UPDATE idempotency_keys SET state = 'completed', response_status = $3, response_body = $4, locked_until = now()
           WHERE idempotency_key = $1 AND command_id = $2 AND merchant_id = $5`,
    values: [ref.key, commandId, response.status, sealJson(response.body), ref.merchantId],
  });
}

/**
 * Ends the lease but keeps the ids: a retry resumes the same command (its stored reply, or the same
 * command re-sent, which processors dedupe). There is no way to hand a key to a new command: once a
 * command may have reached Kafka, a new command id could mean a second PSP attempt.
 */
export async function releaseIdempotencyKey(db: Queryable, ref: KeyRef, commandId: string): Promise<void> {
  await db.query({
    name: "idempotency_release",
    text: `UPDATE idempotency_keys SET locked_until = now()
           WHERE idempotency_key = $1 AND command_id = $2 AND merchant_id = $3 AND state = 'in_flight'`,
    values: [ref.key, commandId, ref.merchantId],
  });
}

/**
 * Hands a key whose command provably did nothing (the processor refused it with 503: dependency down,
 * nothing sent) to a new command, in flight under a fresh lease, so the client's retry under the same
 * key runs again. It applies to a key still in flight (answered 5xx) and to one first answered 202.
 */
export async function reassignKeyAfterRefusal(
  db: Queryable,
  ref: KeyRef,
  fromCommandId: string,
  toCommandId: string,
  leaseMs: number,
): Promise<boolean> {
  const { rowCount } = await db.query({
    name: "idempotency_reassign_after_refusal",
    text: `UPDATE idempotency_keys SET command_id = $4, state = 'in_flight', locked_until = now() + ${interval},
             response_status = NULL, response_body = NULL
           WHERE idempotency_key = $2 AND command_id = $3 AND merchant_id = $5
             AND (state = 'in_flight' OR (state = 'completed' AND response_status = 202))`,
    values: [leaseMs, ref.key, fromCommandId, toCommandId, ref.merchantId],
  });
  return rowCount === 1;
}

export async function deleteExpiredIdempotencyKeys(db: Queryable, batchSize: number): Promise<number> {
  const { rowCount } = await db.query({
    name: "idempotency_delete_expired",
    text: `DELETE FROM idempotency_keys WHERE (merchant_id, idempotency_key) IN (
             SELECT merchant_id, idempotency_key FROM idempotency_keys WHERE expires_at <= now() LIMIT $1)`,
    values: [batchSize],
  });
  return rowCount ?? 0;
}
