import type { ReconLine } from "../../core/recon/model.ts";
import type { Queryable } from "../pool.ts";

export interface ReconRun {
  runId: string;
  runDate: string;
  psp: string;
  status: string;
  matched: number;
  exceptions: number;
  counts: Record<string, number>;
  totals: Record<string, Record<string, string>>;
  outputKey: string;
  outputUri: string;
  startedAt: string;
  finishedAt: string;
  /** The run that replaced this one (a re-run of the same date and PSP); null for the current run. */
  supersededBy: string | null;
  supersededAt: string | null;
  /** When the superseded run's CSV was removed; null while it is still there. */
  outputRemovedAt: string | null;
}

/**
 * Marks the current run of (date, psp), if any, as superseded by `byRunId` (a run not yet inserted: the
 * foreign key is deferred) and deletes its exception rows; its row stays as the record of what it found.
 * Returns the superseded run's id.
 */
export async function supersedeCurrentRun(
  db: Queryable,
  date: string,
  psp: string,
  byRunId: string,
): Promise<string | null> {
  const { rows } = await db.query<{ run_id: string }>(
    `UPDATE recon_runs SET superseded_by = $3, superseded_at = now()
      WHERE run_date = $1 AND psp = $2 AND superseded_by IS NULL RETURNING run_id`,
    [date, psp, byRunId],
  );
  const previous = rows[0]?.run_id ?? null;
  if (previous !== null) await db.query("DELETE FROM recon_exceptions WHERE run_id = $1", [previous]);
  return previous;
}

/** Superseded runs of (date, psp) whose output has not been removed yet. */
export async function outputsToRemove(
  db: Queryable,
  date: string,
  psp: string,
): Promise<Array<{ runId: string; outputKey: string }>> {
  const { rows } = await db.query<{ runId: string; outputKey: string }>(
    `SELECT run_id AS "runId", output_key AS "outputKey" FROM recon_runs
      WHERE run_date = $1 AND psp = $2 AND superseded_by IS NOT NULL AND output_removed_at IS NULL`,
    [date, psp],
  );
  return rows;
}

export async function markOutputRemoved(db: Queryable, runId: string): Promise<void> {
  await db.query("UPDATE recon_runs SET output_removed_at = now() WHERE run_id = $1", [runId]);
}

/**
 * Claims the manual review of an exception, keyed by (psp, reference, class): true the first time
 * ever, false once any run (this one, an earlier or a superseded one) has claimed it.
 */
export async function claimExceptionReview(
  db: Queryable,
  c: { psp: string; reference: string; class: string; paymentId: string; runId: string },
): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO recon_reviews (psp, psp_reference, class, payment_id, run_id) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT DO NOTHING`,
    [c.psp, c.reference, c.class, c.paymentId, c.runId],
  );
  return rowCount === 1;
}

export async function insertRun(
  db: Queryable,
  r: { runId: string; date: string; psp: string; outputKey: string; startedAt: Date },
): Promise<void> {
  await db.query(
    `INSERT INTO recon_runs (run_id, run_date, psp, status, output_key, output_uri, started_at)
     VALUES ($1, $2, $3, 'failed', $4, '', $5)`,
    [r.runId, r.date, r.psp, r.outputKey, r.startedAt],
  );
}

export async function finishRun(
  db: Queryable,
  r: Pick<ReconRun, "runId" | "matched" | "exceptions" | "counts" | "totals" | "outputUri">,
): Promise<void> {
  await db.query(
    `UPDATE recon_runs SET status = 'succeeded', matched = $2, exceptions = $3, counts = $4, totals = $5,
            output_uri = $6, finished_at = now() WHERE run_id = $1`,
    [r.runId, r.matched, r.exceptions, JSON.stringify(r.counts), JSON.stringify(r.totals), r.outputUri],
  );
}

export async function insertExceptions(db: Queryable, runId: string, lines: ReconLine[]): Promise<void> {
  if (lines.length === 0) return;
  await db.query(
    `INSERT INTO recon_exceptions (run_id, class, psp_reference, payment_id, refund_id, record_type, currency,
                                   ledger_amount, psp_gross, psp_fee, detail)
     SELECT $1, * FROM unnest($2::text[], $3::text[], $4::uuid[], $5::uuid[], $6::text[], $7::text[],
                              $8::numeric[], $9::numeric[], $10::numeric[], $11::text[])`,
    [
      runId,
      lines.map((l) => l.class),
      lines.map((l) => l.reference),
      lines.map((l) => l.paymentId),
      lines.map((l) => l.refundId),
      lines.map((l) => l.recordType),
      lines.map((l) => l.currency),
      lines.map((l) => l.ledgerAmount),
      lines.map((l) => l.pspGross),
      lines.map((l) => l.pspFee),
      lines.map((l) => l.detail.slice(0, 1000)),
    ],
  );
}

const RUN_COLUMNS = `run_id AS "runId", to_char(run_date, 'YYYY-MM-DD') AS "runDate", psp, status, matched,
  exceptions, counts, totals, output_key AS "outputKey", output_uri AS "outputUri",
  started_at AS "startedAt", finished_at AS "finishedAt", superseded_by AS "supersededBy",
  superseded_at AS "supersededAt", output_removed_at AS "outputRemovedAt"`;

/** The current run of each (date, psp), newest date first; with `superseded`, the runs they replaced too. */
export async function listRuns(
  db: Queryable,
  o: { limit?: number; superseded?: boolean } = {},
): Promise<ReconRun[]> {
  const { rows } = await db.query<ReconRun>(
    `SELECT ${RUN_COLUMNS} FROM recon_runs WHERE $2 OR superseded_by IS NULL
      ORDER BY run_date DESC, psp, started_at DESC LIMIT $1`,
    [o.limit ?? 50, o.superseded ?? false],
  );
  return rows;
}

export async function findRun(db: Queryable, runId: string): Promise<ReconRun | null> {
  const { rows } = await db.query<ReconRun>(`SELECT ${RUN_COLUMNS} FROM recon_runs WHERE run_id = $1`, [
    runId,
  ]);
  return rows[0] ?? null;
}

export interface ReconException {
  exceptionId: string;
  class: string;
  pspReference: string;
  paymentId: string | null;
  refundId: string | null;
  recordType: string | null;
  currency: string | null;
  ledgerAmount: string | null;
  pspGross: string | null;
  pspFee: string | null;
  detail: string | null;
}

export async function listExceptions(db: Queryable, runId: string, limit = 500): Promise<ReconException[]> {
  const { rows } = await db.query<ReconException>(
    `SELECT exception_id::text AS "exceptionId", class, psp_reference AS "pspReference", payment_id AS "paymentId",
            refund_id AS "refundId", record_type AS "recordType", currency, ledger_amount::text AS "ledgerAmount",
            psp_gross::text AS "pspGross", psp_fee::text AS "pspFee", detail
       FROM recon_exceptions WHERE run_id = $1 ORDER BY exception_id LIMIT $2`,
    [runId, limit],
  );
  return rows;
}

/** Per PSP, the exceptions of its latest succeeded run (by run date), by class. */
export async function latestRunExceptions(
  db: Queryable,
): Promise<Array<{ psp: string; runDate: string; counts: Record<string, number> }>> {
  const { rows } = await db.query<{ psp: string; runDate: string; counts: Record<string, number> }>({
    name: "recon_latest_run_exceptions",
    text: `SELECT DISTINCT ON (psp) psp, to_char(run_date, 'YYYY-MM-DD') AS "runDate", counts
           FROM recon_runs WHERE status = 'succeeded' ORDER BY psp, run_date DESC`,
  });
  return rows;
}
