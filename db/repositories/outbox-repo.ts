import type { Queryable } from "../pool.ts";

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

export async function markPublished(db: Queryable, ids: readonly string[]): Promise<void> {
  await db.query({
    name: "outbox_mark_published",
    text: "UPDATE payment_outbox SET published_at = now() WHERE id = ANY($1::uuid[])",
    values: [ids],
  });
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
