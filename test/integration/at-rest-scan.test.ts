import { randomBytes, randomUUID } from "node:crypto";
import { appendFile, mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { passesLuhn } from "../../core/domain/pan-guard.ts";
import { AvroCodec } from "../../core/infra/avro-codec.ts";
import { createConsumer, createProducer, type Producer } from "../../core/infra/kafka.ts";
import { openDeadLetterValue } from "../../processors/dead-letter.ts";
import { readCommandTopic, toJsonLines } from "../../scripts/replay/command-sources.ts";
import { type Hit, scanAtRest } from "../../scripts/security/at-rest-scan.ts";
import { api } from "../helpers/api.ts";
import { nextOrderId } from "../helpers/factories.ts";
import { waitForPayment } from "../helpers/flows.ts";
import { cardDataRefused, ORDER_TOPIC, publishOrder as publishOrderAs } from "../helpers/orders.ts";
import { stackEnv, testKafka } from "../helpers/stack-env.ts";
import { eventually } from "../helpers/wait.ts";
import { postStripe, stripeEventBody } from "../helpers/webhooks.ts";

// Issue 7, "A test that reads the disk": what the service wrote must not show a token, PII or a card
// number anywhere on disk. The needles also go to .stack/at-rest-needles.txt, which scripts/test-all.sh
// scans again after the whole suite (npm run security:scan-at-rest).
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const STACK_DIRS = [...new Set([process.env.STACK_DIR ?? join(ROOT, ".stack"), join(ROOT, ".stack")])];
const NEEDLES_FILE = join(ROOT, ".stack", "at-rest-needles.txt");
const COMMAND_TOPIC = process.env.COMMAND_TOPIC ?? "payment.commands.v1";
const DLQ_TOPIC = process.env.COMMAND_DLQ_TOPIC ?? "payment.commands.dlq.v1";
// order.created partitions are the upstream's input (order-service wrote the token there, not us).
const EXCLUDE = [/\/order\.created\.[^/]*-\d+(\/|$)/, /at-rest-needles\.txt$/];

const tag = randomBytes(6).toString("hex");
const secrets = {
  token: `pm_card_visa_${tag}`,
  customer: `cus_atrest_${tag}`,
  description: `At rest description ${tag}`,
  metadata: `meta_atrest_${tag}`,
  orderToken: `pm_card_mastercard_${tag}`,
  orderCustomer: `cus_atrest_order_${tag}`,
  deadLetteredToken: `pm_card_amex_${tag}`,
};

/** A Luhn-valid 16-digit Visa-like number no other test uses. */
function uniquePan(): string {
  const body = `4${[...randomBytes(14)].map((b) => b % 10).join("")}`;
  for (let check = 0; check <= 9; check++) if (passesLuhn(`${body}${check}`)) return `${body}${check}`;
  throw new Error("no Luhn check digit");
}
const pan = uniquePan();
const groups = pan.match(/.{4}/g) ?? [];
const panForms = [pan, groups.join(" "), groups.join("-")];

const codec = new AvroCodec(stackEnv.registryUrl);
let producer: Producer;
let paymentId = "";
let orderPaymentId = "";

async function scan(needles: string[]): Promise<Hit[]> {
  const result = await scanAtRest({
    needles,
    dirs: STACK_DIRS,
    exclude: EXCLUDE,
    databaseUrl: stackEnv.databaseUrl,
    checkpointUrl: stackEnv.databaseUrl,
    kafkaDecode: true,
  });
  expect(result.checkpoint, "CHECKPOINT ran").toBeTruthy();
  expect(result.files).toBeGreaterThan(10);
  expect(result.kafkaSegments).toBeGreaterThan(0);
  return result.hits;
}

beforeAll(async () => {
  await mkdir(dirname(NEEDLES_FILE), { recursive: true });
  await appendFile(NEEDLES_FILE, `${[...Object.values(secrets), ...panForms].join("\n")}\n`);
  await codec.register(ORDER_TOPIC, "order-created.v1.avsc");
  producer = createProducer(testKafka("test-at-rest"));
  await producer.connect();
});
afterAll(() => producer?.disconnect());

describe("encryption at rest", () => {
  it("pays with a token and PII, through the API and autopay, and reads them back in clear", async () => {
    const created = await api.post(
      "/payments",
      {
        order_id: nextOrderId(),
        amount: "12.34",
        currency: "USD",
        psp: "stripe",
        payment_method: { type: "card", token: secrets.token },
        customer_id: secrets.customer,
        description: secrets.description,
        metadata: { note: secrets.metadata },
      },
      { idempotencyKey: `at-rest-${tag}` },
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    paymentId = created.body.payment_id;
    const confirmed = await api.post(
      `/payments/${paymentId}/confirm`,
      {},
      { idempotencyKey: `at-rest-c-${tag}` },
    );
    expect([200, 202]).toContain(confirmed.status);
    const paid = await waitForPayment(paymentId, (p) => p.status === "succeeded");
    expect(paid).toMatchObject({
      customer_id: secrets.customer,
      description: secrets.description,
      metadata: { note: secrets.metadata },
      payment_method: { type: "card", token_last4: secrets.token.slice(-4) },
    });

    const order = await publishOrder({
      customer_id: secrets.orderCustomer,
      payment_method_token: secrets.orderToken,
    });
    orderPaymentId = order.paymentId;
    const autopaid = await waitForPayment(orderPaymentId, (p) => p.status === "succeeded", 60_000);
    expect(autopaid.customer_id).toBe(secrets.orderCustomer);

    // A replay recording of the command topic, as `npm run replay -- --save=…` writes it.
    const recorded = await readCommandTopic(testKafka("test-at-rest-replay"), codec, COMMAND_TOPIC, 100_000);
    expect(recorded.some((c) => c.paymentId === paymentId)).toBe(true);
    await mkdir(join(ROOT, ".stack", "replay"), { recursive: true });
    await writeFile(join(ROOT, ".stack", "replay", `at-rest-${tag}.jsonl`), toJsonLines(recorded));
  }, 120_000);

  it("sends a card number to every input: each is refused or dropped", async () => {
    const body = (over: Record<string, unknown>) => ({
      order_id: nextOrderId(),
      amount: "1.00",
      currency: "USD",
      payment_method: { type: "card", token: "pm_card_visa" },
      ...over,
    });
    for (const [i, form] of panForms.entries()) {
      for (const field of [{ description: form }, { customer_id: form }, { metadata: { note: form } }]) {
        const res = await api.post("/payments", body(field), {
          idempotencyKey: `at-rest-pan-${tag}-${i}-${Object.keys(field)[0]}`,
        });
        expect(res.status, JSON.stringify(field)).toBe(422);
      }
      const confirm = await api.post(`/payments/${paymentId}/confirm`, {
        payment_method: { type: "card", token: form },
      });
      expect(confirm.status).toBe(422);
    }
    const keyed = await api.post("/payments", body({}), { idempotencyKey: pan });
    expect(keyed.status).toBe(422);
    const noted = await api.post("/payments", body({}), { headers: { "x-customer-note": groups.join(" ") } });
    expect(noted.status).toBe(422);
    const asRequestId = await api.post("/payments", body({}), { headers: { "x-request-id": pan } });
    expect(asRequestId.status).toBe(201);
    expect(asRequestId.headers.get("request-id")).not.toBe(pan);

    const webhook = stripeEventBody("payment_intent.succeeded", {
      id: `pi_atrest_${tag}`,
      object: "payment_intent",
      status: "succeeded",
      description: groups.join(" "),
      metadata: { note: pan },
    });
    const answered = await postStripe(webhook.body);
    expect(answered.status).toBeLessThan(500);

    // An order with card data is dropped (counted, never dead-lettered: a DLQ copy would keep it).
    const refusedBefore = await cardDataRefused();
    await publishOrder({ customer_id: groups.join("-"), payment_method_token: pan });
    await eventually("the order with a card number dropped", async () =>
      (await cardDataRefused()) > refusedBefore ? true : undefined,
    );
    // An invalid order is dead-lettered: sealed on the DLQ, the original inside for whoever holds the KEK.
    const invalid = await publishOrder({ currency: "XXX", payment_method_token: secrets.deadLetteredToken });
    const dead = await deadLetterFor(String(invalid.order_id));
    expect(dead.raw.includes(Buffer.from(secrets.deadLetteredToken))).toBe(false);
    expect(dead.opened.includes(Buffer.from(secrets.deadLetteredToken))).toBe(true);
  }, 120_000);

  it("finds none of it on disk: PostgreSQL data and WAL, Kafka, logs, replay files", async () => {
    const needles = [...Object.values(secrets), ...panForms, paymentId, orderPaymentId];
    const hits = await scan(needles);
    const found = (needle: string) =>
      hits.filter((h) => h.needle === needles.indexOf(needle)).map((h) => h.where);
    // The control: the payment ids are stored in clear, so a scan that reads the disk must see them.
    expect(found(paymentId).some((w) => w.includes("/pg_wal/"))).toBe(true);
    expect(found(paymentId).some((w) => w.includes("/base/"))).toBe(true);
    expect(found(paymentId)).toContain("Kafka records (decoded segments)");
    expect(found(orderPaymentId).length).toBeGreaterThan(0);
    const leaks = [...Object.values(secrets), ...panForms].flatMap((n) =>
      found(n).map((where) => ({ needle: n.slice(0, 12), where })),
    );
    expect(leaks).toEqual([]);
  }, 180_000);
});

const publishOrder = (fields: Record<string, unknown>) => publishOrderAs(producer, codec, fields);

async function deadLetterFor(key: string): Promise<{ raw: Buffer; opened: Buffer }> {
  const consumer = createConsumer(testKafka("test-at-rest-dlq"), `test-at-rest-dlq-${randomUUID()}`, {
    fromBeginning: true,
  });
  let found: { raw: Buffer; opened: Buffer } | undefined;
  await consumer.connect();
  await consumer.subscribe({ topics: [DLQ_TOPIC] });
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (message.key?.toString() !== key || !message.value) return;
      found = { raw: message.value, opened: openDeadLetterValue(message.value) ?? Buffer.alloc(0) };
    },
  });
  try {
    return await eventually("the invalid order on the DLQ", async () => found, 60_000);
  } finally {
    await consumer.disconnect();
  }
}
