import type { Queryable } from "../pool.ts";
import type { LeaseTerm } from "./relay-lease-repo.ts";

export interface OutboxEvent {
  id: string;
  aggregateId: string;
  type: string;
  topic: string;
  payload: Buffer;
  traceparent: string;
  occurredAt: Date;
  publisher: "relay" | "debezium";
}

export interface OutboxRow extends Omit<OutboxEvent, "publisher"> {
  seq: string;
}

export async function insertOutboxEvents(db: Queryable, events: readonly OutboxEvent[]): Promise<void> {
  for (const e of events) {
    await db.query({
      name: "outbox_insert",
      text: `INSERT INTO payment_outbox (id, aggregatetype, aggregateid, type, topic, payload, traceparent, occurred_at,
               publisher)
             VALUES ($1, 'payment', $2, $3, $4, $5, $6, $7, $8)`,
      values: [e.id, e.aggregateId, e.type, e.topic, e.payload, e.traceparent, e.occurredAt, e.publisher],
    });
  }
}

interface OutboxDbRow {
  id: string;
  seq: string;
  aggregateid: string;
  type: string;
  topic: string;
  payload: Buffer;
  traceparent: string;
  occurred_at: Date;
}

const OUTBOX_COLUMNS = "id, seq, aggregateid, type, topic, payload, traceparent, occurred_at";

const toOutboxRow = (r: OutboxDbRow): OutboxRow => ({
  id: r.id,
  seq: r.seq,
  aggregateId: r.aggregateid,
  type: r.type,
  topic: r.topic,
  payload: r.payload,
  traceparent: r.traceparent,
  occurredAt: r.occurred_at,
});

export async function fetchUnpublished(db: Queryable, limit: number): Promise<OutboxRow[]> {
  const { rows } = await db.query<OutboxDbRow>({
    name: "outbox_unpublished",
    text: `SELECT ${OUTBOX_COLUMNS} FROM payment_outbox
           WHERE published_at IS NULL AND publisher = 'relay' ORDER BY seq LIMIT $1`,
    values: [limit],
  });
  return rows.map(toOutboxRow);
}

/** Rows by id in commit order, as the relay would read them. */
export async function findOutboxRows(db: Queryable, ids: readonly string[]): Promise<OutboxRow[]> {
  const { rows } = await db.query<OutboxDbRow>({
    name: "outbox_by_ids",
    text: `SELECT ${OUTBOX_COLUMNS} FROM payment_outbox WHERE id = ANY($1::uuid[]) ORDER BY seq`,
    values: [ids],
  });
  return rows.map(toOutboxRow);
}

/**
 * Marks rows published under a lease term, or refuses when that term is over: the lease row is locked
 * FOR SHARE, so a takeover waits for this mark or this mark sees the new epoch, never both.
 * Returns false when fenced (nothing was marked).
 */
export async function markPublished(
  db: Queryable,
  ids: readonly string[],
  term: LeaseTerm,
): Promise<boolean> {
  const { rows } = await db.query<{ held: boolean }>({
    name: "outbox_mark_published",
    text: `WITH lease AS (
             SELECT epoch FROM outbox_relay_lease WHERE name = $2 AND epoch = $3 AND expires_at > now() FOR SHARE
           ), marked AS (
             UPDATE payment_outbox SET published_at = now(), published_epoch = $3
             WHERE id = ANY($1::uuid[]) AND EXISTS (SELECT 1 FROM lease) RETURNING 1
           )
           SELECT EXISTS (SELECT 1 FROM lease) AS held, (SELECT count(*) FROM marked) AS marked`,
    values: [ids, term.name, term.epoch],
  });
  return rows[0]?.held === true;
}

/**
 * Retention: relay rows go once published and older than the window; Debezium rows once older than the
 * window (the connector reads the WAL, not the table). Unpublished relay rows are never deleted.
 */
export async function deletePublishedBefore(db: Queryable, olderThanMs: number): Promise<number> {
  const { rowCount } = await db.query({
    name: "outbox_retention",
    text: `DELETE FROM payment_outbox WHERE occurred_at < now() - make_interval(secs => $1 / 1000.0)
           AND (published_at IS NOT NULL OR publisher = 'debezium')`,
    values: [olderThanMs],
  });
  return rowCount ?? 0;
}
