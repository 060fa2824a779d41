// A bench's measured window: CPU by process and the database's statements and commits, from the first
// arrival until the work the payments set off (outbox events, the PSPs' webhooks) has drained.
import type pg from "pg";
import { hasStatementStats, type PgPerUnit, type PgSnapshot, pgPerUnit, pgSnapshot } from "./pg-counters.ts";
import { type CpuSnapshot, cpuPerUnit, cpuSnapshot } from "./process-cpu.ts";

export interface WindowFigures {
  cpu_ms_per_payment: Record<string, number>;
  db:
    | PgPerUnit
    | "pg_stat_statements is not loaded (restart the stack: npm run stack:down && npm run stack:up)";
}

export interface MeasuredWindow {
  finish(payments: number): Promise<WindowFigures>;
}

export async function openWindow(db: pg.Pool): Promise<MeasuredWindow> {
  const statements = await hasStatementStats(db);
  const pgBefore: PgSnapshot | null = statements ? await pgSnapshot(db) : null;
  const cpuBefore: CpuSnapshot = cpuSnapshot();
  return {
    async finish(payments) {
      await drained(db);
      const cpu = cpuPerUnit(cpuBefore, cpuSnapshot(), Math.max(1, payments));
      const figures = pgBefore
        ? pgPerUnit(pgBefore, await pgSnapshot(db), Math.max(1, payments))
        : ("pg_stat_statements is not loaded (restart the stack: npm run stack:down && npm run stack:up)" as const);
      return { cpu_ms_per_payment: cpu, db: figures };
    },
  };
}

/**
 * Until the relay has published every outbox row and the webhooks the simulators send after each payment
 * stopped arriving for a second and a half (bounded at 60 s: the bench reports what it has then).
 */
async function drained(db: pg.Pool): Promise<void> {
  const deadline = Date.now() + 60_000;
  let last = -1;
  let stableSince = Date.now();
  while (Date.now() < deadline) {
    const { rows } = await db.query<{ unpublished: number; webhooks: number }>(
      `SELECT (SELECT count(*)::int FROM payment_outbox WHERE published_at IS NULL AND publisher = 'relay') AS unpublished,
              (SELECT count(*)::int FROM processed_psp_events WHERE received_at > now() - interval '10 minutes') AS webhooks`,
    );
    const { unpublished, webhooks } = rows[0] ?? { unpublished: 0, webhooks: 0 };
    if (webhooks !== last) {
      last = webhooks;
      stableSince = Date.now();
    }
    if (unpublished === 0 && Date.now() - stableSince >= 1500) return;
    await new Promise((r) => setTimeout(r, 250));
  }
}
