import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EVENT_TOPICS } from "../../core/infra/topics.ts";
import { api } from "../helpers/api.ts";
import { testDb } from "../helpers/db.ts";
import { EventLog } from "../helpers/event-log.ts";
import { createMixedPayments, expectChargedAndAnnouncedOnce } from "../helpers/mixed-payments.ts";
import { type ServiceProcess, spawnService, waitForHttp } from "../helpers/service-process.ts";
import { eventually } from "../helpers/wait.ts";

// Its own ingress + processor pair on a private command topic and group, so killing this processor
// touches nothing else in the run.
const run = randomUUID().slice(0, 8);
// Overridable so that two runs on one machine do not collide.
const PORT = process.env.PAYMENTS_TEST_CRASH_PORT ?? "18091";
const PROCESSOR_PORT = process.env.PAYMENTS_TEST_CRASH_PROCESSOR_PORT ?? "19491";
const baseUrl = `http://127.0.0.1:${PORT}`;
const env = {
  COMMAND_TOPIC: `test.crash.${run}.payment.commands.v1`,
  COMMAND_DLQ_TOPIC: `test.crash.${run}.payment.commands.dlq.v1`,
  PROCESSOR_GROUP_ID: `test-crash-${run}`,
  // Its webhook consumer too, so killing it never stalls the main service's webhook partitions.
  WEBHOOK_TOPIC: `test.crash.${run}.payment.webhooks.v1`,
  WEBHOOK_GROUP_ID: `test-crash-webhooks-${run}`,
  REPLY_TIMEOUT_MS: "4000",
  // The run's shared service already runs a janitor over the same database.
  JANITOR_ENABLED: "false",
};
const PAYMENTS = 30;

let ingress: ServiceProcess;
let processor: ServiceProcess;
const events = new EventLog();

const startProcessor = async (n: number) => {
  const p = spawnService(
    "processors/main.ts",
    { ...env, PROCESSOR_HTTP_PORT: PROCESSOR_PORT },
    `test-crash-processor-${n}`,
  );
  await waitForHttp(`http://127.0.0.1:${PROCESSOR_PORT}/healthz`, 60_000, p.child);
  return p;
};

beforeAll(async () => {
  await events.start([EVENT_TOPICS.authorized, EVENT_TOPICS.captured]);
  ingress = spawnService("http-ingress/main.ts", { ...env, PORT }, "test-crash-ingress");
  processor = await startProcessor(1);
  await waitForHttp(`${baseUrl}/readyz`, 60_000, ingress.child);
}, 120_000);

afterAll(async () => {
  await Promise.all([ingress?.stop(), processor?.stop()]);
  await events.stop();
});

describe("processor crash (SIGKILL) in the middle of a stream of confirms", () => {
  it("ends every payment in exactly one terminal state, with one outcome event and one PSP charge", async () => {
    // Slow PSP answers for a third of them, so the kill lands while PSP calls are in flight.
    const ids = await createMixedPayments(PAYMENTS, baseUrl);

    const confirms = ids.map((id, i) =>
      new Promise((r) => setTimeout(r, i * 40)).then(() =>
        api.post(`/payments/${id}/confirm`, {}, { baseUrl }),
      ),
    );
    await new Promise((r) => setTimeout(r, (PAYMENTS * 40) / 2));
    await processor.stop("SIGKILL");
    await new Promise((r) => setTimeout(r, 1_000));
    processor = await startProcessor(2);
    const answers = await Promise.all(confirms);
    for (const a of answers) expect([200, 202]).toContain(a.status);

    const deadline = Date.now() + 60_000;
    let rows: Array<{ payment_id: string; status: string }> = [];
    while (Date.now() < deadline) {
      rows = (
        await testDb().query("SELECT payment_id, status FROM payments WHERE payment_id = ANY($1::uuid[])", [
          ids,
        ])
      ).rows;
      if (rows.every((r) => r.status === "succeeded")) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(rows.filter((r) => r.status !== "succeeded")).toEqual([]);

    await expectChargedAndAnnouncedOnce(ids, events);
    // Every confirm gets its answer too: a copy redelivered after the crash waits for the dead
    // processor's claim to lapse (COMMAND_CLAIM_LEASE_MS), then finds its attempt settled and replies.
    const replied = await eventually(
      "a reply to every confirm",
      async () => {
        const { rows } = await testDb().query(
          "SELECT count(*)::int AS n FROM processed_commands WHERE payment_id = ANY($1::uuid[]) AND command_type = 'confirm'",
          [ids],
        );
        return rows[0].n === PAYMENTS ? rows[0].n : undefined;
      },
      60_000,
    );
    expect(replied).toBe(PAYMENTS);
  }, 180_000);
});
