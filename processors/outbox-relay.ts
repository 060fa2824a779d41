import type { Logger } from "../core/infra/logger.ts";
import { outboxLag, outboxPublished } from "../core/infra/metrics.ts";
import type { EventPublisher } from "../core/ports/event-publisher.ts";
import type { Pool, PoolClient } from "../db/pool.ts";
import {
  deletePublishedBefore,
  fetchUnpublished,
  markPublished,
  type OutboxRow,
} from "../db/repositories/outbox-repo.ts";

const RELAY_LOCK_ID = 727_002;

export interface RelayOptions {
  pool: Pool;
  publisher: EventPublisher;
  logger: Logger;
  pollMs: number;
  batchSize: number;
  retentionMs: number;
}

/**
 * Publishes outbox rows in commit order. Several relays may run: a session advisory lock elects one
 * leader, so per-payment order holds and rows are not raced. A row is marked published only after the
 * broker acknowledged it; a crash in between republishes it, and consumers dedupe on the `id` header.
 */
export function startOutboxRelay(o: RelayOptions): { stop(): Promise<void> } {
  let running = true;
  let lastRetention = 0;
  const loop = (async () => {
    while (running) {
      const client = await o.pool.connect().catch(() => null);
      if (!client) {
        await sleep(1_000);
        continue;
      }
      try {
        const { rows } = await client.query<{ leader: boolean }>(
          "SELECT pg_try_advisory_lock($1) AS leader",
          [RELAY_LOCK_ID],
        );
        if (!rows[0]?.leader) {
          await sleep(1_000);
          continue;
        }
        while (running) {
          const published = await relayBatch(client, o);
          if (Date.now() - lastRetention > 60_000) {
            lastRetention = Date.now();
            await deletePublishedBefore(client, o.retentionMs);
          }
          if (published < o.batchSize) await sleep(o.pollMs);
        }
        await client.query("SELECT pg_advisory_unlock($1)", [RELAY_LOCK_ID]);
      } catch (err) {
        o.logger.error({ err }, "outbox relay error; retrying");
        await sleep(500);
      } finally {
        client.release(true);
      }
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
    },
  };
}

async function relayBatch(client: PoolClient, o: RelayOptions): Promise<number> {
  const rows = await fetchUnpublished(client, o.batchSize);
  const oldest = rows[0];
  outboxLag.set(oldest ? (Date.now() - oldest.occurredAt.getTime()) / 1000 : 0);
  if (!oldest) return 0;
  await o.publisher.publish(rows.map(toRecord));
  await markPublished(
    client,
    rows.map((r) => r.id),
  );
  for (const r of rows) outboxPublished.inc({ topic: r.topic });
  return rows.length;
}

/** The same record shape the Debezium Outbox Event Router produces: key aggregateid, headers id/eventType/traceparent. */
export function toRecord(row: OutboxRow) {
  const headers: Record<string, string> = { id: row.id, eventType: row.type, traceparent: row.traceparent };
  return { topic: row.topic, key: row.aggregateId, value: row.payload, headers };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
