import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import type pg from "pg";
import { deleteRun, finishRun, insertExceptions, insertRun } from "../../db/repositories/recon-repo.ts";
import { findOpenReview, openReview } from "../../db/repositories/reviews-repo.ts";
import { reconExceptionsTotal, reconLastSuccess } from "../infra/metrics.ts";
import { CSV_HEADER, csvLine } from "./csv.ts";
import { decimalFromHundredths, hundredths } from "./hundredths.ts";
import { mergeJoin } from "./merge-join.ts";
import { EXCEPTION_CLASSES, type ReconLine } from "./model.ts";
import type { ReconOutput } from "./output.ts";
import { ledgerItems, settlementItems } from "./sources.ts";

const EXCEPTION_FLUSH = 500;

export interface ReconResult {
  runId: string;
  outputKey: string;
  outputUri: string;
  matched: number;
  exceptions: number;
  counts: Record<string, number>;
  lines: number;
}

export function outputKeyOf(date: string, psp: string, runId: string): string {
  return `recon/date=${date}/${psp}-${runId}.csv`;
}

/**
 * Reconciles one PSP's day: streams the ledger and the report (two cursors, two connections), merges
 * them into the CSV as the output port reads it, and records the run, its exceptions and the reviews
 * in one transaction on a third connection, replacing any earlier run of the same (date, psp).
 */
export async function runRecon(
  pool: pg.Pool,
  output: ReconOutput,
  opts: { date: string; psp: string },
): Promise<ReconResult> {
  const { date, psp } = opts;
  const runId = randomUUID();
  const outputKey = outputKeyOf(date, psp, runId);
  const startedAt = new Date();
  const tx = await pool.connect();
  const ledgerClient = await pool.connect();
  const reportClient = await pool.connect();
  const counts: Record<string, number> = Object.fromEntries(
    ["matched", ...EXCEPTION_CLASSES].map((c) => [c, 0]),
  );
  const totals = new Map<string, { ledger: bigint; gross: bigint; fee: bigint; net: bigint }>();
  let lines = 0;
  try {
    await tx.query("BEGIN");
    // Serializes concurrent runs of the same (date, psp); the row lock of the old run would not cover a first run.
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('recon:' || $1 || ':' || $2))", [date, psp]);
    const previousKey = await deleteRun(tx, date, psp);
    await insertRun(tx, { runId, date, psp, outputKey, startedAt });

    const pending: ReconLine[] = [];
    const flush = async () => {
      await insertExceptions(tx, runId, pending);
      for (const e of pending) await openReviewOnce(tx, e);
      pending.length = 0;
    };
    const account = (line: ReconLine) => {
      const t = totals.get(line.currency) ?? { ledger: 0n, gross: 0n, fee: 0n, net: 0n };
      if (line.ledgerAmount !== null) t.ledger += hundredths(line.ledgerAmount);
      if (line.pspGross !== null) t.gross += hundredths(line.pspGross);
      if (line.pspFee !== null) t.fee += hundredths(line.pspFee);
      if (line.pspNet !== null) t.net += hundredths(line.pspNet);
      totals.set(line.currency, t);
    };
    async function* csv(): AsyncGenerator<string> {
      yield CSV_HEADER;
      for await (const line of mergeJoin(
        ledgerItems(ledgerClient, psp, date),
        settlementItems(reportClient, psp, date),
      )) {
        lines++;
        counts[line.class] = (counts[line.class] ?? 0) + 1;
        account(line);
        if (line.class !== "matched") {
          pending.push(line);
          if (pending.length >= EXCEPTION_FLUSH) await flush();
        }
        yield csvLine(line);
      }
      await flush();
    }
    const outputUri = await output.write(outputKey, Readable.from(csv()));
    const exceptions = lines - (counts.matched ?? 0);
    await finishRun(tx, {
      runId,
      matched: counts.matched ?? 0,
      exceptions,
      counts,
      totals: Object.fromEntries(
        [...totals].map(([currency, t]) => [
          currency,
          {
            ledger: decimalFromHundredths(t.ledger),
            gross: decimalFromHundredths(t.gross),
            fee: decimalFromHundredths(t.fee),
            net: decimalFromHundredths(t.net),
          },
        ]),
      ),
      outputUri,
    });
    await tx.query("COMMIT");
    if (previousKey !== null && previousKey !== outputKey) await output.remove(previousKey);
    for (const cls of EXCEPTION_CLASSES) {
      if (counts[cls]) reconExceptionsTotal.inc({ class: cls, psp }, counts[cls]);
    }
    reconLastSuccess.set({ psp }, Date.now() / 1000);
    return { runId, outputKey, outputUri, matched: counts.matched ?? 0, exceptions, counts, lines };
  } catch (err) {
    await tx.query("ROLLBACK").catch(() => {});
    await output.remove(outputKey).catch(() => {});
    throw err;
  } finally {
    tx.release();
    ledgerClient.release();
    reportClient.release();
  }
}

/** An exception with a payment opens a manual review, once: a re-run finds it open and leaves it. */
async function openReviewOnce(tx: pg.PoolClient, e: ReconLine): Promise<void> {
  if (e.paymentId === null) return;
  const reason = `recon_${e.class}`;
  const open = await findOpenReview(tx, e.paymentId);
  if (open && (open.reason === reason || (open.detail ?? "").split("; ").includes(reason))) return;
  await openReview(tx, {
    paymentId: e.paymentId,
    attemptId: null,
    reason,
    detail: `${e.reference}: ${e.detail}`,
  });
}
