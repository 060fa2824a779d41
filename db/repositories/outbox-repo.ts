import type { Queryable } from "../pool.ts";
import { write } from "../write-behind.ts";
import type { LeaseTerm } from "./relay-lease-repo.ts";

interface OutboxEventFields {
  id: string;
  aggregateId: string;
  type: string;
  topic: string;
  traceparent: string;
  occurredAt: Date;
  publisher: "relay" | "debezium";
}

/**
 * A row to write. Outcome events are encoded only once their per-payment sequence number is known
 * (`encode`, called by insertOutboxEvents); other rows carry a finished payload.
 */
export type OutboxEvent = EncodedOutboxEvent | (OutboxEventFields & { encode: (sequence: number) => Buffer });
export type EncodedOutboxEvent = OutboxEventFields & { payload: Buffer };

export interface OutboxRow extends Omit<OutboxEventFields, "publisher"> {
  seq: string;
  payload: Buffer;
}

/**
 * Writes outbox rows in the caller's transaction. Events that need a sequence number take the next
 * numbers of their payment's counter (payment_index.event_sequence) in the order given; the counter's
 * row stays locked until COMMIT, so a payment's numbers follow commit order without gaps.
 */
export async function insertOutboxEvents(
  db: Queryable,
  events: readonly OutboxEvent[],
  /** Numbers already taken for one payment's events (updatePaymentTakingSequence). */
  taken?: TakenSequence,
): Promise<void> {
  if (events.length === 0) return;
  const next = await allocateSequences(db, events, taken);
  // One multi-row INSERT, its rows in the order given (seq follows it).
  const rows = events.map((_, i) => {
    const p = (column: number) => `$${i * 8 + column}`;
    return `(${p(1)}, 'payment', ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}, ${p(7)}, ${p(8)})`;
  });
  await write(db, {
    name: `outbox_insert_${events.length}`,
    text: `INSERT INTO payment_outbox (id, aggregatetype, aggregateid, type, topic, payload, traceparent, occurred_at,
             publisher)
           VALUES ${rows.join(", ")}`,
    values: events.flatMap((e) => [
      e.id,
      e.aggregateId,
      e.type,
      e.topic,
      "payload" in e ? e.payload : e.encode(next(e.aggregateId)),
      e.traceparent,
      e.occurredAt,
      e.publisher,
    ]),
  });
}

export interface TakenSequence {
  paymentId: string;
  firstSequence: number;
  count: number;
}

/** Reserves, per payment, as many numbers as it has events to encode; returns a dispenser. */
async function allocateSequences(
  db: Queryable,
  events: readonly OutboxEvent[],
  taken?: TakenSequence,
): Promise<(paymentId: string) => number> {
  const counts = new Map<string, number>();
  for (const e of events) if ("encode" in e) counts.set(e.aggregateId, (counts.get(e.aggregateId) ?? 0) + 1);
  const nextByPayment = new Map<string, number>();
  if (taken) {
    if (counts.get(taken.paymentId) !== taken.count)
      throw new Error(
        `${taken.count} event numbers taken for ${taken.paymentId}, ${counts.get(taken.paymentId) ?? 0} events`,
      );
    nextByPayment.set(taken.paymentId, taken.firstSequence);
    counts.delete(taken.paymentId);
  }
  // Sorted, so two transactions that touch the same payments lock them in the same order.
  for (const [paymentId, count] of [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const { rows } = await db.query<{ last: string }>({
      name: "payment_event_sequence_take",
      text: `UPDATE payment_index SET event_sequence = event_sequence + $2 WHERE payment_id = $1
             RETURNING event_sequence AS last`,
      values: [paymentId, count],
    });
    const last = rows[0]?.last;
    if (last === undefined) throw new Error(`no payment ${paymentId} to number its events`);
    nextByPayment.set(paymentId, Number(last) - count + 1);
  }
  return (paymentId) => {
    const n = nextByPayment.get(paymentId);
    if (n === undefined) throw new Error(`no sequence reserved for ${paymentId}`);
    nextByPayment.set(paymentId, n + 1);
    return n;
  };
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

/**
 * Age in seconds of the oldest relay row not yet published (0 when none): the first row of the partial
 * index the relay reads, so it costs one index probe however long the backlog is.
 */
export async function oldestUnpublishedAgeSeconds(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ age: string }>({
    name: "outbox_oldest_unpublished_age",
    text: `SELECT EXTRACT(EPOCH FROM now() - occurred_at)::text AS age FROM payment_outbox
           WHERE published_at IS NULL AND publisher = 'relay' ORDER BY seq LIMIT 1`,
  });
  return rows[0] ? Math.max(0, Number(rows[0].age)) : 0;
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

/** An outbox row as the ops console's timeline shows it: what was emitted and whether it left. */
export interface OutboxRecord {
  id: string;
  type: string;
  topic: string;
  publisher: string;
  occurredAt: Date;
  publishedAt: Date | null;
}

/**
 * A payment's events still in the outbox (retention removes them after a day). There is no index on
 * aggregateid, on purpose: the outbox is the hottest insert path. The payment's creation time bounds
 * the scan through the occurred_at index instead, which is cheap for the recent payments people look at.
 */
export async function listOutboxOfPayment(
  db: Queryable,
  paymentId: string,
  since: Date,
): Promise<OutboxRecord[]> {
  const { rows } = await db.query<OutboxRecord>({
    name: "outbox_of_payment",
    text: `SELECT id, type, topic, publisher, occurred_at AS "occurredAt", published_at AS "publishedAt"
           FROM payment_outbox WHERE occurred_at >= $2 AND aggregateid = $1 ORDER BY seq`,
    values: [paymentId, since],
  });
  return rows;
}
