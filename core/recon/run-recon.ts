import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import pg from "pg";
import {
  claimExceptionReview,
  finishRun,
  insertExceptions,
  insertRun,
  markOutputRemoved,
  outputsToRemove,
  supersedeCurrentRun,
} from "../../db/repositories/recon-repo.ts";
import { openReview } from "../../db/repositories/reviews-repo.ts";
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
  /** The run of the same (date, psp) this one replaced, if any. */
  supersededRunId: string | null;
  /** Outputs of superseded runs that could not be removed (the next run of the day retries them). */
  outputsNotRemoved: string[];
}

export function outputKeyOf(date: string, psp: string, runId: string): string {
  return `recon/date=${date}/${psp}-${runId}.csv`;
}

/**
 * Reconciles one PSP's day: streams the ledger and the report (two cursors, two connections), merges
 * them into the CSV as the output port reads it, and records the run, its exceptions and the reviews
 * in one transaction on a third connection. An earlier run of the same (date, psp) is superseded: its
 * row stays (superseded_by), its exceptions go, and once this run is committed its output is removed.
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
  const [ledgerClient, reportClient] = await openReaders(pool);
  const tx = await pool.connect().catch(async (err) => {
    await Promise.all([ledgerClient.end(), reportClient.end()]);
    throw err;
  });
  const counts: Record<string, number> = Object.fromEntries(
    ["matched", ...EXCEPTION_CLASSES].map((c) => [c, 0]),
  );
  const totals = new Map<string, { ledger: bigint; gross: bigint; fee: bigint; net: bigint }>();
  let lines = 0;
  let supersededRunId: string | null = null;
  let outputUri = "";
  try {
    await tx.query("BEGIN");
    // The transaction waits, idle, while the day streams into the output: as long as the day is big or
    // the object store slow. The pool's idle-in-transaction bound is for leaked transactions, not this.
    await tx.query("SET LOCAL idle_in_transaction_session_timeout = 0");
    // Serializes concurrent runs of the same (date, psp); the row lock of the old run would not cover a first run.
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('recon:' || $1 || ':' || $2))", [date, psp]);
    supersededRunId = await supersedeCurrentRun(tx, date, psp, runId);
    await insertRun(tx, { runId, date, psp, outputKey, startedAt });

    const pending: ReconLine[] = [];
    const flush = async () => {
      await insertExceptions(tx, runId, pending);
      for (const e of pending) await openReviewOnce(tx, psp, runId, e);
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
    outputUri = await output.write(outputKey, Readable.from(csv()));
    await finishRun(tx, {
      runId,
      matched: counts.matched ?? 0,
      exceptions: lines - (counts.matched ?? 0),
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
  } catch (err) {
    // Only before the commit: once committed, the run and its output stand whatever follows.
    await tx.query("ROLLBACK").catch(() => {});
    await output.remove(outputKey).catch(() => {});
    throw err;
  } finally {
    tx.release();
    await Promise.all([ledgerClient.end(), reportClient.end()]);
  }
  const outputsNotRemoved = await removeSupersededOutputs(pool, output, date, psp);
  for (const cls of EXCEPTION_CLASSES) {
    if (counts[cls]) reconExceptionsTotal.inc({ class: cls, psp }, counts[cls]);
  }
  reconLastSuccess.set({ psp }, Date.now() / 1000);
  const matched = counts.matched ?? 0;
  return {
    runId,
    outputKey,
    outputUri,
    matched,
    exceptions: lines - matched,
    counts,
    lines,
    supersededRunId,
    outputsNotRemoved,
  };
}

/**
 * A connection for one side's cursor (outside the pool): the pool's settings (statement_timeout bounds every read on the
 * server) without the client-side query_timeout. node-postgres arms that timer once per query and only
 * a query's callback clears it, which a pg-cursor never calls: it would cut a stream longer than the
 * timeout in the middle, and keep the process alive that long after the run (node-postgres #3219).
 */
async function openReader(pool: pg.Pool): Promise<pg.Client> {
  const client = new pg.Client({ ...pool.options, query_timeout: undefined });
  client.on("error", () => undefined);
  await client.connect();
  return client;
}

async function openReaders(pool: pg.Pool): Promise<[pg.Client, pg.Client]> {
  const ledger = await openReader(pool);
  try {
    return [ledger, await openReader(pool)];
  } catch (err) {
    await ledger.end();
    throw err;
  }
}

/**
 * Removes the outputs of the day's superseded runs (after the commit: a run that fails leaves the
 * current output in place). Never throws: the committed run stands, and an output it could not remove
 * (or look up) keeps output_removed_at NULL, so the next run of the day retries it.
 */
async function removeSupersededOutputs(
  pool: pg.Pool,
  output: ReconOutput,
  date: string,
  psp: string,
): Promise<string[]> {
  const notRemoved: string[] = [];
  const stale = await outputsToRemove(pool, date, psp).catch(() => []);
  for (const run of stale) {
    try {
      await output.remove(run.outputKey);
      await markOutputRemoved(pool, run.runId);
    } catch {
      notRemoved.push(run.outputKey);
    }
  }
  return notRemoved;
}

/**
 * An exception with a payment opens a manual review exactly once: the first run that finds it claims
 * (psp, reference, class); a re-run, a superseded run or a later day finding it again opens nothing,
 * even when the review has been resolved meanwhile.
 */
async function openReviewOnce(tx: pg.PoolClient, psp: string, runId: string, e: ReconLine): Promise<void> {
  if (e.paymentId === null) return;
  const key = { psp, reference: e.reference, class: e.class, paymentId: e.paymentId, runId };
  if (!(await claimExceptionReview(tx, key))) return;
  await openReview(tx, {
    paymentId: e.paymentId,
    attemptId: null,
    reason: `recon_${e.class}`,
    detail: `${e.reference}: ${e.detail}`,
  });
}
