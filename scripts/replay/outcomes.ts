import type pg from "pg";

/** Waits until the processors stored a reply for every command id (or the deadline passes). */
export async function waitForApplied(db: pg.Pool, commandIds: string[], timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let done = 0;
  while (Date.now() < deadline) {
    const { rows } = await db.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM processed_commands WHERE command_id = ANY($1::uuid[])",
      [commandIds],
    );
    done = rows[0]?.n ?? 0;
    if (done >= commandIds.length) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return done;
}

export interface OutcomeSummary {
  succeeded: number;
  failed: number;
  processing: number;
  other: Record<string, number>;
  missing: number;
}

/** How the replayed payments ended: succeeded (incl. refunded), failed, still processing, or elsewhere. */
export async function outcomeSummary(db: pg.Pool, paymentIds: string[]): Promise<OutcomeSummary> {
  const { rows } = await db.query<{ status: string; n: number }>(
    `SELECT p.status, count(*)::int AS n FROM payment_index i
     JOIN payments p ON p.payment_id = i.payment_id AND p.partition_key = i.partition_key
     WHERE i.payment_id = ANY($1::uuid[]) GROUP BY p.status`,
    [paymentIds],
  );
  const summary: OutcomeSummary = {
    succeeded: 0,
    failed: 0,
    processing: 0,
    other: {},
    missing: paymentIds.length,
  };
  for (const { status, n } of rows) {
    summary.missing -= n;
    if (["succeeded", "partially_refunded", "refunded"].includes(status)) summary.succeeded += n;
    else if (status === "failed") summary.failed += n;
    else if (status === "processing") summary.processing += n;
    else summary.other[status] = n;
  }
  return summary;
}
