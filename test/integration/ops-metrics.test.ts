import { randomUUID } from "node:crypto";
import pg from "pg";
import { register } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdmin, createConsumer, createProducer } from "../../core/infra/kafka.ts";
import { logger } from "../../core/infra/logger.ts";
import { registerOutboxMetrics, registerReconMetrics } from "../../processors/ops/backlog-metrics.ts";
import { watchConsumerGroupLag } from "../../processors/ops/consumer-group-lag.ts";
import { startRelayOpsServer } from "../../processors/ops/relay-ops-server.ts";
import { freePort } from "../helpers/free-port.ts";
import { privateDatabase } from "../helpers/private-database.ts";
import { testKafka } from "../helpers/stack-env.ts";
import { eventually } from "../helpers/wait.ts";

/** The samples of a metric as this process would export them on /metrics (its collect() runs). */
async function samples(name: string) {
  const metric = register.getSingleMetric(name);
  if (!metric) throw new Error(`${name} is not registered`);
  return (await metric.get()).values;
}

describe("gauges read from PostgreSQL at scrape time", () => {
  let db: Awaited<ReturnType<typeof privateDatabase>>;
  beforeAll(async () => {
    db = await privateDatabase("ops_metrics");
    registerOutboxMetrics(db.pool);
    registerReconMetrics(db.pool);
  });
  afterAll(() => db?.drop());

  const outboxRow = (ageSeconds: number, publisher: "relay" | "debezium") =>
    db.pool.query(
      `INSERT INTO payment_outbox (id, aggregatetype, aggregateid, type, topic, payload, traceparent, publisher, occurred_at)
       VALUES ($1, 'payment', $2, 'PaymentAuthorized', 'payment.authorized.v1', '\\x00', $3, $4, now() - make_interval(secs => $5))`,
      [randomUUID(), randomUUID(), `00-${"1".repeat(32)}-${"2".repeat(16)}-01`, publisher, ageSeconds],
    );
  const outboxAge = async () => (await samples("outbox_oldest_unpublished_seconds"))[0]?.value;

  it("outbox_oldest_unpublished_seconds is the age of the oldest unpublished relay row, 0 once it is published", async () => {
    expect(await outboxAge()).toBe(0);
    // Debezium's rows are not the relay's backlog (the slot ships them).
    await outboxRow(900, "debezium");
    await outboxRow(42, "relay");
    await outboxRow(5, "relay");
    const age = await eventually("the gauge to see the relay rows", async () => {
      const v = await outboxAge();
      return v !== undefined && v > 0 ? v : undefined;
    });
    expect(age).toBeGreaterThanOrEqual(42);
    expect(age).toBeLessThan(60);
    await db.pool.query("UPDATE payment_outbox SET published_at = now() WHERE publisher = 'relay'");
    await eventually("the gauge to drop to 0", async () => ((await outboxAge()) === 0 ? true : undefined));
  });

  it("reconciliation_latest_run_exceptions counts the latest successful run of each PSP, by class", async () => {
    const run = (date: string, psp: string, status: string, counts: Record<string, number>) =>
      db.pool.query(
        `INSERT INTO recon_runs (run_id, run_date, psp, status, counts, output_key, output_uri, started_at)
         VALUES ($1, $2, $3, $4, $5, 'k', 'u', now())`,
        [randomUUID(), date, psp, status, JSON.stringify(counts)],
      );
    await run("2026-01-01", "stripe", "succeeded", { matched: 10, amount_mismatch: 9 });
    await run("2026-01-02", "stripe", "succeeded", { matched: 10, amount_mismatch: 2, missing_in_psp: 1 });
    await run("2026-01-03", "stripe", "failed", { missing_in_ledger: 7 });
    await run("2026-01-02", "adyen", "succeeded", { matched: 3 });
    const byKey = await eventually("the recon gauge", async () => {
      const values = await samples("reconciliation_latest_run_exceptions");
      return values.length > 0
        ? new Map(values.map((v) => [`${v.labels.psp}/${v.labels.class}`, v.value]))
        : undefined;
    });
    expect(byKey.get("stripe/amount_mismatch")).toBe(2);
    expect(byKey.get("stripe/missing_in_psp")).toBe(1);
    expect(byKey.get("stripe/missing_in_ledger")).toBe(0);
    expect(byKey.get("adyen/amount_mismatch")).toBe(0);
    expect(byKey.has("stripe/matched")).toBe(false);
  });

  it("a standalone relay's ops listener is healthy while the loop turns, ready while PostgreSQL answers, and serves the outbox gauge", async () => {
    let lastTurnAt = Date.now();
    const port = await freePort();
    const server = await startRelayOpsServer({
      port,
      host: "127.0.0.1",
      pool: db.pool,
      lastTurnAt: () => lastTurnAt,
    });
    const get = async (path: string, at = port) => {
      const res = await fetch(`http://127.0.0.1:${at}${path}`);
      return { status: res.status, text: await res.text() };
    };
    try {
      expect(await get("/healthz")).toMatchObject({ status: 200 });
      expect(await get("/readyz")).toMatchObject({ status: 200 });
      expect((await get("/metrics")).text).toMatch(/^outbox_oldest_unpublished_seconds \d/m);
      // A loop that has not turned for over a minute is wedged: liveness fails, so the pod restarts.
      lastTurnAt = Date.now() - 61_000;
      expect(await get("/healthz")).toMatchObject({ status: 503 });
    } finally {
      server.close();
      server.closeAllConnections();
    }
    // PostgreSQL out of reach (nothing listens there): not ready.
    const unreachable = new pg.Pool({
      connectionString: `postgres://payments:x@127.0.0.1:${await freePort()}/payments`,
      connectionTimeoutMillis: 1_000,
    });
    const cutPort = await freePort();
    const cut = await startRelayOpsServer({
      port: cutPort,
      host: "127.0.0.1",
      pool: unreachable,
      lastTurnAt: Date.now,
    });
    try {
      expect(await get("/readyz", cutPort)).toMatchObject({ status: 503 });
    } finally {
      cut.close();
      cut.closeAllConnections();
      await unreachable.end();
    }
  });
});

describe("kafka_consumer_group_lag", () => {
  const kafka = testKafka("test-consumer-group-lag");
  const topic = `test.group-lag.${randomUUID()}`;
  const groupId = `test-group-lag-${randomUUID()}`;
  const admin = createAdmin(kafka);

  beforeAll(async () => {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2, replicationFactor: -1 }] });
  });
  afterAll(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  const lagByPartition = async () => {
    const values = (await samples("kafka_consumer_group_lag")).filter((v) => v.labels.group === groupId);
    return values.length === 2
      ? values.map((v) => [String(v.labels.partition), v.value] as const)
      : undefined;
  };

  it("is the distance from the group's committed offsets to the partition ends, whether or not anyone consumes", async () => {
    const producer = createProducer(kafka);
    await producer.connect();
    await producer.send({
      topic,
      messages: [
        ...Array.from({ length: 5 }, (_, i) => ({ partition: 0, value: `a${i}` })),
        ...Array.from({ length: 3 }, (_, i) => ({ partition: 1, value: `b${i}` })),
      ],
    });
    await producer.disconnect();
    const watch = watchConsumerGroupLag(kafka, [{ groupId, topic }], logger, 100);
    try {
      // Nobody in the group has committed: everything retained is behind.
      const before = await eventually("the lag of an idle group", async () => {
        const lag = await lagByPartition();
        return lag?.every(([, v]) => v > 0) ? lag : undefined;
      });
      expect(before).toEqual([
        ["0", 5],
        ["1", 3],
      ]);
      // The watch reads the group's offsets without joining it: the group still has no member.
      const { groups } = await admin.describeGroups([groupId]);
      expect(groups[0]?.members).toEqual([]);
      const consumer = createConsumer(kafka, groupId);
      await consumer.connect();
      await consumer.subscribe({ topics: [topic] });
      await consumer.run({ eachBatch: async () => {} });
      try {
        await eventually(
          "the lag to drop to 0 once the group commits",
          async () => {
            const lag = await lagByPartition();
            return lag?.every(([, v]) => v === 0) ? lag : undefined;
          },
          45_000,
        );
      } finally {
        await consumer.disconnect();
      }
    } finally {
      await watch.stop();
    }
  }, 60_000);
});
