// Commit-to-Kafka latency and throughput of the two outbox publishing paths: the built-in relay
// (processors/outbox-relay.ts, run in-process here) and Debezium (Kafka Connect, started by stack:up).
//
//   npm run bench:outbox -- [--events=2000] [--rate=500] [--batch=10] [--burst-batch=50] [--writers=4]
//                           [--paths=direct,relay,debezium]
//
// For each path, two phases of --events rows each (with real payment.authorized.v1 Avro payloads, on the
// topic bench.outbox-latency.v1 so no real consumer sees them):
//   paced  transactions of --batch rows at --rate rows/s: latency under a steady load;
//   burst  transactions of --burst-batch rows from --writers connections as fast as they commit:
//          throughput = rows / (last record received - first transaction started).
// Latency of a row = time its record arrives at a consumer in this process - time its COMMIT returned.
// The `direct` baseline skips the database: the same records produced straight to Kafka with the
// service's producer (latency from the send call), i.e. what the broker + this consumer add by themselves.
// Everything (PostgreSQL, Kafka, Connect, this process) shares the machine's cores, so these are
// numbers for this box, not for a production cluster.
//
// The relay is leader-elected (a lease, ADR 0005): if the service is running, its relay holds the
// lease and publishes the bench's relay rows instead of the in-process one. Both are the same code; the
// bench says which one was leader. Stop the service for a clean measurement.
import { randomUUID } from "node:crypto";
import { KafkaEventPublisher } from "../core/adapters/kafka-event-publisher.ts";
import { AvroCodec } from "../core/infra/avro-codec.ts";
import { loadConfig } from "../core/infra/config.ts";
import { createProducer } from "../core/infra/kafka.ts";
import { kafkaSettingsFor } from "../core/infra/kafka-security.ts";
import { logger } from "../core/infra/logger.ts";
import { EVENT_SCHEMA_FILES, EVENT_TOPICS } from "../core/infra/topics.ts";
import { createPool } from "../db/pool.ts";
import { type EncodedOutboxEvent, insertOutboxEvents } from "../db/repositories/outbox-repo.ts";
import { relaySettingsFrom, startOutboxRelay, toRecord } from "../processors/outbox-relay.ts";
import { connectorState, RecordCollector } from "../test/helpers/outbox-records.ts";
import { arg, argString, percentiles } from "./stats.ts";

type Path = "relay" | "debezium" | "direct";

const config = loadConfig();
const EVENTS = arg("events", 2000);
const RATE = arg("rate", 500);
const BATCH = arg("batch", 10);
const BURST_BATCH = arg("burst-batch", 50);
const WRITERS = arg("writers", 4);
const PATHS = argString("paths", "direct,relay,debezium").split(",") as Path[];
const TOPIC = "bench.outbox-latency.v1";
const run = randomUUID().slice(0, 8);

const pool = createPool(config.DATABASE_URL, WRITERS + 4);
const codec = new AvroCodec(config.SCHEMA_REGISTRY_URL);
await codec.register(EVENT_TOPICS.authorized, EVENT_SCHEMA_FILES[EVENT_TOPICS.authorized]);
const kafka = kafkaSettingsFor(config, "admin", "bench-outbox");

const collector = new RecordCollector([TOPIC]);
await collector.start();

const commitTime = new Map<string, number>();
let seq = 0;

function event(publisher: Path): EncodedOutboxEvent {
  const id = randomUUID();
  const paymentId = randomUUID();
  const payload = codec.encode(EVENT_TOPICS.authorized, {
    event_id: id,
    occurred_at: Date.now(),
    payment_id: paymentId,
    order_id: ++seq,
    amount: "12.34",
    amount_minor: 1234,
    currency: "USD",
    psp: "stripe",
    psp_reference: `pi_bench_${run}_${seq}`,
    status: "succeeded",
    capture_method: "automatic",
    payment_method: { type: "card", brand: "visa", token_last4: "4242" },
    risk_score: 12,
    needs_review: false,
  });
  return {
    id,
    aggregateId: paymentId,
    type: "authorized",
    topic: TOPIC,
    payload,
    traceparent: `00-${randomUUID().replaceAll("-", "")}-${randomUUID().replaceAll("-", "").slice(0, 16)}-01`,
    occurredAt: new Date(),
    publisher: publisher === "direct" ? "relay" : publisher,
  };
}

let direct: KafkaEventPublisher | undefined;

/** One transaction; records the wall-clock time right after COMMIT returned for each of its rows. */
async function commitBatch(events: EncodedOutboxEvent[]): Promise<void> {
  if (direct) {
    const t = Date.now();
    for (const e of events) commitTime.set(e.id, t);
    await direct.publish(events.map((e) => toRecord({ ...e, seq: "0" })));
    return;
  }
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await insertOutboxEvents(client, events);
    await client.query("COMMIT");
    const t = Date.now();
    for (const e of events) commitTime.set(e.id, t);
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function paced(path: Path, n: number): Promise<{ ids: string[]; started: number }> {
  const ids: string[] = [];
  const started = Date.now();
  const interval = (BATCH / RATE) * 1000;
  for (let i = 0; i < n; i += BATCH) {
    const due = started + (i / BATCH) * interval;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
    const batch = Array.from({ length: Math.min(BATCH, n - i) }, () => event(path));
    ids.push(...batch.map((e) => e.id));
    await commitBatch(batch);
  }
  return { ids, started };
}

async function burst(path: Path, n: number): Promise<{ ids: string[]; started: number }> {
  const batches: EncodedOutboxEvent[][] = [];
  for (let i = 0; i < n; i += BURST_BATCH) {
    batches.push(Array.from({ length: Math.min(BURST_BATCH, n - i) }, () => event(path)));
  }
  const ids = batches.flat().map((e) => e.id);
  const started = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      while (next < batches.length) await commitBatch(batches[next++] as EncodedOutboxEvent[]);
    }),
  );
  return { ids, started };
}

interface Result {
  path: Path;
  phase: string;
  events: number;
  offered: string;
  commit_per_s: number;
  throughput_per_s: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  duplicates: number;
}

async function measure(path: Path, phase: "paced" | "burst"): Promise<Result> {
  const { ids, started } = phase === "paced" ? await paced(path, EVENTS) : await burst(path, EVENTS);
  const lastCommit = Math.max(...ids.map((id) => commitTime.get(id) ?? 0));
  await collector.waitFor(ids, { timeoutMs: 120_000 });
  const latencies: number[] = [];
  let lastReceived = 0;
  let duplicates = 0;
  for (const id of ids) {
    const [first, ...rest] = collector.records(id).sort((a, b) => a.receivedAt - b.receivedAt);
    duplicates += rest.length;
    if (!first) continue;
    latencies.push(first.receivedAt - (commitTime.get(id) ?? Number.NaN));
    lastReceived = Math.max(lastReceived, first.receivedAt);
  }
  const pct = percentiles(latencies, [50, 95, 99, 100]);
  return {
    path,
    phase,
    events: ids.length,
    offered:
      phase === "paced"
        ? `${RATE}/s in ${path === "direct" ? "sends" : "tx"} of ${BATCH}`
        : `max, ${WRITERS} writers, ${path === "direct" ? "sends" : "tx"} of ${BURST_BATCH}`,
    commit_per_s: Math.round(ids.length / ((lastCommit - started) / 1000)),
    throughput_per_s: Math.round(ids.length / ((lastReceived - started) / 1000)),
    p50: pct.p50 ?? Number.NaN,
    p95: pct.p95 ?? Number.NaN,
    p99: pct.p99 ?? Number.NaN,
    max: pct.p100 ?? Number.NaN,
    duplicates,
  };
}

/** The holder of a live relay lease, when it is not this process (e.g. the running service). */
async function relayLeaderElsewhere(): Promise<string | null> {
  const { rows } = await pool.query<{ holder: string }>(
    "SELECT holder FROM outbox_relay_lease WHERE expires_at > now() AND holder NOT LIKE $1",
    [`%/${process.pid}/%`],
  );
  return rows[0] ? `holder ${rows[0].holder}` : null;
}

// ---------- run ----------

const results: Result[] = [];
const notes: string[] = [];

for (const path of PATHS) {
  let relay: { stop(): Promise<void> } | undefined;
  let producer: ReturnType<typeof createProducer> | undefined;
  if (path === "direct") {
    producer = createProducer({ ...kafka, clientId: "bench-outbox-direct" });
    await producer.connect();
    direct = new KafkaEventPublisher(producer);
    notes.push(
      "direct: baseline without the outbox, records produced straight to Kafka (latency from the send call)",
    );
  } else if (path === "relay") {
    const elsewhere = await relayLeaderElsewhere();
    producer = createProducer({ ...kafka, clientId: "bench-outbox-relay" });
    await producer.connect();
    relay = startOutboxRelay({
      pool,
      publisher: new KafkaEventPublisher(producer),
      logger,
      ...relaySettingsFrom(config),
    });
    notes.push(
      elsewhere
        ? `relay: another relay (${elsewhere}, the running service) holds the relay lease and published the relay rows`
        : `relay: in-process relay, OUTBOX_POLL_MS=${config.OUTBOX_POLL_MS}, OUTBOX_BATCH_SIZE=${config.OUTBOX_BATCH_SIZE}`,
    );
  } else {
    const state = await connectorState();
    if (state !== "RUNNING RUNNING") {
      notes.push(
        `debezium: skipped, connector not running (${state ?? "Connect not reachable"}); npm run stack:up`,
      );
      continue;
    }
    notes.push(
      "debezium: Kafka Connect payment-outbox connector (deploy/debezium/payment-outbox-connector.json)",
    );
  }
  try {
    // Warm-up: the first rows pay for connection set-up and JIT on either path.
    const warm = await paced(path, 100);
    await collector.waitFor(warm.ids, { timeoutMs: 60_000 });
    results.push(await measure(path, "paced"));
    results.push(await measure(path, "burst"));
  } finally {
    direct = undefined;
    await relay?.stop();
    await producer?.disconnect();
  }
}

await collector.stop();
// The rows were only for this run; deletes never reach Kafka (the publication ships inserts only).
const { rowCount } = await pool.query(
  "DELETE FROM payment_outbox WHERE topic = $1 AND (publisher = 'debezium' OR published_at IS NOT NULL)",
  [TOPIC],
);
await pool.end();

const header = [
  "path",
  "phase",
  "events",
  "offered load",
  "commits/s",
  "to Kafka/s",
  "p50 ms",
  "p95 ms",
  "p99 ms",
  "max ms",
  "dups",
];
const rows = results.map((r) => [
  r.path,
  r.phase,
  String(r.events),
  r.offered,
  String(r.commit_per_s),
  String(r.throughput_per_s),
  r.p50.toFixed(1),
  r.p95.toFixed(1),
  r.p99.toFixed(1),
  r.max.toFixed(1),
  String(r.duplicates),
]);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join("  ");
console.log(`\nOutbox commit-to-Kafka latency (run ${run}, ${EVENTS} rows per phase, topic ${TOPIC})`);
console.log(line(header));
console.log(line(widths.map((w) => "-".repeat(w))));
for (const r of rows) console.log(line(r));
for (const n of notes) console.log(`note: ${n}`);
console.log(`cleanup: deleted ${rowCount} bench rows from payment_outbox`);
console.log(JSON.stringify({ run, results }));
