import type { Readable } from "node:stream";
import type pg from "pg";
import { transaction } from "../../db/pool.ts";
import { pruneSettlementBatch, upsertSettlementLines } from "../../db/repositories/settlement-repo.ts";
import { parseSettlementReport } from "./parse-report.ts";
import type { SettlementLine, SettlementPsp } from "./settlement-line.ts";

export interface ImportSummary {
  psp: SettlementPsp;
  lines: number;
  batches: string[];
  inserted: number;
  updated: number;
  unchanged: number;
  removed: number;
}

/** Lines written per statement. */
const CHUNK = 500;

/**
 * Streams a report into psp_settlement in ONE transaction: a malformed line anywhere rolls back
 * everything (SettlementLineError names it). Idempotent: the same report again changes nothing.
 */
export async function importSettlementReport(
  pool: pg.Pool,
  psp: SettlementPsp,
  report: Readable,
): Promise<ImportSummary> {
  return transaction(pool, async (client) => {
    // The transaction waits, idle, on the report's source between batches (a PSP's download, S3): the
    // pool's idle-in-transaction bound is for leaked transactions, not a slow source.
    await client.query("SET LOCAL idle_in_transaction_session_timeout = 0");
    const summary: ImportSummary = {
      psp,
      lines: 0,
      batches: [],
      inserted: 0,
      updated: 0,
      unchanged: 0,
      removed: 0,
    };
    const kept = new Map<string, number[]>();
    let chunk: SettlementLine[] = [];
    const flush = async () => {
      const counts = await upsertSettlementLines(client, psp, chunk);
      summary.inserted += counts.inserted;
      summary.updated += counts.updated;
      chunk = [];
    };
    for await (const line of parseSettlementReport(psp, report)) {
      summary.lines += 1;
      const lineNos = kept.get(line.batchId);
      if (lineNos === undefined) kept.set(line.batchId, [line.lineNo]);
      else lineNos.push(line.lineNo);
      chunk.push(line);
      if (chunk.length >= CHUNK) await flush();
    }
    await flush();
    for (const [batchId, lineNos] of kept)
      summary.removed += await pruneSettlementBatch(client, psp, batchId, lineNos);
    summary.batches = [...kept.keys()];
    summary.unchanged = summary.lines - summary.inserted - summary.updated;
    return summary;
  });
}
