import { randomUUID } from "node:crypto";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  deferPspEvent,
  finishPspEvent,
  markPspEventsPublished,
  recordPspEvent,
} from "../../db/repositories/psp-events-repo.ts";
import { unsettled, waitForQuiet } from "../../scripts/chaos/settle.ts";
import { privateDatabase } from "../helpers/private-database.ts";

let db: { pool: pg.Pool; drop(): Promise<void> };
beforeAll(async () => {
  db = await privateDatabase("chaos_settle");
}, 60_000);
afterAll(() => db?.drop());

/** Every outbox row counts as seen on Kafka: only the ledger decides here. */
const collector = { hasEvent: () => true };
const WAITING = /1 published webhook event\(s\) not applied yet/;

/** What the ingress writes for a verified webhook it accepted: the inbox row, then its Kafka ack. */
async function acceptWebhook(published: boolean) {
  const key = { psp: "adyen", eventId: `${randomUUID()}:CAPTURE:true`, type: "CAPTURE" };
  await recordPspEvent(db.pool, key);
  if (published) await markPspEventsPublished(db.pool, key.psp, [key.eventId]);
  return key;
}

describe("the fault campaign's quiescence", () => {
  // Seed 80: a killed processor's webhook partitions waited ~25 s for the group to rebalance (the
  // coordinator's broker was killed too, which restarted the dead member's session timeout). The
  // payments looked settled, the checks ran, and a captured payment's CAPTURE webhook was still in
  // the topic: a psp-ledger violation for a webhook that was only late.
  it("is not reached while a published webhook is not applied, waiting in Kafka or parked", async () => {
    await acceptWebhook(false); // not acknowledged by Kafka: the PSP redelivers it, nothing to wait for
    expect(await unsettled(db.pool, collector, [])).toEqual([]);

    const waiting = await acceptWebhook(true);
    expect(await unsettled(db.pool, collector, [])).toEqual([expect.stringMatching(WAITING)]);
    expect(await waitForQuiet(db.pool, collector, [], 1_500)).toEqual([expect.stringMatching(WAITING)]);

    await deferPspEvent(db.pool, waiting, { paymentId: randomUUID(), payload: {}, delayMs: 1_000 });
    expect(await unsettled(db.pool, collector, [])).toEqual([expect.stringMatching(WAITING)]);

    await finishPspEvent(db.pool, waiting, "applied", null);
    expect(await unsettled(db.pool, collector, [])).toEqual([]);
  });
});
