import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api } from "../helpers/api.ts";
import { closeTestDb, testDb } from "../helpers/db.ts";
import { newPaymentBody } from "../helpers/factories.ts";
import { type ServiceProcess, spawnService, waitForHttp } from "../helpers/service-process.ts";

// Build item 9: once a command may have reached Kafka, a 5xx must not free its Idempotency-Key for a
// new command (a new PSP attempt: a possible second charge). A whole service runs here with the fraud
// service unreachable, so the processor answers 503 for a confirm above the fallback limit.
const run = randomUUID().slice(0, 8);
const base = Number(process.env.PAYMENTS_TEST_PORT ?? "18080");
const PORT = String(base + 7);
const baseUrl = `http://127.0.0.1:${PORT}`;
let service: ServiceProcess;
let fraud: ServiceProcess | undefined;
let fraudPort: number;

/** A local port with nothing listening: connection refused, the fraud service is down. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === "string") throw new Error("no port");
  return address.port;
}

beforeAll(async () => {
  fraudPort = await closedPort();
  service = spawnService(
    "scripts/start.ts",
    {
      PORT,
      PROCESSOR_HTTP_PORT: String(base + 8),
      FRAUD_API_BASE: `http://127.0.0.1:${fraudPort}`,
      JANITOR_ENABLED: "false",
      COMMAND_TOPIC: `test.idem5xx.${run}.payment.commands.v1`,
      COMMAND_DLQ_TOPIC: `test.idem5xx.${run}.payment.commands.dlq.v1`,
      PROCESSOR_GROUP_ID: `test-idem5xx-${run}`,
      ORDER_GROUP_ID: `test-idem5xx-orders-${run}`,
      WEBHOOK_TOPIC: `test.idem5xx.${run}.payment.webhooks.v1`,
      WEBHOOK_GROUP_ID: `test-idem5xx-webhooks-${run}`,
    },
    "test-idempotency-5xx-service",
  );
  await waitForHttp(`${baseUrl}/readyz`, 90_000, service.child);
}, 120_000);

afterAll(async () => {
  await service?.stop();
  await fraud?.stop();
  await closeTestDb();
});

describe("Idempotency-Key after a 5xx", () => {
  it("keeps the key on its command; a processor 503 (nothing done) lets the retry run once the dependency is back", async () => {
    // Above FRAUD_FALLBACK_MAX_MINOR (500.00): without a fraud score the processor refuses with 503.
    const created = await api.post("/payments", newPaymentBody({ amount: "900.00" }), { baseUrl });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const paymentId = created.body.payment_id as string;
    const key = `confirm-${randomUUID()}`;
    const confirm = () =>
      api.post(`/payments/${paymentId}/confirm`, {}, { baseUrl, headers: { "idempotency-key": key } });
    const keyCommand = async () =>
      (await testDb().query("SELECT command_id FROM idempotency_keys WHERE idempotency_key = $1", [key]))
        .rows[0]?.command_id as string | undefined;

    const first = await confirm();
    expect(first.status, JSON.stringify(first.body)).toBe(503);
    expect(first.headers.get("retry-after")).not.toBeNull();
    const firstCommand = await keyCommand();
    expect(firstCommand, "the key is kept").toBeDefined();
    const { rows: firstReply } = await testDb().query(
      "SELECT result FROM processed_commands WHERE command_id = $1",
      [firstCommand],
    );
    expect(firstReply).toEqual([{ result: "rejected.unavailable" }]);

    // The fraud service comes back on the address the service was given.
    fraud = spawnService(
      "simulators/fraud/main.ts",
      { PORT: String(fraudPort) },
      "test-idempotency-5xx-fraud",
    );
    await waitForHttp(`http://127.0.0.1:${fraudPort}/health`, 30_000, fraud.child);

    const retry = await confirm();
    expect(retry.status, JSON.stringify(retry.body)).toBe(200);
    expect(retry.body.status).toBe("succeeded");
    // The 503'd command did nothing, so the retry ran as a new command under the same key, once.
    const secondCommand = await keyCommand();
    expect(secondCommand).not.toBe(firstCommand);
    const { rows: stored } = await testDb().query(
      "SELECT command_id, result FROM processed_commands WHERE payment_id = $1 AND command_type = 'confirm' ORDER BY processed_at",
      [paymentId],
    );
    expect(stored).toEqual([
      { command_id: firstCommand, result: "rejected.unavailable" },
      { command_id: secondCommand, result: "payment.settled" },
    ]);
    const { rows: attempts } = await testDb().query(
      "SELECT count(*)::int AS n FROM payment_attempts WHERE payment_id = $1",
      [paymentId],
    );
    expect(attempts[0]?.n).toBe(1);

    // From now on the key replays the final answer.
    const replay = await confirm();
    expect(replay.status).toBe(200);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.body).toEqual(retry.body);
  });
});
