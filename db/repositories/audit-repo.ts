import { GroupInsert } from "../group-insert.ts";
import type { Queryable } from "../pool.ts";

/** One row of the append-only audit log (db/migrations/012): who did what to which payment, and how it ended. */
export interface AuditEntry {
  merchantId: string | null;
  keyId: string | null;
  clientIp: string | null;
  action: string;
  paymentId: string | null;
  requestId: string | null;
  outcome: number;
  errorCode: string | null;
}

export async function appendAudit(db: Queryable, e: AuditEntry): Promise<void> {
  await db.query({
    name: "audit_append",
    text: `INSERT INTO audit_log (merchant_id, key_id, client_ip, action, payment_id, request_id, outcome, error_code)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    values: [e.merchantId, e.keyId, e.clientIp, e.action, e.paymentId, e.requestId, e.outcome, e.errorCode],
  });
}

/**
 * appendAudit for a busy caller (the ingress writes a row per mutation): rows that arrive together are
 * written by one INSERT (db/group-insert.ts); each call still resolves only once its row is committed.
 */
export function auditAppender(db: Queryable): (e: AuditEntry) => Promise<void> {
  const group = new GroupInsert<AuditEntry>(db, {
    name: "audit_append_group",
    text: `INSERT INTO audit_log (merchant_id, key_id, client_ip, action, payment_id, request_id, outcome, error_code)
           SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::varchar[], $5::uuid[],
                                $6::varchar[], $7::smallint[], $8::varchar[])`,
    columns: (e) => [
      e.merchantId,
      e.keyId,
      e.clientIp,
      e.action,
      e.paymentId,
      e.requestId,
      e.outcome,
      e.errorCode,
    ],
  });
  return (e) => group.add(e);
}
