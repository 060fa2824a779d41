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
  service = spawnService(
    "scripts/start.ts",
    {
      PORT,
      PROCESSOR_HTTP_PORT: String(base + 8),
      FRAUD_API_BASE: `http://127.0.0.1:${await closedPort()}`,
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
  await closeTestDb();
});

describe("Idempotency-Key after a 5xx", () => {
  it("stays bound to the command that got the 5xx: a retry answers that command's outcome", async () => {
    // Above FRAUD_FALLBACK_MAX_MINOR (500.00): without a fraud score the processor refuses with 503.
    const created = await api.post("/payments", newPaymentBody({ amount: "900.00" }), { baseUrl });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const paymentId = created.body.payment_id as string;
    const key = `confirm-${randomUUID()}`;
    const confirm = () =>
      api.post(`/payments/${paymentId}/confirm`, {}, { baseUrl, headers: { "idempotency-key": key } });

    const first = await confirm();
    expect(first.status, JSON.stringify(first.body)).toBe(503);
    expect(first.headers.get("retry-after")).not.toBeNull();
    const { rows: keys } = await testDb().query(
      "SELECT command_id FROM idempotency_keys WHERE idempotency_key = $1",
      [key],
    );
    const commandId = keys[0]?.command_id as string | undefined;
    expect(commandId, "the key is kept").toBeDefined();

    const retry = await confirm();
    const { rows: stored } = await testDb().query(
      "SELECT command_id, http_status, response FROM processed_commands WHERE payment_id = $1 AND command_type = 'confirm'",
      [paymentId],
    );
    // One confirm command ever ran for this key, and the retry answered exactly its stored reply.
    expect(stored.map((r) => r.command_id)).toEqual([commandId]);
    expect(retry.status).toBe(stored[0]?.http_status);
    expect(retry.body).toEqual(stored[0]?.response);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    const { rows: attempts } = await testDb().query(
      "SELECT count(*)::int AS n FROM payment_attempts WHERE payment_id = $1",
      [paymentId],
    );
    expect(attempts[0]?.n).toBe(0);
  });
});
