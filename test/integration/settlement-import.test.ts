import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { objectStoreFromEnv } from "../../core/infra/object-store.ts";
import { importSettlementReport } from "../../core/settlement/import-settlement.ts";
import { openReport } from "../../core/settlement/report-source.ts";
import { createPool } from "../../db/pool.ts";
import { api } from "../helpers/api.ts";
import { closeTestDb, pspReferenceOf, testDb } from "../helpers/db.ts";
import { createAndConfirm, waitForPayment } from "../helpers/flows.ts";
import { privateDatabase } from "../helpers/private-database.ts";
import { pspSimulatorBase } from "../helpers/psp-simulators.ts";

const run = promisify(execFile);
type Psp = "stripe" | "adyen";
const today = () => new Date().toISOString().slice(0, 10);

interface Row {
  settlement_line_id: string;
  batch_id: string;
  line_no: number;
  record_type: string;
  psp_reference: string;
  payment_id: string | null;
  refund_id: string | null;
  currency: string;
  gross_amount: string;
  fee_amount: string;
  net_amount: string;
  imported_at: Date;
}

async function importFromSimulator(psp: Psp) {
  const report = await openReport(psp, { kind: "psp", baseUrl: pspSimulatorBase(psp), date: today() });
  return importSettlementReport(testDb(), psp, report);
}

async function rowsOf(psp: Psp, where: string, values: unknown[]): Promise<Row[]> {
  const { rows } = await testDb().query<Row>(
    `SELECT * FROM psp_settlement WHERE psp = $1 AND ${where} ORDER BY batch_id, line_no`,
    [psp, ...values],
  );
  return rows;
}

async function reportText(psp: Psp): Promise<string> {
  const res = await fetch(`${pspSimulatorBase(psp)}/_sim/settlement-report?date=${today()}`);
  expect(res.status).toBe(200);
  return res.text();
}

/** The CLI, as an operator runs it. */
function importCli(args: string[]) {
  return run("node", ["--import", "tsx", "scripts/settlement/import.ts", ...args], { env: process.env }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({
      code: err.code,
      stdout: err.stdout,
      stderr: err.stderr,
    }),
  );
}

afterAll(() => closeTestDb());

describe.each(["stripe", "adyen"] as const)("settlement import from the %s simulator", (psp) => {
  const payments: Record<string, string> = {};
  let refundId = "";

  beforeAll(async () => {
    for (const token of [
      "pm_card_visa",
      "pm_sim_settle_missing",
      "pm_sim_settle_amount_mismatch",
      "pm_sim_settle_duplicate",
    ]) {
      const { paymentId } = await createAndConfirm({ psp, token, amount: "10.00" });
      await waitForPayment(paymentId, (p) => p.status === "succeeded");
      payments[token] = paymentId;
    }
    const refund = await api.post(`/payments/${payments.pm_card_visa}/refund`, { amount: "4.00" });
    expect(refund.status, JSON.stringify(refund.body)).toBe(200);
    refundId = refund.body.refund_id;
    await waitForPayment(payments.pm_card_visa ?? "", (p) => p.amount_refunded === "4.00");
  });

  it("loads the report with each PSP's fees, linked to the ledger, with the planted discrepancies", async () => {
    await importFromSimulator(psp);

    const visa = await rowsOf(psp, "payment_id = $2", [payments.pm_card_visa]);
    const charge = visa.filter((r) => r.record_type === "charge");
    expect(charge).toHaveLength(1);
    // Stripe: 2.9% + 0.30; Adyen: 0.30% + 0.20% + 0.60% (each rounded) + 0.12 commission.
    const fee = psp === "stripe" ? "0.59" : "0.23";
    expect(charge[0]).toMatchObject({ currency: "USD", gross_amount: "10.00", fee_amount: fee });
    expect(charge[0]?.psp_reference).toBe(await pspReferenceOf(payments.pm_card_visa ?? ""));
    expect(visa.filter((r) => r.record_type === "refund")).toEqual([
      expect.objectContaining({ refund_id: refundId, gross_amount: "-4.00" }),
    ]);

    const byReference = async (token: string) =>
      rowsOf(psp, "psp_reference = $2", [await pspReferenceOf(payments[token] ?? "")]);
    expect(await byReference("pm_sim_settle_missing")).toEqual([]);
    const mismatch = await byReference("pm_sim_settle_amount_mismatch");
    expect(mismatch.map((r) => r.gross_amount)).toEqual(["9.99"]);
    expect(mismatch[0]?.payment_id).toBe(payments.pm_sim_settle_amount_mismatch);
    const duplicate = await byReference("pm_sim_settle_duplicate");
    expect(duplicate).toHaveLength(2);
    expect(new Set(duplicate.map((r) => r.line_no)).size).toBe(2);
    expect(duplicate.every((r) => r.payment_id === payments.pm_sim_settle_duplicate)).toBe(true);
  });

  it("is idempotent: the same report imported twice leaves the same rows", async () => {
    // One report, read once: other tests may add payments to the simulator's day meanwhile.
    const text = await reportText(psp);
    const first = await importSettlementReport(testDb(), psp, Readable.from([text]));
    const before = await rowsOf(psp, "batch_id = ANY($2)", [first.batches]);
    expect(before.length).toBe(first.lines);

    const second = await importSettlementReport(testDb(), psp, Readable.from([text]));
    expect(second).toMatchObject({ lines: first.lines, inserted: 0, updated: 0, removed: 0 });
    expect(second.unchanged).toBe(first.lines);
    expect(await rowsOf(psp, "batch_id = ANY($2)", [first.batches])).toEqual(before);
  });

  it("refuses a report with a malformed line, naming the line, and loads nothing of it", async () => {
    const batch = `test-${randomUUID()}`;
    const { header, lines } = rebatched(await reportText(psp), batch);
    expect(lines.length).toBeGreaterThanOrEqual(3);
    const gross = header.split(",").indexOf(psp === "stripe" ? "gross" : "Gross Credit (GC)");
    // The last line with a gross amount (an Adyen refund has it in Gross Debit): good lines precede it.
    const broken = lines.findLastIndex((l) => (l.split(",")[gross] ?? "") !== "");
    expect(broken).toBeGreaterThan(0);
    const bad = lines.map((l, i) => (i === broken ? l.split(",").with(gross, "10.5O").join(",") : l));
    const dir = await mkdtemp(join(tmpdir(), "settlement-"));
    const file = join(dir, "bad.csv");
    await writeFile(file, `${[header, ...bad].join("\n")}\n`);

    const result = await importCli([`--psp=${psp}`, `--date=${today()}`, `--file=${file}`]);
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stderr).toContain(`line ${broken + 2}:`);
    expect(result.stderr).toContain("10.5O");
    expect(await rowsOf(psp, "batch_id = $2", [batch])).toEqual([]);

    // A line with fields missing: the CSV parser's own error, with its line too.
    const short = lines.map((l, i) => (i === 1 ? l.split(",").slice(0, 5).join(",") : l));
    await writeFile(file, `${[header, ...short].join("\n")}\n`);
    const shortResult = await importCli([`--psp=${psp}`, `--date=${today()}`, `--file=${file}`]);
    expect(shortResult.code, shortResult.stdout + shortResult.stderr).toBe(1);
    expect(shortResult.stderr).toContain("line 3:");
    expect(await rowsOf(psp, "batch_id = $2", [batch])).toEqual([]);
  });

  it("imports a report from an S3 key", async () => {
    const store = objectStoreFromEnv(process.env.S3_BUCKET_RECON ?? "payments-recon");
    const key = `test/settlement/${psp}-${randomUUID()}.csv`;
    const batch = `test-${randomUUID()}`;
    // Only this suite's own payments: a second batch of the whole day would add every other test's
    // charges to the shared ledger a second time (the finance export test sums the day's fees).
    const ours = await Promise.all(Object.values(payments).map((id) => pspReferenceOf(id)));
    const { header, lines } = rebatched(await reportText(psp), batch, ours);
    expect(lines.length).toBeGreaterThan(0);
    await store.putStream(key, Readable.from([`${[header, ...lines].join("\n")}\n`]), "text/csv");

    const result = await importCli([`--psp=${psp}`, `--date=${today()}`, `--s3-key=${key}`]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout.trim().split("\n").at(-1) ?? "{}")).toMatchObject({
      inserted: lines.length,
    });
    expect(await rowsOf(psp, "batch_id = $2", [batch])).toHaveLength(lines.length);
    store.client.destroy();
  });

  /** The report with its own batch id, so what a test loads is told apart from the real day's. */
  function rebatched(
    csv: string,
    batch: string,
    onlyReferences?: string[],
  ): { header: string; lines: string[] } {
    const [header = "", ...all] = csv.trimEnd().split("\n");
    const column = header.split(",").indexOf(psp === "stripe" ? "automatic_payout_id" : "Batch Number");
    const lines = onlyReferences ? all.filter((l) => onlyReferences.some((r) => r && l.includes(r))) : all;
    return { header, lines: lines.map((l) => l.split(",").with(column, batch).join(",")) };
  }
});

describe("a settlement report that arrives slowly", () => {
  it("is loaded although the source pauses longer than the pool's idle-in-transaction bound", async () => {
    const db = await privateDatabase("settlement_slow");
    // The pool of the CLI and the processors ends a session idle in a transaction; the import's
    // transaction waits, idle, on the source between batches (a PSP's download, S3).
    const bounded = createPool(db.url, 2, {
      statementTimeoutMs: 5_000,
      idleInTransactionTimeoutMs: 1_000,
      keepAliveIdleMs: 10_000,
      connectTimeoutMs: 10_000,
    });
    const header =
      "balance_transaction_id,created_utc,currency,gross,fee,net,reporting_category,source_id,automatic_payout_id,payment_intent_id\n";
    const row = (n: number) =>
      `txn_slow_${n},2026-12-01 10:00:00,usd,10.00,0.59,9.41,charge,ch_slow_${n},po_slow,pi_slow_${n}\n`;
    const pauseMs = 2_500;
    async function* slowly(): AsyncGenerator<string> {
      yield header + row(1);
      await new Promise((r) => setTimeout(r, pauseMs));
      yield row(2);
    }
    try {
      const started = Date.now();
      const summary = await importSettlementReport(bounded, "stripe", Readable.from(slowly()));
      expect(Date.now() - started).toBeGreaterThanOrEqual(pauseMs);
      expect(summary).toMatchObject({ lines: 2, inserted: 2 });
      const { rows } = await db.pool.query("SELECT psp_reference FROM psp_settlement ORDER BY line_no");
      expect(rows.map((r) => r.psp_reference)).toEqual(["pi_slow_1", "pi_slow_2"]);
    } finally {
      await bounded.end();
      await db.drop();
    }
  });
});
