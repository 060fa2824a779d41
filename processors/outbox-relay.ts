import type { Config } from "../core/infra/config.ts";
import type { Logger } from "../core/infra/logger.ts";
import { outboxPublished } from "../core/infra/metrics.ts";
import { SpanKind, startSpan } from "../core/infra/tracing/spans.ts";
import type { EventPublisher } from "../core/ports/event-publisher.ts";
import type { Pool } from "../db/pool.ts";
import {
  deletePublishedBefore,
  fetchUnpublished,
  markPublished,
  type OutboxRow,
} from "../db/repositories/outbox-repo.ts";
import { RelayLease } from "./relay-lease.ts";

const LEASE_NAME = "payment_outbox";

/** The relay's tuning from the config, shared by every place that starts one. */
export function relaySettingsFrom(config: Config) {
  return {
    pollMs: config.OUTBOX_POLL_MS,
    batchSize: config.OUTBOX_BATCH_SIZE,
    retentionMs: config.OUTBOX_RETENTION_MS,
    leaseTtlMs: config.OUTBOX_LEASE_TTL_MS,
    leaseRenewMs: config.OUTBOX_LEASE_RENEW_MS,
    followerPollMs: config.OUTBOX_FOLLOWER_POLL_MS,
    retentionSweepMs: config.OUTBOX_RETENTION_SWEEP_MS,
    errorBackoffMs: config.OUTBOX_ERROR_BACKOFF_MS,
  };
}

export interface RelayOptions {
  pool: Pool;
  publisher: EventPublisher;
  logger: Logger;
  pollMs: number;
  batchSize: number;
  retentionMs: number;
  /** How long a term lasts without renewal: a frozen leader is replaced within about this long. */
  leaseTtlMs: number;
  leaseRenewMs: number;
  /** How often a relay that is not the leader asks for the lease (at most leaseRenewMs). */
  followerPollMs: number;
  /** How often the leader deletes published rows older than retentionMs. */
  retentionSweepMs: number;
  /** Wait after a failed round. */
  errorBackoffMs: number;
}

/**
 * Publishes outbox rows in commit order. Several relays may run: the one holding the lease publishes,
 * so per-payment order holds and rows are not raced. A row is marked published only after the broker
 * acknowledged it, and only by a leader whose term is still current (the mark is fenced by the epoch);
 * a crash or a lost lease in between republishes it, and consumers dedupe on the `id` header.
 */
export function startOutboxRelay(o: RelayOptions): {
  stop(): Promise<void>;
  lease: RelayLease;
  /** When the loop last finished a turn, published or failed (Date.now()): a wedged loop stops moving it. */
  lastTurnAt(): number;
} {
  const lease = new RelayLease({
    pool: o.pool,
    logger: o.logger,
    name: LEASE_NAME,
    ttlMs: o.leaseTtlMs,
    renewMs: o.leaseRenewMs,
  });
  // A follower asks for the lease often, so takeover comes soon after expiry.
  const followerPollMs = Math.min(o.followerPollMs, o.leaseRenewMs);
  let running = true;
  let lastRetention = 0;
  let turnAt = Date.now();
  const loop = (async () => {
    while (running) {
      turnAt = Date.now();
      try {
        if (!(await lease.acquire())) {
          await sleep(followerPollMs);
          continue;
        }
        const published = await relayBatch(o, lease);
        if (Date.now() - lastRetention > o.retentionSweepMs && lease.current) {
          lastRetention = Date.now();
          await deletePublishedBefore(o.pool, o.retentionMs);
        }
        if (published < o.batchSize) await sleep(o.pollMs);
      } catch (err) {
        o.logger.error({ err }, "outbox relay error; retrying");
        await sleep(o.errorBackoffMs);
      }
    }
    await lease.release();
  })();
  return {
    lease,
    lastTurnAt: () => turnAt,
    async stop() {
      running = false;
      await loop;
    },
  };
}

async function relayBatch(o: RelayOptions, lease: RelayLease): Promise<number> {
  const rows = await fetchUnpublished(o.pool, o.batchSize);
  if (rows.length === 0) return 0;
  if (!(await lease.confirm())) return 0;
  const term = lease.current;
  if (!term) return 0;
  await publishTraced(o, rows);
  const marked = await markPublished(
    o.pool,
    rows.map((r) => r.id),
    term,
  );
  if (!marked) {
    lease.lost("a mark was fenced: another relay holds the lease");
    return 0;
  }
  for (const r of rows) outboxPublished.inc({ topic: r.topic });
  return rows.length;
}

/** Each row is published in a span that continues the trace its transaction wrote down. */
async function publishTraced(o: RelayOptions, rows: OutboxRow[]): Promise<void> {
  const records = rows.map((row) =>
    startSpan(`${row.topic} publish`, {
      kind: SpanKind.PRODUCER,
      parent: row.traceparent,
      attributes: {
        "messaging.system": "kafka",
        "messaging.destination.name": row.topic,
        "payment.id": row.aggregateId,
      },
    }),
  );
  try {
    await o.publisher.publish(
      rows.map((row, i) => toRecord({ ...row, traceparent: records[i]?.traceparent ?? row.traceparent })),
    );
    for (const r of records) r.end();
  } catch (err) {
    for (const r of records) r.end(err as Error);
    throw err;
  }
}

/** The same record shape the Debezium Outbox Event Router produces: key aggregateid, headers id/eventType/traceparent. */
export function toRecord(row: OutboxRow) {
  const headers: Record<string, string> = { id: row.id, eventType: row.type, traceparent: row.traceparent };
  return { topic: row.topic, key: row.aggregateId, value: row.payload, headers };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
