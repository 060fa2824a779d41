import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KafkaEventPublisher } from "../../core/adapters/kafka-event-publisher.ts";
import { AvroCodec } from "../../core/infra/avro-codec.ts";
import { createProducer, type Producer } from "../../core/infra/kafka.ts";
import { EVENT_SCHEMA_FILES, EVENT_TOPICS } from "../../core/infra/topics.ts";
import type { EncodedOutboxEvent } from "../../db/repositories/outbox-repo.ts";
import { toRecord } from "../../processors/outbox-relay.ts";
import { closeTestDb, testDb } from "../helpers/db.ts";
import {
  connectorState,
  headerStrings,
  insertOutbox,
  RecordCollector,
  readOutboxRows,
  type SeenRecord,
} from "../helpers/outbox-records.ts";
import { stackEnv, testKafka } from "../helpers/stack-env.ts";

// The Debezium path of the outbox (deploy/debezium/payment-outbox-connector.json): rows written with
// publisher='debezium' reach Kafka through Kafka Connect, and must be indistinguishable from what the
// built-in relay (processors/outbox-relay.ts) publishes for the same row. Needs the stack with Connect
// (`npm run stack:up`, STACK_DEBEZIUM=1, the default); not the service.

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const STACK_DIR = process.env.STACK_DIR ?? join(ROOT, ".stack");
const run = randomUUID().slice(0, 8);
const exec = promisify(execFile);
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
/** Outbox rows of the restart test go to their own topic: raw payload bytes, no consumer but us. */
const RESTART_TOPIC = "test.outbox-debezium-restart.v1";

const enabled = process.env.STACK_DEBEZIUM !== "0";
const codec = new AvroCodec(stackEnv.registryUrl);
const db = testDb();
let collector: RecordCollector;
/** Every outbox row this file builds, deleted afterwards (deletes never reach Kafka). */
const written: string[] = [];
let producer: Producer;

function authorizedValue(id: string, paymentId: string, orderId: number) {
  return {
    event_id: id,
    occurred_at: Date.now(),
    payment_id: paymentId,
    merchant_id: "mer_tests",
    order_id: orderId,
    amount: "1234.50",
    amount_minor: 123450,
    currency: "EUR",
    psp: "stripe",
    psp_reference: `pi_${run}`,
    status: "succeeded",
    capture_method: "automatic",
    payment_method: { type: "card", brand: "visa", token_last4: "4242" },
    risk_score: 17,
    needs_review: false,
    sequence: 1,
  };
}

function failedValue(id: string, paymentId: string) {
  return {
    event_id: id,
    occurred_at: Date.now(),
    payment_id: paymentId,
    merchant_id: "mer_tests",
    order_id: 77,
    amount: "500",
    amount_minor: 500,
    currency: "JPY",
    psp: "adyen",
    failure_reason: "card_declined",
    psp_code: "Refused",
    risk_score: null,
    sequence: 2,
  };
}

function outboxEvent(
  topic: string,
  type: string,
  aggregateId: string,
  payload: Buffer,
  opts: { id?: string; traceparent?: string | null; publisher?: "relay" | "debezium" } = {},
): EncodedOutboxEvent {
  const id = opts.id ?? randomUUID();
  written.push(id);
  return {
    id,
    aggregateId,
    type,
    topic,
    payload,
    // null only to prove the database refuses it
    traceparent: opts.traceparent === undefined ? TRACEPARENT : (opts.traceparent as string),
    occurredAt: new Date(),
    publisher: opts.publisher ?? "debezium",
  };
}

const byOffset = (a: SeenRecord, b: SeenRecord) => (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0);

describe.skipIf(!enabled)("Debezium outbox path", () => {
  beforeAll(async () => {
    const state = await connectorState();
    if (state !== "RUNNING RUNNING") {
      throw new Error(
        `Kafka Connect's payment-outbox connector is not running (${state ?? "Connect not reachable"}): ` +
          "start the stack with `npm run stack:up` (STACK_DEBEZIUM=1), or set STACK_DEBEZIUM=0 to skip these tests.",
      );
    }
    await codec.register(EVENT_TOPICS.authorized, EVENT_SCHEMA_FILES[EVENT_TOPICS.authorized]);
    await codec.register(EVENT_TOPICS.failed, EVENT_SCHEMA_FILES[EVENT_TOPICS.failed]);
    collector = new RecordCollector([EVENT_TOPICS.authorized, EVENT_TOPICS.failed, RESTART_TOPIC]);
    await collector.start();
    producer = createProducer(testKafka("test-debezium-outbox"));
    await producer.connect();
  }, 120_000);

  afterAll(async () => {
    await collector?.stop();
    await producer?.disconnect();
    await db.query("DELETE FROM payment_outbox WHERE id = ANY($1::uuid[])", [written]).catch(() => undefined);
    await closeTestDb();
  });

  it("publishes each row exactly as the relay would: topic, key, value bytes, headers, partition", async () => {
    const paymentId = randomUUID();
    const other = randomUUID();
    const a1 = randomUUID();
    const a2 = randomUUID();
    const f1 = randomUUID();
    const values = new Map<string, object>([
      [a1, authorizedValue(a1, paymentId, 1001)],
      [a2, authorizedValue(a2, paymentId, 1001)],
      [f1, failedValue(f1, other)],
    ]);
    const events = [
      outboxEvent(
        EVENT_TOPICS.authorized,
        "authorized",
        paymentId,
        codec.encode(EVENT_TOPICS.authorized, values.get(a1)),
        { id: a1 },
      ),
      outboxEvent(EVENT_TOPICS.failed, "failed", other, codec.encode(EVENT_TOPICS.failed, values.get(f1)), {
        id: f1,
      }),
      outboxEvent(
        EVENT_TOPICS.authorized,
        "authorized",
        paymentId,
        codec.encode(EVENT_TOPICS.authorized, values.get(a2)),
        { id: a2 },
      ),
    ];
    await insertOutbox(db, events);
    const ids = events.map((e) => e.id);
    await collector.waitFor(ids);

    // The same rows through the relay's code: toRecord + the service's Kafka publisher, to the same topics.
    const rows = await readOutboxRows(db, ids);
    expect(rows.map((r) => r.id)).toEqual(ids);
    await new KafkaEventPublisher(producer).publish(rows.map(toRecord));
    await collector.waitFor(ids, { count: 2 });

    for (const row of rows) {
      const expected = toRecord(row);
      const [viaDebezium, viaRelay] = collector.records(row.id).sort(byOffset) as [SeenRecord, SeenRecord];
      for (const seen of [viaDebezium, viaRelay]) {
        expect(seen.topic).toBe(expected.topic);
        expect(seen.key?.toString("utf8")).toBe(expected.key);
        expect(seen.value?.equals(expected.value)).toBe(true);
        expect(headerStrings(seen)).toEqual(expected.headers);
      }
      // Same partitioner (murmur2 of the key) on both paths, so per-payment order holds across them.
      expect(viaDebezium.partition).toBe(viaRelay.partition);
      expect(viaDebezium.value?.equals(events.find((e) => e.id === row.id)?.payload ?? Buffer.alloc(0))).toBe(
        true,
      );
      expect(viaDebezium.headers.id?.[0]?.toString()).toMatch(UUID_RE);
      expect(viaDebezium.headers.id?.[0]?.toString()).toBe(row.id);
      expect(await codec.decode(viaDebezium.value as Buffer)).toEqual(values.get(row.id));
    }
    // Commit order per aggregate: a1 before a2 on the payment's partition.
    const [first] = collector.records(a1).sort(byOffset);
    const [second] = collector.records(a2).sort(byOffset);
    expect(first?.partition).toBe(second?.partition);
    expect((first?.offset ?? 0n) < (second?.offset ?? 0n)).toBe(true);
  });

  it("refuses an outbox row without trace context, so the paths cannot differ on a null header", async () => {
    // The Outbox Event Router publishes a NULL header column as a null header value, which the relay
    // cannot write; the column is NOT NULL and the processor always sets it (docs/adr/0005).
    const id = randomUUID();
    const paymentId = randomUUID();
    const payload = codec.encode(EVENT_TOPICS.failed, failedValue(id, paymentId));
    await expect(
      insertOutbox(db, [
        outboxEvent(EVENT_TOPICS.failed, "failed", paymentId, payload, { id, traceparent: null }),
      ]),
    ).rejects.toThrow(/traceparent/);
  });

  it("ignores rows owned by the relay, and updates or deletes of its own rows", async () => {
    const relayOwned = randomUUID();
    const mine = randomUUID();
    const sentinel = randomUUID();
    const paymentId = randomUUID();
    const encode = (id: string) => codec.encode(EVENT_TOPICS.authorized, authorizedValue(id, paymentId, 5));
    await insertOutbox(
      db,
      [
        outboxEvent(EVENT_TOPICS.authorized, "authorized", paymentId, encode(relayOwned), {
          id: relayOwned,
          publisher: "relay",
        }),
        outboxEvent(EVENT_TOPICS.authorized, "authorized", paymentId, encode(mine), { id: mine }),
      ],
      // In the same transaction: keeps a running service's relay off the relay-owned row.
      { markPublished: [relayOwned] },
    );
    await collector.waitFor([mine]);
    await db.query("UPDATE payment_outbox SET traceparent = $2, published_at = now() WHERE id = $1", [
      mine,
      "00-11111111111111111111111111111111-2222222222222222-01",
    ]);
    await db.query("DELETE FROM payment_outbox WHERE id = $1", [mine]);
    await insertOutbox(db, [
      outboxEvent(EVENT_TOPICS.authorized, "authorized", paymentId, encode(sentinel), { id: sentinel }),
    ]);
    await collector.waitFor([sentinel]);

    expect(collector.records(relayOwned)).toEqual([]);
    expect(collector.records(mine)).toHaveLength(1);
  });

  it("keeps the replication slot moving while only relay rows are written (heartbeats)", async () => {
    // WAL outside the publication (here: a relay-owned row) would otherwise pile up behind an idle slot.
    // The connector's heartbeat emits a logical decoding message every 10 s; the heartbeat record's offset
    // commit lets Debezium confirm the position to PostgreSQL.
    const { rows } = await db.query<{ lsn: string }>("SELECT pg_current_wal_lsn()::text AS lsn");
    const start = rows[0]?.lsn as string;
    const id = randomUUID();
    await insertOutbox(
      db,
      [outboxEvent(RESTART_TOPIC, "wal-probe", run, Buffer.from("x"), { id, publisher: "relay" })],
      {
        markPublished: [id],
      },
    );
    const deadline = Date.now() + 45_000;
    let behind = true;
    while (behind && Date.now() < deadline) {
      const r = await db.query<{ behind: boolean }>(
        "SELECT confirmed_flush_lsn < $1::pg_lsn AS behind FROM pg_replication_slots WHERE slot_name = 'payment_outbox'",
        [start],
      );
      behind = r.rows[0]?.behind ?? true;
      if (behind) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(behind).toBe(false);
    expect(collector.records(id)).toEqual([]);
  }, 60_000);

  it("loses no event when Kafka Connect is killed (SIGKILL) or stopped and restarted mid-stream", async () => {
    const inserted: string[] = [];
    let writing = true;
    let txCount = 0;
    // Small transactions (1-3 rows) every ~50 ms, across both restarts.
    const writer = (async () => {
      while (writing || inserted.length < 200) {
        const size = 1 + (txCount % 3);
        const batch = Array.from({ length: size }, (_, i) =>
          outboxEvent(
            RESTART_TOPIC,
            "restart-probe",
            `${run}-${(txCount + i) % 16}`,
            Buffer.from(`${run}:${txCount}:${i}`),
          ),
        );
        await insertOutbox(db, batch);
        inserted.push(...batch.map((e) => e.id));
        txCount++;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const upConnect = () =>
      exec("bash", [join(ROOT, "scripts/stack/up.sh"), "connect"], { cwd: ROOT, timeout: 180_000 });
    const waitRows = async (n: number) => {
      while (inserted.length < n) await new Promise((resolve) => setTimeout(resolve, 50));
    };

    try {
      await waitRows(40);
      const pid = Number(readFileSync(join(STACK_DIR, "pids", "connect.pid"), "utf8").trim());
      process.kill(-pid, "SIGKILL");
      await waitRows(inserted.length + 30);
      await upConnect();
      await waitRows(inserted.length + 40);
      await exec("bash", [join(ROOT, "scripts/stack/down.sh"), "connect"], { cwd: ROOT, timeout: 60_000 });
      await waitRows(inserted.length + 30);
      await upConnect();
      await waitRows(inserted.length + 30);
    } finally {
      writing = false;
      await writer;
      // Leave the stack as found even if a step above failed.
      if ((await connectorState()) === null) await upConnect().catch(() => undefined);
    }

    await collector.waitFor(inserted, { timeoutMs: 90_000 });
    const seen = inserted.flatMap((id) => collector.records(id));
    const distinct = new Set(seen.map((r) => r.headers.id?.[0]?.toString()));
    expect(distinct).toEqual(new Set(inserted));
    for (const r of seen) expect(r.key?.toString()).toMatch(new RegExp(`^${run}-`));
    console.info(
      `[debezium restart] ${inserted.length} rows in ${txCount} transactions, ${seen.length} records on Kafka ` +
        `(${seen.length - inserted.length} duplicates, all deduplicated by the id header)`,
    );
  }, 300_000);
});
