import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { insertOutboxEvents, markPublished, type OutboxEvent } from "../../db/repositories/outbox-repo.ts";
import { acquireRelayLease } from "../../db/repositories/relay-lease-repo.ts";
import { closeTestDb } from "../helpers/db.ts";
import { freePort } from "../helpers/free-port.ts";
import { createIsolatedOutbox, type IsolatedOutbox } from "../helpers/isolated-outbox.ts";
import { RecordCollector } from "../helpers/outbox-records.ts";
import { type ServiceProcess, spawnService } from "../helpers/service-process.ts";
import { eventually, freezeProcess, processState } from "../helpers/wait.ts";

// Finding 10: a frozen relay leader must not stall the outbox. Two relay processes share an outbox of
// their own; the leader is frozen with SIGSTOP, the other must take over within 10 s (default lease
// settings), and the old leader, resumed, must not mark rows after losing the lease.
const TOPIC = `test.relay-lease.${randomUUID().slice(0, 8)}.v1`;
const TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
const LOG_DIR = join(import.meta.dirname, "..", "..", ".stack", "logs");
let outbox: IsolatedOutbox;
let collector: RecordCollector;
const relays: ServiceProcess[] = [];

beforeAll(async () => {
  outbox = await createIsolatedOutbox("relay_lease");
  collector = new RecordCollector([TOPIC]);
  await collector.start();
}, 60_000);

afterAll(async () => {
  for (const r of relays) if (r.child.pid) process.kill(r.child.pid, "SIGCONT");
  await Promise.all(relays.map((r) => r.stop()));
  await collector?.stop();
  await outbox?.drop();
  await closeTestDb();
});

const row = (n: number): OutboxEvent => ({
  id: randomUUID(),
  aggregateId: `agg-${n % 5}`,
  type: "probe",
  topic: TOPIC,
  payload: Buffer.from(String(n)),
  traceparent: TRACEPARENT,
  occurredAt: new Date(),
  publisher: "relay",
});

interface Lease {
  holder: string;
  epoch: string;
  acquired_at: Date;
}

async function lease(name = "payment_outbox"): Promise<Lease | undefined> {
  const { rows } = await outbox.pool.query<Lease>(
    "SELECT holder, epoch, acquired_at FROM outbox_relay_lease WHERE name = $1 AND expires_at > now()",
    [name],
  );
  return rows[0];
}

const holderPid = (l: Lease | undefined) => Number(l?.holder.split("/")[1]);

const until = <T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>) =>
  eventually(what, probe, timeoutMs, 100);

function logLines(name: string): Array<Record<string, unknown>> {
  const path = join(LOG_DIR, `${name}.log`);
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

async function startRelay(name: string): Promise<ServiceProcess> {
  const relay = spawnService(
    "processors/relay-main.ts",
    {
      DATABASE_URL: outbox.databaseUrl,
      LOG_LEVEL: "info",
      OUTBOX_POLL_MS: "20",
      OUTBOX_BATCH_SIZE: "20",
      // Each relay serves its own ops listener: two on one port would stop the second at start.
      RELAY_HTTP_PORT: String(await freePort()),
    },
    name,
  );
  relays.push(relay);
  return relay;
}

describe("outbox relay lease", () => {
  it("refuses a mark from a term that is over (fencing token)", async () => {
    const name = `fence-${randomUUID().slice(0, 8)}`;
    const first = await acquireRelayLease(outbox.pool, name, "first", 1);
    expect(first).not.toBeNull();
    const second = await until(
      "the 1 ms lease to run out",
      5_000,
      async () => (await acquireRelayLease(outbox.pool, name, "second", 60_000)) ?? undefined,
    );
    expect(BigInt(second.epoch)).toBeGreaterThan(BigInt(first?.epoch ?? "0"));

    const event = row(0);
    await insertOutboxEvents(outbox.pool, [{ ...event, topic: `${TOPIC}.unused` }]);
    if (!first) throw new Error("unreachable");
    expect(await markPublished(outbox.pool, [event.id], first)).toBe(false);
    const before = await outbox.pool.query("SELECT published_at FROM payment_outbox WHERE id = $1", [
      event.id,
    ]);
    expect(before.rows[0].published_at).toBeNull();
    expect(await markPublished(outbox.pool, [event.id], second)).toBe(true);
    const after = await outbox.pool.query("SELECT published_epoch FROM payment_outbox WHERE id = $1", [
      event.id,
    ]);
    expect(after.rows[0].published_epoch).toBe(second.epoch);
  });

  it("a frozen leader is replaced within 10 s, and once resumed marks nothing", async () => {
    const a = await startRelay("relay-lease-a");
    const aPid = a.child.pid ?? 0;
    const leaseA = await until("relay A to lead", 60_000, async () => {
      const l = await lease();
      return holderPid(l) === aPid ? l : undefined;
    });
    const b = await startRelay("relay-lease-b");
    const bPid = b.child.pid ?? 0;
    await until("relay B to run", 60_000, async () =>
      logLines("relay-lease-b").some((l) => l.msg === "outbox relay started") ? true : undefined,
    );

    // Steady traffic, so the leader is most likely in the middle of a batch when it is frozen.
    const inserted: Array<{ id: string; at: number }> = [];
    let writing = true;
    const writer = (async () => {
      for (let n = 0; writing; n++) {
        const event = row(n);
        await insertOutboxEvents(outbox.pool, [event]);
        inserted.push({ id: event.id, at: Date.now() });
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    let leaseB: Lease | undefined;
    try {
      await until("A to publish the first rows", 30_000, async () =>
        inserted.length >= 20 && inserted.slice(0, 20).every((r) => collector.records(r.id).length > 0)
          ? true
          : undefined,
      );

      await freezeProcess(aPid);
      const stoppedAt = Date.now();

      const afterStop = await until("rows written after the stop", 5_000, async () => {
        const later = inserted.filter((r) => r.at > stoppedAt).slice(0, 10);
        return later.length === 10 ? later : undefined;
      });
      await collector.waitFor(
        afterStop.map((r) => r.id),
        { timeoutMs: stoppedAt + 10_000 - Date.now() },
      );
      expect(await processState(aPid)).toBe("T");
      leaseB = await lease();
      expect(holderPid(leaseB)).toBe(bPid);
      expect(BigInt(leaseB?.epoch ?? "0")).toBeGreaterThan(BigInt(leaseA.epoch));

      process.kill(aPid, "SIGCONT");
      await until("A to notice, once resumed, that its term is over", 15_000, async () =>
        logLines("relay-lease-a").some((l) => l.msg === "outbox relay lease lost" && l.epoch === leaseA.epoch)
          ? true
          : undefined,
      );
    } finally {
      writing = false;
      await writer;
    }

    // No row lost: every row reached Kafka and is marked.
    await collector.waitFor(
      inserted.map((r) => r.id),
      { timeoutMs: 30_000 },
    );
    const unmarked = await until("every row to be marked", 15_000, async () => {
      const { rows } = await outbox.pool.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM payment_outbox WHERE published_at IS NULL AND topic = $1",
        [TOPIC],
      );
      return rows[0]?.n === 0 ? 0 : undefined;
    });
    expect(unmarked).toBe(0);
    // The old leader marked nothing after the lease passed to B.
    const { rows: late } = await outbox.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM payment_outbox WHERE published_epoch = $1 AND published_at >= $2",
      [leaseA.epoch, leaseB?.acquired_at],
    );
    expect(late[0]?.n).toBe(0);
    expect(holderPid(await lease())).toBe(bPid);
  }, 120_000);
});
