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
