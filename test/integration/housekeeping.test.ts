import { randomUUID } from "node:crypto";
import { pino } from "pino";
import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../core/infra/config.ts";
import { deleteProcessedPspEvents } from "../../db/repositories/psp-events-repo.ts";
import { housekeepingSettingsFrom, runHousekeeping } from "../../processors/housekeeping.ts";
import { closeTestDb, testDb } from "../helpers/db.ts";

afterAll(closeTestDb);

const WEEK_MS = 7 * 24 * 3_600_000;

describe("webhook inbox retention", () => {
  it("drops processed events older than the window and keeps recent or unprocessed ones", async () => {
    const db = testDb();
    const [old, recent, unprocessedOld] = [randomUUID(), randomUUID(), randomUUID()];
    await db.query(
      `INSERT INTO processed_psp_events (psp, event_id, event_type, received_at, processed_at) VALUES
         ('stripe', $1, 'test.retention', now() - interval '8 days', now() - interval '8 days'),
         ('stripe', $2, 'test.retention', now() - interval '1 day', now() - interval '1 day'),
         ('stripe', $3, 'test.retention', now() - interval '8 days', NULL)`,
      [old, recent, unprocessedOld],
    );
    expect(await deleteProcessedPspEvents(db, WEEK_MS)).toBeGreaterThanOrEqual(1);
    const { rows } = await db.query(
      "SELECT event_id FROM processed_psp_events WHERE event_id = ANY($1) ORDER BY event_id",
      [[old, recent, unprocessedOld]],
    );
    expect(rows.map((r) => r.event_id).sort()).toEqual([recent, unprocessedOld].sort());
    await db.query("DELETE FROM processed_psp_events WHERE event_id = ANY($1)", [[recent, unprocessedOld]]);
  });
});

describe("housekeeping's webhook inbox retention", () => {
  it("keeps dedupe rows for at least 30 days (Adyen redelivers for 30) and drops them after 35", async () => {
    const db = testDb();
    const [monthOld, expired] = [randomUUID(), randomUUID()];
    await db.query(
      `INSERT INTO processed_psp_events (psp, event_id, event_type, received_at, processed_at) VALUES
         ('adyen', $1, 'test.retention', now() - interval '30 days 1 hour', now() - interval '30 days 1 hour'),
         ('adyen', $2, 'test.retention', now() - interval '36 days', now() - interval '36 days')`,
      [monthOld, expired],
    );
    // The configured default: the retention the service runs with unless told otherwise.
    const settings = housekeepingSettingsFrom(loadConfig({ NODE_ENV: "test" }));
    await runHousekeeping(db, pino({ level: "silent" }), settings);
    const { rows } = await db.query("SELECT event_id FROM processed_psp_events WHERE event_id = ANY($1)", [
      [monthOld, expired],
    ]);
    expect(rows.map((r) => r.event_id)).toEqual([monthOld]);
    await db.query("DELETE FROM processed_psp_events WHERE event_id = $1", [monthOld]);
  });
});
