import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type pg from "pg";
import { runSparkScript } from "../../core/finance/spark-job.ts";
import { AvroCodec } from "../../core/infra/avro-codec.ts";
import { stackEnv } from "./stack-env.ts";

/**
 * The Iceberg tables the finance export reads (ICEBERG_CONTRACT.md) are fed by Kafka Connect. A test
 * knows what the feed must deliver for its payments (their outbox events, their settlement lines) and
 * waits until the tables hold it, failing at the timeout.
 *
 * FINANCE_FEED_FIXTURE=1 is for development where the feed does not run: the same rows are written by
 * finance/spark/dev_feed_fixture.py into the developer's own namespace first. It is not the proof.
 */
export const FEED_FIXTURE = process.env.FINANCE_FEED_FIXTURE === "1";

export interface FeedExpectation {
  eventIds: string[];
  settlementLineIds: string[];
}

interface EventRow {
  event_id: string;
  event_type: string;
  occurred_at: number;
  payment_id: string;
  merchant_id: string | null;
  order_id: number | null;
  psp: string | null;
  psp_reference: string | null;
  currency: string | null;
  amount_minor: number | null;
  sequence: number | null;
}

/** What the feed must deliver for these payments: their outcome events (outbox ids) and settlement lines. */
export async function feedExpectation(pool: pg.Pool, paymentIds: string[]): Promise<FeedExpectation> {
  const events = await pool.query<{ id: string }>(
    "SELECT id FROM payment_outbox WHERE aggregateid = ANY($1::text[])",
    [paymentIds],
  );
  const lines = await pool.query<{ id: string }>(
    "SELECT settlement_line_id::text AS id FROM psp_settlement WHERE payment_id = ANY($1::uuid[])",
    [paymentIds],
  );
  return { eventIds: events.rows.map((r) => r.id), settlementLineIds: lines.rows.map((r) => r.id) };
}

/** The event's amount in the contract's `amount_minor`: the authorized, captured or refunded amount. */
function amountMinorOf(type: string, value: Record<string, unknown>): number | null {
  const amount = type === "captured" ? value.amount_captured_minor : value.amount_minor;
  return typeof amount === "number" ? amount : null;
}

async function eventRows(pool: pg.Pool, paymentIds: string[]): Promise<EventRow[]> {
  const codec = new AvroCodec(stackEnv.registryUrl);
  const { rows } = await pool.query<{ topic: string; payload: Buffer }>(
    "SELECT topic, payload FROM payment_outbox WHERE aggregateid = ANY($1::text[])",
    [paymentIds],
  );
  return Promise.all(
    rows.map(async ({ topic, payload }) => {
      const type = /^payment\.([a-z]+)\.v1$/.exec(topic)?.[1] ?? topic;
      const v = await codec.decode<Record<string, unknown>>(payload);
      const text = (name: string) =>
        typeof v[name] === "string" && v[name] !== "" ? (v[name] as string) : null;
      return {
        event_id: v.event_id as string,
        event_type: type,
        occurred_at: Number(v.occurred_at),
        payment_id: v.payment_id as string,
        merchant_id: text("merchant_id"),
        order_id: typeof v.order_id === "number" ? v.order_id : null,
        psp: text("psp"),
        psp_reference: text("psp_reference"),
        currency: text("currency"),
        amount_minor: amountMinorOf(type, v),
        sequence: typeof v.sequence === "number" ? v.sequence : null,
      };
    }),
  );
}

/** The lines as the CDC feed writes them: amounts as the ledger's NUMERIC(12,2), one insert (`c`) each. */
async function settlementRows(pool: pg.Pool, paymentIds: string[]) {
  const { rows } = await pool.query(
    `SELECT settlement_line_id::int8 AS settlement_line_id, psp, batch_id, line_no, record_type, psp_reference,
            payment_id, refund_id, currency, gross_amount::text, fee_amount::text, net_amount::text,
            settled_on::text, 'c' AS cdc_op, settlement_line_id::int8 AS cdc_lsn
       FROM psp_settlement WHERE payment_id = ANY($1::uuid[])`,
    [paymentIds],
  );
  return rows.map((r) => ({
    ...r,
    settlement_line_id: Number(r.settlement_line_id),
    cdc_lsn: Number(r.cdc_lsn),
  }));
}

/** DEV-ONLY: writes the rows the feed would write for these payments into `namespace`, with Spark. */
export async function writeFeedFixture(
  pool: pg.Pool,
  paymentIds: string[],
  o: { namespace: string; databaseUrl: string },
): Promise<void> {
  // The JDBC catalog keeps its tables in this schema (ICEBERG_CONTRACT.md); the feed's setup makes it.
  await pool.query("CREATE SCHEMA IF NOT EXISTS iceberg_catalog");
  const dir = await mkdtemp(path.join(tmpdir(), "finance-fixture-"));
  try {
    const jsonl = (rows: object[]) => rows.map((r) => JSON.stringify(r)).join("\n");
    const events = path.join(dir, "events.jsonl");
    const lines = path.join(dir, "lines.jsonl");
    await writeFile(events, jsonl(await eventRows(pool, paymentIds)));
    await writeFile(lines, jsonl(await settlementRows(pool, paymentIds)));
    await runSparkScript(
      "dev_feed_fixture.py",
      [`--namespace=${o.namespace}`, `--events=${events}`, `--lines=${lines}`],
      { databaseUrl: o.databaseUrl, quiet: true },
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Waits (finance/spark/feed_probe.py) until the tables of `namespace` hold every expected row; throws at the timeout. */
export async function waitForFeed(
  expectation: FeedExpectation,
  o: { namespace: string; databaseUrl: string; since: Date; timeoutS: number },
): Promise<{ events: number; settlement_lines: number; waited_s: number }> {
  const dir = await mkdtemp(path.join(tmpdir(), "finance-probe-"));
  try {
    const file = path.join(dir, "expect.json");
    await writeFile(
      file,
      JSON.stringify({
        event_ids: expectation.eventIds,
        settlement_line_ids: expectation.settlementLineIds.map(Number),
      }),
    );
    const run = await runSparkScript(
      "feed_probe.py",
      [
        `--namespace=${o.namespace}`,
        `--expect=${file}`,
        `--since=${o.since.toISOString()}`,
        `--timeout-s=${o.timeoutS}`,
      ],
      { databaseUrl: o.databaseUrl, quiet: true },
    );
    return JSON.parse(run.lines.at(-1) ?? "{}");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
