// Issue 8, "Done means", first bullet: the whole reconciliation path. Payments with the three
// settlement fault tokens and normal tokens go through both PSPs (captures, refunds, a decline) on a
// real service; then `npm run settlement:import` for each PSP and `npm run recon` for the day, as an
// operator runs them; then the CSVs are read back from S3 and must list exactly the planted exceptions.
//
// Isolation: a service of its own (startPrivateService: its own database, topics and simulators), so
// the day's ledger and the simulators' reports hold this test's payments and nothing else, and "no
// false exceptions" is asserted over the whole report, every line of it.
import { execFile } from "node:child_process";
import { text } from "node:stream/consumers";
import { promisify } from "node:util";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ObjectNotFoundError, objectStoreFromEnv } from "../../core/infra/object-store.ts";
import { api } from "../helpers/api.ts";
import { createAndConfirm } from "../helpers/flows.ts";
import { type PrivateService, startPrivateService } from "../helpers/private-service.ts";
import { eventually } from "../helpers/wait.ts";

const run = promisify(execFile);
type Psp = "stripe" | "adyen";
const PSPS: readonly Psp[] = ["stripe", "adyen"];
const BUCKET = process.env.S3_BUCKET_RECON || "payments-recon";
const store = objectStoreFromEnv(BUCKET);

/** What the test plants: one payment, and what its day must look like in the reconciliation. */
interface Plan {
  name: string;
  token: string;
  amount: string;
  /** USD unless given. */
  currency?: string;
  /** Both PSPs unless given. */
  psps?: readonly Psp[];
  capture?: string;
  refunds?: string[];
  /** The settlement fault its token makes (simulators/README.md, "Fault tokens"). */
  fault?: "missing" | "amount_mismatch" | "duplicate";
  declined?: boolean;
}

const PLANS: readonly Plan[] = [
  { name: "visa, refunded in part", token: "pm_card_visa", amount: "10.00", refunds: ["4.00"] },
  {
    name: "manual, captured in part, refunded less than a fixed refund fee",
    token: "pm_card_mastercard",
    amount: "25.00",
    capture: "15.00",
    refunds: ["0.10"],
  },
  { name: "declined", token: "pm_card_chargeDeclined", amount: "9.00", declined: true },
  { name: "settles missing", token: "pm_sim_settle_missing", amount: "11.00", fault: "missing" },
  {
    name: "settles a minor unit short",
    token: "pm_sim_settle_amount_mismatch",
    amount: "12.34",
    fault: "amount_mismatch",
  },
  {
    name: "settles twice, refunded in part",
    token: "pm_sim_settle_duplicate",
    amount: "13.00",
    refunds: ["3.00"],
    fault: "duplicate",
  },
  // Currencies whose PSP minor units differ from ISO 4217 (core/adapters/psp/*/currency-units.ts):
  // the report must still settle them at their amount.
  { name: "ISK, two-decimal at both PSPs", token: "pm_card_visa", amount: "5000", currency: "ISK" },
  { name: "JPY, zero-decimal everywhere", token: "pm_card_visa", amount: "5000", currency: "JPY" },
  {
    name: "UGX, two-decimal at Stripe",
    token: "pm_card_visa",
    amount: "5000",
    currency: "UGX",
    psps: ["stripe"],
  },
  {
    name: "CLP, two-decimal at Adyen",
    token: "pm_card_visa",
    amount: "5000",
    currency: "CLP",
    psps: ["adyen"],
  },
  {
    name: "IDR, zero-decimal at Adyen",
    token: "pm_card_visa",
    amount: "10000.00",
    currency: "IDR",
    psps: ["adyen"],
  },
];

interface Planted extends Plan {
  psp: Psp;
  paymentId: string;
  refundIds: string[];
}

/** A CSV line, reduced to what identifies it and its amounts. */
const lineOf = (l: {
  class: string;
  record_type: string;
  payment_id: string;
  refund_id: string;
  ledger_amount: string;
  psp_gross: string;
}) => [l.class, l.record_type, l.payment_id, l.refund_id, l.ledger_amount, l.psp_gross].join(" | ");

/** Hundredths arithmetic on the test's own decimal strings (USD): what a fault token does to an amount. */
function cents(amount: string): bigint {
  const [whole = "0", fraction = ""] = amount.replace(/^-/, "").split(".");
  const value = BigInt(whole) * 100n + BigInt(fraction.padEnd(2, "0"));
  return amount.startsWith("-") ? -value : value;
}
function decimal(value: bigint): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(3, "0");
  return `${negative ? "-" : ""}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

/** An amount as the CSV writes it: the ledger's NUMERIC(12,2) text ("5000" JPY is "5000.00"). */
const numeric = (amount: string) => decimal(cents(amount));

/** Every line the day's CSV of `psp` must hold, from the plan alone. */
function expectedLines(planted: readonly Planted[], psp: Psp): string[] {
  const lines: string[] = [];
  for (const p of planted.filter((x) => x.psp === psp && !x.declined)) {
    const captured = numeric(p.capture ?? p.amount);
    const charge = (cls: string, ledger: string, gross: string) =>
      lineOf({
        class: cls,
        record_type: "charge",
        payment_id: p.paymentId,
        refund_id: "",
        ledger_amount: ledger,
        psp_gross: gross,
      });
    if (p.fault === "missing") lines.push(charge("missing_in_psp", captured, ""));
    else if (p.fault === "amount_mismatch")
      lines.push(charge("amount_mismatch", captured, decimal(cents(captured) - 1n)));
    else lines.push(charge("matched", captured, captured));
    // The second line of the same reference: the first is matched, this one is the exception.
    if (p.fault === "duplicate") lines.push(charge("duplicate_in_psp", "", captured));
    p.refunds?.forEach((amount, i) => {
      lines.push(
        lineOf({
          class: "matched",
          record_type: "refund",
          payment_id: p.paymentId,
          refund_id: p.refundIds[i] ?? "?",
          ledger_amount: `-${numeric(amount)}`,
          psp_gross: `-${numeric(amount)}`,
        }),
      );
    });
  }
  return lines.sort();
}

const EXCEPTION_OF_FAULT = {
  missing: "missing_in_psp",
  amount_mismatch: "amount_mismatch",
  duplicate: "duplicate_in_psp",
} as const;

let svc: PrivateService;
const planted: Planted[] = [];
let day = "";
const csvKeys: string[] = [];

const utcDay = () => new Date().toISOString().slice(0, 10);
const post = (path: string, body: unknown = {}) => api.post(path, body, { baseUrl: svc.baseUrl });

async function paymentWhen(paymentId: string, what: string, done: (p: any) => boolean): Promise<any> {
  return eventually(
    `payment ${paymentId} ${what}`,
    async () => {
      const res = await api.get(`/payments/${paymentId}`, { baseUrl: svc.baseUrl });
      return res.status === 200 && done(res.body) ? res.body : undefined;
    },
    30_000,
  );
}

async function plant(psp: Psp, plan: Plan): Promise<Planted> {
  const manual = plan.capture !== undefined;
  const { paymentId, confirmed } = await createAndConfirm(
    {
      psp,
      token: plan.token,
      amount: plan.amount,
      currency: plan.currency ?? "USD",
      capture_method: manual ? "manual" : "automatic",
    },
    { baseUrl: svc.baseUrl },
  );
  expect([200, 202, 402], JSON.stringify(confirmed.body)).toContain(confirmed.status);
  if (plan.declined) {
    await paymentWhen(paymentId, "failed", (p) => p.status === "failed");
    return { ...plan, psp, paymentId, refundIds: [] };
  }
  if (manual) {
    await paymentWhen(paymentId, "authorized", (p) => p.status === "requires_capture");
    const capture = await post(`/payments/${paymentId}/capture`, { amount: plan.capture });
    expect([200, 202], JSON.stringify(capture.body)).toContain(capture.status);
  }
  const captured = plan.capture ?? plan.amount;
  await paymentWhen(
    paymentId,
    `captured ${captured}`,
    (p) => p.status === "succeeded" && p.amount_captured === captured,
  );
  const refundIds: string[] = [];
  let refunded = 0n;
  for (const amount of plan.refunds ?? []) {
    const refund = await post(`/payments/${paymentId}/refund`, { amount });
    expect([200, 202], JSON.stringify(refund.body)).toContain(refund.status);
    refundIds.push(refund.body.refund_id);
    refunded += cents(amount);
    const total = decimal(refunded);
    await paymentWhen(paymentId, `refunded ${total}`, (p) => p.amount_refunded === total);
  }
  return { ...plan, psp, paymentId, refundIds };
}

/** An operator's command, against the private service's database and simulators; S3 from the stack. */
async function npmCommand(script: string, args: string[]): Promise<string[]> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: svc.env.DATABASE_URL,
    STRIPE_API_BASE: svc.sims.stripe.base,
    ADYEN_API_BASE: svc.sims.adyen.base,
  };
  // The default output is what is under test: S3.
  delete env.RECON_OUTPUT;
  const { stdout } = await run("node", ["--import", "tsx", script, ...args], { env }).catch(
    (err: { code: number; stdout: string; stderr: string }) => {
      throw new Error(`${script} ${args.join(" ")} exited ${err.code}: ${err.stderr}${err.stdout}`);
    },
  );
  return stdout.trimEnd().split("\n");
}

interface ReconCliRun {
  psp: Psp;
  runId: string;
  outputKey: string;
  outputUri: string;
  supersededRunId: string | null;
  outputsNotRemoved: string[];
}

/** `npm run recon -- --date=<day>`: one JSON summary per PSP, then the output URIs, the last line last. */
async function recon(): Promise<Map<Psp, ReconCliRun>> {
  const out = await npmCommand("scripts/recon/main.ts", [`--date=${day}`]);
  const runs = out.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as ReconCliRun);
  expect(runs.map((r) => r.psp)).toEqual([...PSPS]);
  expect(out.slice(-2)).toEqual(runs.map((r) => `s3://${BUCKET}/${r.outputKey}`));
  for (const r of runs) {
    expect(r.outputKey).toBe(`recon/date=${day}/${r.psp}-${r.runId}.csv`);
    expect(r.outputUri).toBe(`s3://${BUCKET}/${r.outputKey}`);
    csvKeys.push(r.outputKey);
  }
  return new Map(runs.map((r) => [r.psp, r]));
}

async function csvFromS3(key: string): Promise<Array<Record<string, string>>> {
  return parse(await text(await store.getStream(key)), { columns: true, skip_empty_lines: true });
}

/** Every review a reconciliation opened, open or resolved: one per exception, ever. */
async function reconReviews(): Promise<Array<{ payment_id: string; reason: string }>> {
  const { rows } = await svc.db.query(
    `SELECT payment_id, reason FROM payment_reviews WHERE reason LIKE 'recon_%' ORDER BY payment_id`,
  );
  return rows;
}

beforeAll(async () => {
  svc = await startPrivateService("recone2e");
}, 180_000);

afterAll(async () => {
  for (const key of csvKeys) await store.delete(key).catch(() => undefined);
  store.client.destroy();
  await svc?.stop();
});

describe("reconciliation from payment to S3 report, both PSPs", () => {
  let first: Map<Psp, ReconCliRun>;

  it("plants payments with the settlement fault tokens and normal ones on the day", async () => {
    // The whole test must fall in one UTC day (the reports and the ledger are per day): if the day
    // ends within 5 minutes, wait for the next one.
    await eventually(
      "a UTC day with 5 minutes left",
      async () => (Date.now() % 86_400_000 < 86_400_000 - 5 * 60_000 ? true : undefined),
      6 * 60_000,
      1_000,
    );
    day = utcDay();
    for (const psp of PSPS)
      for (const plan of PLANS.filter((p) => (p.psps ?? PSPS).includes(psp)))
        planted.push(await plant(psp, plan));
    expect(planted).toHaveLength(PLANS.reduce((n, p) => n + (p.psps ?? PSPS).length, 0));
  }, 420_000);

  it("imports each PSP's settlement report of the day from its simulator", async () => {
    for (const psp of PSPS) {
      const out = await npmCommand("scripts/settlement/import.ts", [`--psp=${psp}`, `--date=${day}`]);
      const summary = JSON.parse(out.at(-1) ?? "{}");
      // Captured charges (twice for the duplicate, never the missing one) and the refunds.
      const mine = planted.filter((p) => p.psp === psp && !p.declined);
      const lines =
        mine.filter((p) => p.fault !== "missing").length +
        mine.filter((p) => p.fault === "duplicate").length +
        mine.reduce((n, p) => n + (p.refunds?.length ?? 0), 0);
      expect(summary).toMatchObject({ psp, date: day, lines, inserted: lines, updated: 0, removed: 0 });
    }
  });

  it("writes a CSV per PSP to S3 listing exactly the planted exceptions, and records the run", async () => {
    first = await recon();
    for (const psp of PSPS) {
      const result = first.get(psp) as ReconCliRun;
      expect(result.supersededRunId).toBeNull();
      const rows = await csvFromS3(result.outputKey);
      expect(rows.map((r) => lineOf(r as never)).sort()).toEqual(expectedLines(planted, psp));

      // The planted exceptions, by class: exactly one per fault token, nothing for the normal payments.
      const exceptions = rows.filter((r) => r.class !== "matched");
      const faults = planted.filter((p) => p.psp === psp && p.fault !== undefined);
      expect(exceptions.map((r) => `${r.class} ${r.payment_id}`).sort()).toEqual(
        faults
          .map((p) => `${EXCEPTION_OF_FAULT[p.fault as keyof typeof EXCEPTION_OF_FAULT]} ${p.paymentId}`)
          .sort(),
      );
      const normal = new Set(planted.filter((p) => p.psp === psp && !p.fault).map((p) => p.paymentId));
      expect(exceptions.filter((r) => normal.has(r.payment_id ?? ""))).toEqual([]);
      // Matched lines carry the PSP's fee and net.
      for (const m of rows.filter((r) => r.class === "matched")) {
        expect(m.psp_fee, JSON.stringify(m)).toMatch(/^\d+\.\d{2}$/);
        expect(cents(m.psp_net as string)).toBe(cents(m.psp_gross as string) - cents(m.psp_fee as string));
      }

      // The run row: its counts are the CSV's, its key the CSV's, and it is the day's current run.
      const { rows: runs } = await svc.db.query(
        `SELECT matched, exceptions, counts, output_key, output_uri, superseded_by
           FROM recon_runs WHERE run_date = $1 AND psp = $2`,
        [day, psp],
      );
      expect(runs).toHaveLength(1);
      const counted: Record<string, number> = {};
      for (const r of rows) counted[r.class as string] = (counted[r.class as string] ?? 0) + 1;
      expect(Object.fromEntries(Object.entries(runs[0].counts).filter(([, n]) => n !== 0))).toEqual(counted);
      expect(runs[0]).toMatchObject({
        matched: counted.matched,
        exceptions: exceptions.length,
        output_key: result.outputKey,
        output_uri: result.outputUri,
        superseded_by: null,
      });
      const { rows: stored } = await svc.db.query(
        "SELECT class, payment_id FROM recon_exceptions WHERE run_id = $1",
        [result.runId],
      );
      expect(stored.map((e) => `${e.class} ${e.payment_id}`).sort()).toEqual(
        exceptions.map((r) => `${r.class} ${r.payment_id}`).sort(),
      );
    }

    // Every exception opened one manual review of its class; the normal payments none.
    const faults = planted.filter((p) => p.fault !== undefined);
    expect(await reconReviews()).toEqual(
      faults
        .map((p) => ({
          payment_id: p.paymentId,
          reason: `recon_${EXCEPTION_OF_FAULT[p.fault as keyof typeof EXCEPTION_OF_FAULT]}`,
        }))
        .sort((a, b) => a.payment_id.localeCompare(b.payment_id)),
    );
  });

  it("a re-run of the day supersedes each run, deletes its CSV from S3 and opens no review twice", async () => {
    const reviewsBefore = await reconReviews();
    const again = await recon();
    for (const psp of PSPS) {
      const before = first.get(psp) as ReconCliRun;
      const after = again.get(psp) as ReconCliRun;
      expect(after).toMatchObject({ supersededRunId: before.runId, outputsNotRemoved: [] });
      await expect(store.getStream(before.outputKey)).rejects.toBeInstanceOf(ObjectNotFoundError);
      const rows = await csvFromS3(after.outputKey);
      expect(rows.map((r) => lineOf(r as never)).sort()).toEqual(expectedLines(planted, psp));

      const { rows: runs } = await svc.db.query(
        `SELECT run_id, superseded_by, output_removed_at FROM recon_runs WHERE run_date = $1 AND psp = $2
          ORDER BY started_at`,
        [day, psp],
      );
      expect(runs.map((r) => [r.run_id, r.superseded_by])).toEqual([
        [before.runId, after.runId],
        [after.runId, null],
      ]);
      expect(runs[0].output_removed_at).not.toBeNull();
    }
    expect(await reconReviews()).toEqual(reviewsBefore);
    expect(utcDay(), "the UTC day changed during the test; run it again").toBe(day);
  });
});
