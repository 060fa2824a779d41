import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Transform } from "node:stream";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedReconDay } from "../../bench/recon-seed.ts";
import { logger } from "../../core/infra/logger.ts";
import { LocalDirOutput, type ReconOutput } from "../../core/recon/output.ts";
import { runRecon } from "../../core/recon/run-recon.ts";
import { generateApiKey } from "../../core/security/api-keys.ts";
import { createPool } from "../../db/pool.ts";
import { listExceptions, listRuns } from "../../db/repositories/recon-repo.ts";
import type { ProcessorContext } from "../../processors/context.ts";
import { startOpsServer } from "../../processors/ops/ops-server.ts";
import { reconcileYesterdayIfDue } from "../../processors/recon-scheduler.ts";
import { freePort } from "../helpers/free-port.ts";
import { privateDatabase } from "../helpers/private-database.ts";
import { provisionKey, TEST_MERCHANT_ID } from "../helpers/test-key.ts";

const DATE = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
const PSP = "stripe";
let db: { pool: pg.Pool; url: string; drop(): Promise<void> };
let dir: string;

/** One discrepancy of each class on a 20-payment day (refunds on 10 and 20); 21 failed in the ledger. */
async function plant(pool: pg.Pool): Promise<void> {
  await seedReconDay(pool, { date: DATE, psp: PSP, count: 21, merchantId: TEST_MERCHANT_ID });
  await seedReconDay(pool, { date: DATE, psp: "adyen", count: 5, merchantId: TEST_MERCHANT_ID, from: 100 });
  const line = (ref: string) => `psp = 'stripe' AND psp_reference = '${ref}'`;
  await pool.query(`DELETE FROM psp_settlement WHERE ${line("pi_stripe_1")}`);
  await pool.query(`UPDATE psp_settlement SET gross_amount = gross_amount + 1, net_amount = net_amount + 1
                     WHERE ${line("pi_stripe_2")}`);
  await pool.query(`UPDATE psp_settlement SET currency = 'EUR' WHERE ${line("pi_stripe_3")}`);
  await pool.query(`INSERT INTO psp_settlement (psp, batch_id, line_no, record_type, psp_reference, payment_id,
                      currency, gross_amount, fee_amount, net_amount, settled_on)
                    SELECT psp, batch_id, 9000, record_type, psp_reference, payment_id, currency, gross_amount,
                           fee_amount, net_amount, settled_on FROM psp_settlement WHERE ${line("pi_stripe_4")}`);
  await pool.query(`UPDATE psp_settlement SET fee_amount = gross_amount + 1, net_amount = -1
                     WHERE ${line("pi_stripe_5")}`);
  await pool.query(
    `INSERT INTO psp_settlement (psp, batch_id, line_no, record_type, psp_reference, currency,
                      gross_amount, fee_amount, net_amount, settled_on)
                    VALUES ('stripe', 'po_x', 1, 'charge', 'pi_unknown', 'USD', 5.00, 0.45, 4.55, $1)`,
    [DATE],
  );
  await pool.query(
    `UPDATE payments SET status = 'failed', amount_captured = 0 WHERE psp_reference = 'pi_stripe_21'`,
  );
}

const EXPECTED = new Map([
  ["pi_stripe_1", "missing_in_psp"],
  ["pi_stripe_2", "amount_mismatch"],
  ["pi_stripe_3", "currency_mismatch"],
  ["pi_stripe_4", "duplicate_in_psp"],
  ["pi_stripe_5", "fee_unexpected"],
  ["pi_stripe_21", "status_mismatch"],
  ["pi_unknown", "missing_in_ledger"],
]);

beforeAll(async () => {
  db = await privateDatabase("recon");
  dir = await mkdtemp(path.join(tmpdir(), "recon-"));
  await plant(db.pool);
}, 60_000);
afterAll(async () => {
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function parseCsv(text: string): Array<Record<string, string>> {
  const [header, ...rows] = text.trimEnd().split("\n");
  const names = (header ?? "").split(",");
  return rows.map((row) => {
    const cells = row.match(/("([^"]|"")*"|[^,]*)(,|$)/g) ?? [];
    return Object.fromEntries(
      names.map((n, i) => [n, (cells[i] ?? "").replace(/,$/, "").replace(/^"|"$/g, "")]),
    );
  });
}

async function reviews(): Promise<Array<{ payment_id: string; reason: string; detail: string }>> {
  const { rows } = await db.pool.query(
    "SELECT payment_id, reason, detail FROM payment_reviews WHERE resolved_at IS NULL ORDER BY payment_id",
  );
  return rows;
}

describe("reconciliation of a day", () => {
  it("matches the day, reports exactly the planted exceptions, records the run and opens reviews", async () => {
    const output = new LocalDirOutput(dir);
    const result = await runRecon(db.pool, output, { date: DATE, psp: PSP });
    expect(result.outputKey).toBe(`recon/date=${DATE}/stripe-${result.runId}.csv`);
    expect(result.outputUri).toBe(`file://${output.pathOf(result.outputKey)}`);

    const rows = parseCsv(await readFile(output.pathOf(result.outputKey), "utf8"));
    const exceptions = rows.filter((r) => r.class !== "matched");
    expect(new Map(exceptions.map((r) => [r.psp_reference, r.class]))).toEqual(EXPECTED);
    expect(exceptions).toHaveLength(EXPECTED.size);
    // 20 settled charges + 2 refunds, minus the 4 charges with an exception on their only line.
    const matched = rows.filter((r) => r.class === "matched");
    expect(matched).toHaveLength(18);
    expect(matched.find((r) => r.psp_reference === "pi_stripe_7")).toMatchObject({
      record_type: "charge",
      currency: "USD",
      ledger_amount: "17.50",
      psp_gross: "17.50",
      psp_fee: "0.81",
      psp_net: "16.69",
    });
    expect(matched.find((r) => r.psp_reference === "re_stripe_10")).toMatchObject({
      record_type: "refund",
      ledger_amount: "-1.00",
      psp_gross: "-1.00",
      psp_fee: "0.00",
    });
    expect(rows.some((r) => r.psp_reference?.startsWith("pi_adyen"))).toBe(false);

    const [run] = await listRuns(db.pool);
    expect(run).toMatchObject({
      runId: result.runId,
      runDate: DATE,
      psp: PSP,
      status: "succeeded",
      matched: 18,
    });
    expect(run?.exceptions).toBe(7);
    expect(run?.counts).toMatchObject({ missing_in_psp: 1, missing_in_ledger: 1, duplicate_in_psp: 1 });
    const stored = await listExceptions(db.pool, result.runId);
    expect(stored.map((e) => e.class).sort()).toEqual([...EXPECTED.values()].sort());

    const opened = await reviews();
    expect(opened.map((r) => r.reason).sort()).toEqual(
      [...EXPECTED.values()]
        .filter((c) => c !== "missing_in_ledger")
        .map((c) => `recon_${c}`)
        .sort(),
    );
  });

  it("re-running the day supersedes the run, removes its CSV and opens no duplicate review", async () => {
    const output = new LocalDirOutput(dir);
    const before = await reviews();
    const [first] = await listRuns(db.pool);
    const again = await runRecon(db.pool, output, { date: DATE, psp: PSP });
    expect(again.runId).not.toBe(first?.runId);
    expect(again).toMatchObject({ supersededRunId: first?.runId, outputsNotRemoved: [] });
    expect((await listRuns(db.pool)).map((r) => r.runId)).toEqual([again.runId]);
    const all = await listRuns(db.pool, { superseded: true });
    expect(all.map((r) => r.runId)).toEqual([again.runId, first?.runId]);
    expect(all[1]).toMatchObject({ supersededBy: again.runId, exceptions: 7, outputKey: first?.outputKey });
    expect(all[1]?.supersededAt).not.toBeNull();
    expect(all[1]?.outputRemovedAt).not.toBeNull();
    expect(await listExceptions(db.pool, again.runId)).toHaveLength(7);
    const { rows } = await db.pool.query("SELECT count(*)::int AS n FROM recon_exceptions");
    expect(rows[0].n).toBe(7);
    expect(await readdir(path.join(dir, `recon/date=${DATE}`))).toEqual([`stripe-${again.runId}.csv`]);
    expect(await reviews()).toEqual(before);
  });

  it("a re-run does not reopen a review that was resolved meanwhile", async () => {
    const output = new LocalDirOutput(dir);
    const resolved = await db.pool.query<{ payment_id: string }>(
      `UPDATE payment_reviews SET resolved_at = now(), resolution = 'resolved_by_psp', resolved_by = 'test'
        WHERE resolved_at IS NULL AND reason = 'recon_amount_mismatch' RETURNING payment_id`,
    );
    expect(resolved.rowCount).toBe(1);
    const open = await reviews();
    await runRecon(db.pool, output, { date: DATE, psp: PSP });
    expect(await reviews()).toEqual(open);
    const { rows } = await db.pool.query(
      "SELECT count(*)::int AS n FROM payment_reviews WHERE payment_id = $1",
      [resolved.rows[0]?.payment_id],
    );
    expect(rows[0].n).toBe(1);
  });

  it("a CSV that cannot be removed is reported, leaves the new run standing, and the next run removes it", async () => {
    const local = new LocalDirOutput(dir);
    const failingRemoval: ReconOutput = {
      write: (key, body) => local.write(key, body),
      remove: async () => {
        throw new Error("object store unavailable (injected)");
      },
    };
    const [before] = await listRuns(db.pool);
    const stuck = await runRecon(db.pool, failingRemoval, { date: DATE, psp: PSP });
    expect(stuck.outputsNotRemoved).toEqual([before?.outputKey]);
    const files = async () => (await readdir(path.join(dir, `recon/date=${DATE}`))).sort();
    expect(await files()).toEqual([`stripe-${before?.runId}.csv`, `stripe-${stuck.runId}.csv`].sort());
    expect((await listRuns(db.pool)).map((r) => r.runId)).toEqual([stuck.runId]);

    const next = await runRecon(db.pool, local, { date: DATE, psp: PSP });
    expect(next.outputsNotRemoved).toEqual([]);
    expect(await files()).toEqual([`stripe-${next.runId}.csv`]);
    const superseded = (await listRuns(db.pool, { superseded: true })).filter((r) => r.supersededBy !== null);
    expect(superseded.every((r) => r.outputRemovedAt !== null)).toBe(true);
  });

  it("the scheduler reconciles yesterday once, whatever the number of processors, and not before its time", async () => {
    const output = new LocalDirOutput(dir);
    const dayAfter = new Date(Date.parse(`${DATE}T00:00:00Z`) + 86_400_000);
    const early = new Date(dayAfter.getTime() + 60 * 60_000);
    const late = new Date(dayAfter.getTime() + 3 * 60 * 60_000);
    expect(
      await reconcileYesterdayIfDue(db.pool, output, { scheduleUtc: "02:00", logger, now: early }),
    ).toEqual([]);
    const [a, b] = await Promise.all([
      reconcileYesterdayIfDue(db.pool, output, { scheduleUtc: "02:00", logger, now: late }),
      reconcileYesterdayIfDue(db.pool, output, { scheduleUtc: "02:00", logger, now: late }),
    ]);
    // stripe was reconciled by the tests above; adyen's clean day (5 charges, 1 refund) is left, done by exactly one caller.
    expect([...(a ?? []), ...(b ?? [])]).toEqual(["adyen"]);
    const adyen = (await listRuns(db.pool)).find((r) => r.psp === "adyen");
    expect(adyen).toMatchObject({ status: "succeeded", matched: 6, exceptions: 0 });
    expect(
      await reconcileYesterdayIfDue(db.pool, output, { scheduleUtc: "02:00", logger, now: late }),
    ).toEqual([]);
  });

  it("the ops listener lists runs and a run's exceptions to an ops key only", async () => {
    const key = generateApiKey("test").secret;
    await provisionKey(db.pool, key, TEST_MERCHANT_ID, ["ops"]);
    const port = await freePort();
    const server = await startOpsServer({ pool: db.pool } as ProcessorContext, {
      port,
      host: "127.0.0.1",
      logger,
    });
    try {
      const get = (p: string, auth = true) =>
        fetch(`http://127.0.0.1:${port}${p}`, auth ? { headers: { authorization: `Bearer ${key}` } } : {});
      expect((await get("/ops/recon/runs", false)).status).toBe(401);
      const runs = (await (await get("/ops/recon/runs")).json()) as {
        data: Array<{ runId: string; psp: string }>;
      };
      const stripe = runs.data.find((r) => r.psp === "stripe");
      expect(runs.data.map((r) => r.psp).sort()).toEqual(["adyen", "stripe"]);
      const withSuperseded = (await (await get("/ops/recon/runs?superseded=true")).json()) as {
        data: Array<{ runId: string; psp: string; supersededBy: string | null }>;
      };
      // The re-runs above superseded stripe's first runs, each by its successor.
      const replaced = withSuperseded.data.filter((r) => r.supersededBy !== null);
      expect(replaced.length).toBeGreaterThanOrEqual(3);
      expect(replaced.every((r) => r.psp === "stripe")).toBe(true);
      expect(withSuperseded.data.filter((r) => r.supersededBy === null)).toHaveLength(2);
      const res = await get(`/ops/recon/runs/${stripe?.runId}/exceptions`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { data: Array<{ class: string; pspReference: string }> };
      expect(new Map(body.data.map((e) => [e.pspReference, e.class]))).toEqual(EXPECTED);
      expect((await get("/ops/recon/runs/00000000-0000-4000-8000-000000000000/exceptions")).status).toBe(404);
    } finally {
      server.close();
    }
  });

  it("a day that streams longer than the pool's query and idle-in-transaction timeouts still completes", async () => {
    // The CLI's and the processors' pools (createPool) bound every query client-side and end a session
    // idle in a transaction. A big day, or a slow object store, streams for longer than either.
    const bounded = createPool(db.url, 4, {
      statementTimeoutMs: 200, // query_timeout: 200 ms + the 5 s grace
      idleInTransactionTimeoutMs: 1_000,
      keepAliveIdleMs: 10_000,
      connectTimeoutMs: 10_000,
    });
    const local = new LocalDirOutput(dir);
    const stallMs = 6_500;
    let stalled = 0;
    // A real consumer that stops reading for a while after the first chunk, as a slow upload does.
    const slowConsumer: ReconOutput = {
      write: (key, body) =>
        local.write(
          key,
          body.pipe(
            new Transform({
              async transform(chunk, _encoding, done) {
                if (stalled === 0) {
                  const started = Date.now();
                  await new Promise((r) => setTimeout(r, stallMs));
                  stalled = Date.now() - started;
                }
                done(null, chunk);
              },
            }),
          ),
        ),
      remove: (key) => local.remove(key),
    };
    try {
      const result = await runRecon(bounded, slowConsumer, { date: DATE, psp: PSP });
      expect(stalled).toBeGreaterThanOrEqual(stallMs);
      expect(result).toMatchObject({ matched: 18, exceptions: 7 });
      const rows = parseCsv(await readFile(local.pathOf(result.outputKey), "utf8"));
      expect(rows).toHaveLength(25);
    } finally {
      await bounded.end();
    }
  }, 30_000);
});
