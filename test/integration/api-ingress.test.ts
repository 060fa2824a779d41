import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CommandResult, commandResult } from "../../core/domain/command-result.ts";
import type { PaymentCommand } from "../../core/domain/commands.ts";
import type { Currency } from "../../core/domain/currency.ts";
import { errors } from "../../core/domain/errors.ts";
import type { Payment } from "../../core/domain/payment.ts";
import type { PaymentStatus } from "../../core/domain/payment-status.ts";
import { AvroCodec } from "../../core/infra/avro-codec.ts";
import { decodeCommand } from "../../core/infra/command-codec.ts";
import { type Consumer, createConsumer, headerString, type IHeaders } from "../../core/infra/kafka.ts";
import { readCommandIntakes, saveCommandResult } from "../../db/repositories/commands-repo.ts";
import { insertPayment, updatePayment } from "../../db/repositories/payments-repo.ts";
import { requestHash } from "../../http-ingress/middleware/idempotency.ts";
import { intakeRequestOf } from "../../processors/command-intake.ts";
import { openCommand } from "../../processors/open-command.ts";
import { type ApiResponse, api } from "../helpers/api.ts";
import { closeTestDb, testDb } from "../helpers/db.ts";
import { newDomainPayment, newPaymentBody, nextOrderId } from "../helpers/factories.ts";
import { freePort } from "../helpers/free-port.ts";
import { OpenApiContract } from "../helpers/openapi-contract.ts";
import { type ServiceProcess, spawnService, waitForHttp } from "../helpers/service-process.ts";
import { stackEnv, testKafka } from "../helpers/stack-env.ts";
import { eventually } from "../helpers/wait.ts";

/**
 * The ingress alone, against real Postgres, Kafka and the registry, on a command topic no processor
 * reads. The test plays the processor: it reads the Avro commands off Kafka and writes replies into
 * processed_commands (with the NOTIFY the real processor sends), so every ingress path is
 * deterministic, including the reply timeout.
 */
let baseUrl = "";
let opsBaseUrl = "";
// A topic of this run's own: the tap reads from the beginning, and another run's commands (their
// vault rows in another database) are not ours to open.
const TOPIC = `payment.commands.ingress-test.${randomUUID().slice(0, 8)}.v1`;
const REPLY_TIMEOUT_MS = 3_000;
const LOG_NAME = "test-ingress-only";
/** This run's ingress output (the log file is shared with earlier runs). */
let ingressOutput = "";
const PAN = "4000 0566 5566 5556";

interface TappedCommand {
  /** As handlers see it: the token read back from the vault, PII opened. */
  command: PaymentCommand;
  /** As it travels on Kafka. */
  wire: PaymentCommand;
  key: string;
  headers: IHeaders;
}

/** Reads commands off the test topic, as the processor would. */
class CommandTap {
  private readonly seen: TappedCommand[] = [];
  private readonly codec = new AvroCodec(stackEnv.registryUrl);
  private consumer: Consumer | undefined;

  async start(): Promise<void> {
    this.consumer = createConsumer(testKafka("ingress-test-tap"), `ingress-test-${randomUUID()}`);
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [TOPIC] });
    await this.consumer.run({
      eachMessage: async ({ message }) => {
        const wire = await decodeCommand(this.codec, message.value);
        const [intake] = await readCommandIntakes(testDb(), [intakeRequestOf(wire)]);
        const command = openCommand(wire, intake?.vaultCiphertext ?? null);
        this.seen.push({ command, wire, key: message.key?.toString() ?? "", headers: message.headers ?? {} });
      },
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }

  all(match: (c: PaymentCommand) => boolean): TappedCommand[] {
    return this.seen.filter((t) => match(t.command));
  }

  async next(match: (c: PaymentCommand) => boolean, timeoutMs = 30_000): Promise<TappedCommand> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.seen.find((t) => match(t.command));
      if (found) return found;
      if (Date.now() > deadline) throw new Error("command never reached Kafka");
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

const tap = new CommandTap();
let ingress: ServiceProcess;
let contract: OpenApiContract;

/** Waits for a condition; fails (throws) when it does not hold within the time. */
async function until(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Calls the ingress and checks the answer against the served OpenAPI document. */
async function call(
  method: "GET" | "POST",
  template: string,
  path: string,
  body?: unknown,
  opts: Parameters<typeof api.request>[3] = {},
) {
  const options = { baseUrl, ...opts };
  const res = method === "POST" ? await api.post(path, body ?? {}, options) : await api.get(path, options);
  contract.assert(method, template, res);
  return res;
}

const reply = (tapped: TappedCommand, r: CommandResult) =>
  saveCommandResult(
    testDb(),
    { commandId: tapped.command.commandId, paymentId: tapped.command.paymentId, type: tapped.command.type },
    r,
  );

/** What a processor would decide for a create. */
function createdReply(c: PaymentCommand): CommandResult {
  if (c.type !== "create") throw new Error("not a create");
  return commandResult.payment(
    "created",
    newDomainPayment({
      paymentId: c.paymentId,
      orderId: String(c.body.order_id),
      amount: BigInt(c.body.amount_minor),
      currency: c.body.currency as Payment["currency"],
      captureMethod: c.body.capture_method as Payment["captureMethod"],
      psp: c.body.psp as Payment["psp"],
      cardBrand: null,
      cardLast4: null,
      metadata: c.body.metadata,
      createdAt: c.issuedAt,
      updatedAt: c.issuedAt,
    }),
  );
}

/** The API's payment object for that create, written out by hand from docs/api.md. */
function createdBody(c: PaymentCommand): Record<string, unknown> {
  if (c.type !== "create") throw new Error("not a create");
  const at = c.issuedAt.toISOString();
  return {
    payment_id: c.paymentId,
    order_id: c.body.order_id,
    amount: c.body.amount,
    currency: c.body.currency,
    status: "requires_confirmation",
    capture_method: c.body.capture_method,
    psp: c.body.psp,
    payment_method: { type: "card" },
    amount_capturable: "0.00",
    amount_captured: "0.00",
    amount_refunded: "0.00",
    metadata: c.body.metadata,
    created_at: at,
    updated_at: at,
  };
}

async function seedPayment(overrides: Partial<Payment> = {}): Promise<Payment> {
  const payment = newDomainPayment(overrides);
  await insertPayment(testDb(), payment);
  // The insert writes a new payment's columns only; amounts and status come from an update.
  return updatePayment(testDb(), payment);
}

const captured = (status: PaymentStatus = "succeeded") => ({
  status,
  amountCaptured: 1000n,
  amountCapturable: 0n,
});

async function keyRow(key: string) {
  const { rows } = await testDb().query("SELECT * FROM idempotency_keys WHERE idempotency_key = $1", [key]);
  return rows[0];
}

beforeAll(async () => {
  const port = String(await freePort());
  const opsPort = String(await freePort());
  opsBaseUrl = `http://127.0.0.1:${opsPort}`;
  baseUrl = `http://127.0.0.1:${port}`;
  ingress = spawnService(
    "http-ingress/main.ts",
    {
      PORT: port,
      INGRESS_OPS_PORT: opsPort,
      REPLY_TIMEOUT_MS: String(REPLY_TIMEOUT_MS),
      COMMAND_TOPIC: TOPIC,
      COMMAND_TOPIC_PARTITIONS: "3",
      LOG_LEVEL: "debug",
    },
    LOG_NAME,
  );
  ingress.child.stdout?.on("data", (chunk: Buffer) => {
    ingressOutput += chunk.toString("utf8");
  });
  await waitForHttp(`${baseUrl}/readyz`, 90_000, ingress.child);
  contract = await OpenApiContract.load(baseUrl);
  await tap.start();
  // Warm up until the tap reads new commands: a command sent before its group has its partitions and
  // offsets (reset to latest) is never seen, so one warm-up command is not proof enough.
  await eventually(
    "the tap to read new commands",
    async () => {
      const warm = await api.post("/payments", newPaymentBody(), { baseUrl });
      return tap.next((c) => c.paymentId === warm.body.payment_id, 5_000);
    },
    90_000,
    0,
  );
}, 150_000);

afterAll(async () => {
  await tap.stop();
  await ingress?.stop();
  await closeTestDb();
});

describe("commands and replies", () => {
  it("publishes an Avro create keyed by payment_id with trace headers, and answers the processor's reply as is", async () => {
    const body = newPaymentBody({
      amount: "49.99",
      metadata: { cart: "c-1" },
      customer_id: "cus_wire_1",
      description: "wire test",
    });
    const traceId = randomUUID().replaceAll("-", "");
    const pending = call("POST", "/payments", "/payments", body, {
      headers: { traceparent: `00-${traceId}-b7ad6b7169203331-01` },
    });
    const tapped = await tap.next((c) => c.type === "create" && c.body.order_id === body.order_id);
    expect(tapped.key).toBe(tapped.command.paymentId);
    expect(headerString(tapped.headers, "command_type")).toBe("create");
    expect(headerString(tapped.headers, "traceparent")).toMatch(
      new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`),
    );
    expect(tapped.command.body).toMatchObject({
      amount: "49.99",
      amount_minor: 4999,
      currency: "USD",
      metadata: { cart: "c-1" },
      customer_id: "cus_wire_1",
      description: "wire test",
      payment_method: { type: "card", token: "pm_card_visa" },
    });
    // On Kafka: a vault ref instead of the token, PII sealed (docs/security.md "Encryption at rest").
    const wire = tapped.wire.type === "create" ? tapped.wire.body : undefined;
    expect(wire?.payment_method).toMatchObject({ type: "card", token: "", vault_ref: expect.any(String) });
    expect(wire?.customer_id).toMatch(/^enc:v1:/);
    expect(wire?.description).toMatch(/^enc:v1:/);
    expect(wire?.metadata).toEqual({});
    expect(wire?.metadata_sealed).toMatch(/^enc:v1:/);
    await reply(tapped, createdReply(tapped.command));

    const res = await pending;
    expect(res.status).toBe(201);
    expect(res.headers.get("location")).toBe(`/payments/${tapped.command.paymentId}`);
    expect(res.body).toEqual(createdBody(tapped.command));
  });

  it("still gets a reply whose NOTIFY was lost, through the poll", async () => {
    const payment = await seedPayment();
    const pending = call("POST", "/payments/{payment_id}/cancel", `/payments/${payment.paymentId}/cancel`, {
      reason: "abandoned",
    });
    const tapped = await tap.next((c) => c.paymentId === payment.paymentId && c.type === "cancel");
    expect(tapped.command.body).toEqual({ reason: "abandoned" });
    // Written as processors stored replies before results were typed: an HTTP status and a body.
    await testDb().query(
      "INSERT INTO processed_commands (command_id, payment_id, command_type, http_status, response) VALUES ($1,$2,'cancel',409,$3)",
      [
        tapped.command.commandId,
        payment.paymentId,
        JSON.stringify({ error: { type: "state_error", code: "invalid_state", message: "nope" } }),
      ],
    );
    const res = await pending;
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("invalid_state");
  });

  it("answers 202 with the current payment and a Location when the processor is silent", async () => {
    const payment = await seedPayment();
    const started = Date.now();
    const res = await call(
      "POST",
      "/payments/{payment_id}/confirm",
      `/payments/${payment.paymentId}/confirm`,
      {
        payment_method: { type: "card", token: "pm_card_mastercard" },
      },
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(REPLY_TIMEOUT_MS - 100);
    expect(res.status).toBe(202);
    expect(res.headers.get("location")).toBe(`/payments/${payment.paymentId}`);
    expect(res.body).toMatchObject({
      payment_id: payment.paymentId,
      status: "requires_confirmation",
      amount: "10.00",
    });
    const [tapped] = tap.all((c) => c.paymentId === payment.paymentId);
    expect(tapped?.command).toMatchObject({
      type: "confirm",
      body: { payment_method: { type: "card", token: "pm_card_mastercard" } },
    });
  });

  it("answers a create with no reply as 202 processing, with the ids it will keep", async () => {
    const body = newPaymentBody({ amount: "5000", currency: "JPY", token: null });
    const res = await call("POST", "/payments", "/payments", body);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      order_id: body.order_id,
      status: "processing",
      amount: "5000",
      amount_captured: "0",
      payment_method: null,
    });
    expect(res.headers.get("location")).toBe(`/payments/${res.body.payment_id}`);
  });

  it("converts capture and refund amounts in the payment's currency, with a refund id derived per command", async () => {
    const payment = await seedPayment({
      currency: "JPY" as Currency,
      amount: 5000n,
      ...captured(),
      amountCaptured: 5000n,
    });
    const tooPrecise = await call(
      "POST",
      "/payments/{payment_id}/refund",
      `/payments/${payment.paymentId}/refund`,
      { amount: "10.5" },
    );
    expect(tooPrecise.status).toBe(422);
    expect(tooPrecise.body.error).toMatchObject({ code: "amount_too_precise", field: "amount" });

    const res = await call("POST", "/payments/{payment_id}/refund", `/payments/${payment.paymentId}/refund`, {
      amount: "1500",
      reason: "damaged",
    });
    expect(res.status).toBe(202);
    const [tapped] = tap.all((c) => c.paymentId === payment.paymentId && c.type === "refund");
    expect(tapped?.command.body).toMatchObject({ amount_minor: 1500, reason: "damaged" });
    expect(res.body).toMatchObject({
      refund_id: (tapped?.command.body as { refund_id?: string } | undefined)?.refund_id,
      payment_id: payment.paymentId,
      amount: "1500",
      currency: "JPY",
      status: "pending",
      reason: "damaged",
      processed_at: null,
    });

    const full = await call(
      "POST",
      "/payments/{payment_id}/refund",
      `/payments/${payment.paymentId}/refund`,
      {},
    );
    expect(full.body).toMatchObject({ amount: "5000", status: "pending" });
    const capture = await call(
      "POST",
      "/payments/{payment_id}/capture",
      `/payments/${payment.paymentId}/capture`,
      { amount: "700" },
    );
    expect(capture.status).toBe(202);
    const captures = tap.all((c) => c.paymentId === payment.paymentId && c.type === "capture");
    expect(captures[0]?.command.body).toEqual({ amount_minor: 700 });
  });
});

describe("reads", () => {
  it("returns one payment by UUID and an order's payments newest first", async () => {
    const orderId = String(nextOrderId());
    const older = await seedPayment({ orderId, createdAt: new Date(Date.now() - 60_000) });
    const newer = await seedPayment({ orderId, ...captured("partially_refunded"), amountRefunded: 250n });
    const one = await call("GET", "/payments/{ref}", `/payments/${newer.paymentId.toUpperCase()}`);
    expect(one.body).toMatchObject({
      payment_id: newer.paymentId,
      status: "partially_refunded",
      amount_refunded: "2.50",
    });
    const list = await call("GET", "/payments/{ref}", `/payments/${orderId}`);
    expect(list.body.map((p: { payment_id: string }) => p.payment_id)).toEqual([
      newer.paymentId,
      older.paymentId,
    ]);
  });

  it.each(["not-a-payment", "12ab", randomUUID()])("answers 404 for %s", async (ref) => {
    const res = await call("GET", "/payments/{ref}", `/payments/${ref}`);
    expect(res.status).toBe(404);
  });
});

describe("Idempotency-Key", () => {
  it("replays a completed create without publishing it again, and conflicts on other bodies or endpoints", async () => {
    const key = `create-${randomUUID()}`;
    const body = newPaymentBody();
    const first = call("POST", "/payments", "/payments", body, { idempotencyKey: key });
    const tapped = await tap.next((c) => c.type === "create" && c.body.order_id === body.order_id);
    expect(tapped.command.idempotencyKey).toBe(key);
    await reply(tapped, createdReply(tapped.command));
    const original = await first;
    expect(original.status).toBe(201);

    const reordered = Object.fromEntries(Object.entries(body).reverse());
    const replayed = await call("POST", "/payments", "/payments", reordered, { idempotencyKey: key });
    expect(replayed.status).toBe(201);
    expect(replayed.headers.get("idempotent-replayed")).toBe("true");
    expect(replayed.headers.get("location")).toBe(original.headers.get("location"));
    expect(replayed.body).toEqual(original.body);
    expect(tap.all((c) => c.type === "create" && c.body.order_id === body.order_id)).toHaveLength(1);

    const changed = await call(
      "POST",
      "/payments",
      "/payments",
      { ...body, amount: "10.01" },
      { idempotencyKey: key },
    );
    expect(changed.status).toBe(409);
    expect(changed.body.error).toMatchObject({ type: "idempotency_error", code: "idempotency_conflict" });

    const payment = await seedPayment();
    const elsewhere = await call(
      "POST",
      "/payments/{payment_id}/confirm",
      `/payments/${payment.paymentId}/confirm`,
      body,
      {
        idempotencyKey: key,
      },
    );
    expect(elsewhere.status).toBe(422); // validation runs first: an invalid body never touches the key
    const otherEndpoint = await call(
      "POST",
      "/payments/{payment_id}/cancel",
      `/payments/${payment.paymentId}/cancel`,
      {},
      {
        idempotencyKey: key,
      },
    );
    expect(otherEndpoint.status).toBe(409);
    expect(otherEndpoint.body.error.code).toBe("idempotency_conflict");
  });

  it("answers 409 while the first request with the key is still in flight, then replays its 202", async () => {
    const key = `inflight-${randomUUID()}`;
    const body = newPaymentBody();
    const first = call("POST", "/payments", "/payments", body, { idempotencyKey: key });
    await tap.next((c) => c.type === "create" && c.body.order_id === body.order_id);
    const second = await call("POST", "/payments", "/payments", body, { idempotencyKey: key });
    expect(second.status).toBe(409);
    expect(second.body.error).toMatchObject({ type: "idempotency_error", code: "idempotency_key_in_use" });
    expect(second.body.error.message).toMatch(/in progress/);
    expect(second.headers.get("retry-after")).toBe("1");

    const accepted = await first;
    expect(accepted.status).toBe(202);
    const replay = await call("POST", "/payments", "/payments", body, { idempotencyKey: key });
    expect(replay.status).toBe(202);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.body.payment_id).toBe(accepted.body.payment_id);
  });

  it("replays the final outcome once it arrives after a 202, and stores it", async () => {
    const key = `late-${randomUUID()}`;
    const body = newPaymentBody();
    const accepted = await call("POST", "/payments", "/payments", body, { idempotencyKey: key });
    expect(accepted.status).toBe(202);
    const tapped = await tap.next((c) => c.type === "create" && c.body.order_id === body.order_id);
    await reply(tapped, createdReply(tapped.command));

    const replay = await call("POST", "/payments", "/payments", body, { idempotencyKey: key });
    expect(replay.status).toBe(201);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.body.payment_id).toBe(accepted.body.payment_id);
    expect(await keyRow(key)).toMatchObject({ state: "completed", response_status: 201 });
  });

  it("runs a retry anew when the command first answered 202 was then refused with 503 (nothing done)", async () => {
    const payment = await seedPayment({ status: "requires_capture", amountCapturable: 1000n });
    const path = `/payments/${payment.paymentId}/capture`;
    const key = `late-refusal-${randomUUID()}`;
    const isCapture = (c: PaymentCommand) => c.paymentId === payment.paymentId && c.type === "capture";
    const accepted = await call("POST", "/payments/{payment_id}/capture", path, {}, { idempotencyKey: key });
    expect(accepted.status).toBe(202);
    const first = await tap.next(isCapture);
    await reply(
      first,
      commandResult.rejected(errors.pspUnavailable("psp_configuration_error", "refused our configuration")),
    );

    const retried = call("POST", "/payments/{payment_id}/capture", path, {}, { idempotencyKey: key });
    await until(() => tap.all(isCapture).length === 2);
    const second = tap.all(isCapture)[1];
    if (!second) throw new Error("unreachable");
    expect(second.command.commandId).not.toBe(first.command.commandId);
    await reply(second, commandResult.rejected(errors.captureExceedsAuthorized()));
    expect((await retried).status).toBe(409);
    expect(await keyRow(key)).toMatchObject({
      command_id: second.command.commandId,
      state: "completed",
      response_status: 409,
    });
  });

  it("resumes a key abandoned by a crashed ingress with the same command and payment ids", async () => {
    const key = `crashed-${randomUUID()}`;
    const body = newPaymentBody();
    const [commandId, paymentId] = [randomUUID(), randomUUID()];
    await testDb().query(
      `INSERT INTO idempotency_keys (merchant_id, idempotency_key, method, path, request_hash, command_id, payment_id, state, locked_until, expires_at)
       VALUES ('mer_tests', $1, 'POST', '/payments', $2, $3, $4, 'in_flight', now() - interval '1 second', now() + interval '1 day')`,
      [key, requestHash("POST", "/payments", body), commandId, paymentId],
    );
    const pending = call("POST", "/payments", "/payments", body, { idempotencyKey: key });
    const tapped = await tap.next((c) => c.commandId === commandId);
    expect(tapped.command.paymentId).toBe(paymentId);
    await reply(tapped, createdReply(tapped.command));
    const res = await pending;
    expect(res.status).toBe(201);
    expect(res.body.payment_id).toBe(paymentId);
  });

  it("answers 409 for a key whose holder still has its lease", async () => {
    const key = `leased-${randomUUID()}`;
    const body = newPaymentBody();
    await testDb().query(
      `INSERT INTO idempotency_keys (merchant_id, idempotency_key, method, path, request_hash, command_id, payment_id, state, locked_until, expires_at)
       VALUES ('mer_tests', $1, 'POST', '/payments', $2, $3, $4, 'in_flight', now() + interval '1 minute', now() + interval '1 day')`,
      [key, requestHash("POST", "/payments", body), randomUUID(), randomUUID()],
    );
    const res = await call("POST", "/payments", "/payments", body, { idempotencyKey: key });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("idempotency_key_in_use");
  });

  it("reuses an expired key for a new request", async () => {
    const key = `expired-${randomUUID()}`;
    await testDb().query(
      `INSERT INTO idempotency_keys (merchant_id, idempotency_key, method, path, request_hash, command_id, state, response_status, response_body,
         locked_until, expires_at)
       VALUES ('mer_tests', $1, 'POST', '/payments', $2, $3, 'completed', 201, '{}', now(), now() - interval '1 second')`,
      [key, "0".repeat(64), randomUUID()],
    );
    const res = await call("POST", "/payments", "/payments", newPaymentBody(), { idempotencyKey: key });
    expect(res.status).toBe(202);
    expect(res.headers.get("idempotent-replayed")).toBeNull();
  });

  it("keeps the key on its command after a 5xx; a processor's 503 (nothing done) lets the retry run anew", async () => {
    const payment = await seedPayment({ status: "requires_capture", amountCapturable: 1000n });
    const path = `/payments/${payment.paymentId}/capture`;
    const key = `unavailable-${randomUUID()}`;
    const isCapture = (c: PaymentCommand) => c.paymentId === payment.paymentId && c.type === "capture";
    const unavailable = commandResult.rejected(
      errors.pspUnavailable("psp_unavailable", "The stripe payment processor is unavailable"),
    );
    const first = call("POST", "/payments/{payment_id}/capture", path, {}, { idempotencyKey: key });
    const tapped = await tap.next(isCapture);
    await reply(tapped, unavailable);
    const answered = await first;
    expect(answered.status).toBe(503);
    expect(answered.headers.get("retry-after")).toBe("1");
    expect(await keyRow(key)).toMatchObject({ command_id: tapped.command.commandId, state: "in_flight" });

    // While that command has no reply (a processor that will run it again), a retry re-sends the same
    // command id: it may have reached Kafka, and a new command would be a new PSP attempt.
    await testDb().query("DELETE FROM processed_commands WHERE command_id = $1", [tapped.command.commandId]);
    const resumed = call("POST", "/payments/{payment_id}/capture", path, {}, { idempotencyKey: key });
    await until(() => tap.all(isCapture).length === 2);
    const resent = tap.all(isCapture)[1];
    expect(resent?.command.commandId).toBe(tapped.command.commandId);
    if (!resent) throw new Error("unreachable");
    await reply(resent, unavailable);
    expect((await resumed).status).toBe(503);

    // Its reply is the processor's 503: nothing was done, so the next retry runs as a new command.
    const retried = call("POST", "/payments/{payment_id}/capture", path, {}, { idempotencyKey: key });
    await until(() => tap.all(isCapture).length === 3);
    const fresh = tap.all(isCapture)[2];
    if (!fresh) throw new Error("unreachable");
    expect(fresh.command.commandId).not.toBe(tapped.command.commandId);
    expect(await keyRow(key)).toMatchObject({ command_id: fresh.command.commandId });
    await reply(fresh, commandResult.rejected(errors.captureExceedsAuthorized()));
    expect((await retried).status).toBe(409);

    // From then on the final answer is replayed and nothing more is published.
    const replay = await call("POST", "/payments/{payment_id}/capture", path, {}, { idempotencyKey: key });
    expect(replay).toMatchObject({ status: 409, body: { error: { code: "capture_exceeds_authorized" } } });
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(tap.all(isCapture)).toHaveLength(3);
  });

  it("does not spend the key on a request refused by validation", async () => {
    const key = `invalid-${randomUUID()}`;
    const invalid = await call("POST", "/payments", "/payments", newPaymentBody({ amount: "1.001" }), {
      idempotencyKey: key,
    });
    expect(invalid.status).toBe(422);
    const valid = await call("POST", "/payments", "/payments", newPaymentBody(), { idempotencyKey: key });
    expect(valid.status).toBe(202);
  });
});

describe("refusals", () => {
  it.each([
    ["malformed JSON", '{"order_id": ', "application/json", 400, "invalid_json"],
    ["a form body", "order_id=1", "application/x-www-form-urlencoded", 415, "unsupported_media_type"],
  ])("refuses %s", async (_name, rawBody, contentType, status, code) => {
    const res = await call("POST", "/payments", "/payments", undefined, {
      rawBody,
      headers: { "content-type": contentType },
    });
    expect(res).toMatchObject({ status, body: { error: { code } } });
  });

  it("refuses a body over 64 KiB with 413, and a bodiless POST without Content-Type with 415", async () => {
    const res = await call(
      "POST",
      "/payments",
      "/payments",
      newPaymentBody({ description: "x".repeat(70_000) }),
    );
    expect(res).toMatchObject({ status: 413, body: { error: { code: "payload_too_large" } } });
    const payment = await seedPayment();
    const bare = await api.request("POST", `/payments/${payment.paymentId}/cancel`, undefined, { baseUrl });
    contract.assert("POST", "/payments/{payment_id}/cancel", bare);
    expect(bare).toMatchObject({ status: 415, body: { error: { code: "unsupported_media_type" } } });
  });

  it("refuses card data in a header or in other digits and separators, writing and publishing nothing", async () => {
    const fullwidth = [..."4000056655665556"].map((d) => String.fromCodePoint(0xff10 + Number(d))).join("");
    const key = `order-4000.0566.5566.5556-${randomUUID()}`;
    const inKey = newPaymentBody();
    const headerRefusal = await call("POST", "/payments", "/payments", inKey, { idempotencyKey: key });
    expect(headerRefusal).toMatchObject({
      status: 422,
      body: { error: { code: "pan_not_allowed", field: "idempotency-key" } },
    });
    const inDigits = newPaymentBody({ metadata: { note: `card ${fullwidth}` } });
    const bodyRefusal = await call("POST", "/payments", "/payments", inDigits);
    expect(bodyRefusal.body.error).toMatchObject({ code: "pan_not_allowed", field: "metadata.note" });
    expect(await keyRow(key)).toBeUndefined();

    // Published commands precede their answer, so once a later one is tapped the refused ones would be too.
    const marker = newPaymentBody();
    void call("POST", "/payments", "/payments", marker);
    await tap.next((c) => c.type === "create" && c.body.order_id === marker.order_id);
    const refusedOrders = [inKey.order_id, inDigits.order_id];
    expect(tap.all((c) => c.type === "create" && refusedOrders.includes(c.body.order_id))).toEqual([]);
    expect(ingressOutput).not.toContain(key);
    expect(ingressOutput).not.toContain(fullwidth);
  });

  it("refuses card data anywhere, and the card number never reaches the log", async () => {
    const payment = await seedPayment();
    const inMetadata = await call(
      "POST",
      "/payments",
      "/payments",
      newPaymentBody({ metadata: { note: `card ${PAN}` } }),
    );
    expect(inMetadata.body.error).toMatchObject({ code: "pan_not_allowed", field: "metadata.note" });
    const asToken = await call(
      "POST",
      "/payments/{payment_id}/confirm",
      `/payments/${payment.paymentId}/confirm`,
      {
        payment_method: { type: "card", token: PAN.replaceAll(" ", "") },
      },
    );
    expect(asToken.body.error).toMatchObject({ code: "pan_not_allowed", field: "payment_method.token" });
    const cvv = await call("POST", "/payments", "/payments", newPaymentBody({ metadata: { cvv: "123" } }));
    expect(cvv.body.error).toMatchObject({ code: "pan_not_allowed", field: "metadata.cvv" });
    const malformed = await call("POST", "/payments", "/payments", undefined, {
      rawBody: `{"note": "${PAN}"`,
    });
    expect(malformed.status).toBe(400);
    expect(JSON.stringify(malformed.body)).not.toContain("4000");

    await new Promise((r) => setTimeout(r, 300));
    expect(ingressOutput).toContain('"route":"/payments"');
    expect(ingressOutput).not.toMatch(/4000.?0566.?5566.?5556/);
  });

  it("answers 404 for a malformed or unknown payment id on every action", async () => {
    for (const action of ["confirm", "capture", "cancel", "refund"]) {
      for (const id of ["nope", randomUUID()]) {
        const res = await call("POST", `/payments/{payment_id}/${action}`, `/payments/${id}/${action}`, {});
        expect(res.body.error, `${action} ${id}`).toMatchObject({
          type: "not_found_error",
          code: "resource_missing",
        });
      }
    }
  });

  it("answers 405 with Allow and 404 for unknown routes", async () => {
    const res = await api.get(`/payments/${randomUUID()}/confirm`, { baseUrl });
    expect(res).toMatchObject({ status: 405, body: { error: { code: "method_not_allowed" } } });
    expect(res.headers.get("allow")).toBe("POST");
    const unknown = await api.get("/refunds", { baseUrl });
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: "route_not_found" } } });
  });
});

describe("operations", () => {
  it("is ready with every dependency up and exports HTTP metrics", async () => {
    const ready = await call("GET", "/readyz", "/readyz");
    expect(ready.body).toEqual({ status: "ready" });
    const detail = await api.get("/readyz", { baseUrl: opsBaseUrl });
    expect(detail.body).toEqual({
      status: "ready",
      checks: { postgres: { status: "up" }, kafka: { status: "up" }, schema_registry: { status: "up" } },
    });
    expect((await call("GET", "/healthz", "/healthz")).status).toBe(200);
    expect((await api.get("/metrics", { baseUrl })).status).toBe(404);
    const metrics = (await api.get("/metrics", { baseUrl: opsBaseUrl })) as ApiResponse<string>;
    expect(metrics.body).toMatch(
      /http_request_duration_seconds_count\{method="POST",route="\/payments",status="201"\}/,
    );
    expect(metrics.body).toMatch(/http_idempotent_replays_total\{route="\/payments"\} [1-9]/);
    expect(metrics.body).toContain("ingress_command_wait_seconds_bucket");
  });
});
