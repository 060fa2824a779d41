import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { connectorsFromConfig } from "../../core/adapters/psp/from-config.ts";
import { loadConfig } from "../../core/infra/config.ts";
import type { WebhookDelivery } from "../../core/infra/webhook-codec.ts";
import type { Pool } from "../../db/pool.ts";
import { createIngressApp } from "../../http-ingress/app.ts";
import type { CommandBus } from "../../http-ingress/command-bus.ts";
import type { WebhookPublisher } from "../../http-ingress/webhooks/intake.ts";
import { adyenHmacSignature, stripeSignatureHeader } from "../../simulators/shared/signing.ts";

/**
 * The webhook routes with Kafka and PostgreSQL replaced: an in-memory inbox that answers the two
 * statements the ingress runs, and a publisher that records (or refuses) what it is given.
 */
const config = loadConfig({ NODE_ENV: "test" });

class FakeInbox {
  rows = new Map<string, { published: boolean }>();
  query = async (q: { name: string; values: unknown[] }) => {
    const [psp, id] = q.values as [string, string | string[]];
    if (q.name === "psp_event_record") {
      const key = `${psp}/${id}`;
      const existing = this.rows.get(key);
      if (!existing) this.rows.set(key, { published: false });
      return { rows: [{ inserted: !existing, published: existing ? existing.published : null }] };
    }
    if (q.name === "psp_events_published") {
      for (const eventId of id as string[]) this.rows.set(`${psp}/${eventId}`, { published: true });
      return { rows: [] };
    }
    throw new Error(`unexpected query ${q.name}`);
  };
}

class FakePublisher implements WebhookPublisher {
  published: Array<{ delivery: WebhookDelivery; traceparent: string }> = [];
  failNext = 0;
  async publish(deliveries: WebhookDelivery[], traceparent: string) {
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error("broker down");
    }
    for (const delivery of deliveries) this.published.push({ delivery, traceparent });
  }
}

const inbox = new FakeInbox();
const publisher = new FakePublisher();
let baseUrl = "";
let close = () => undefined as unknown;

beforeAll(async () => {
  const app = createIngressApp({
    config,
    pool: inbox as unknown as Pool,
    commandBus: { send: async () => "timeout", ping: async () => undefined } as CommandBus,
    logger: pino({ level: "silent" }),
    webhooks: { connectors: connectorsFromConfig(config), publisher },
  });
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  close = () => server.close();
});
afterAll(() => close());
beforeEach(() => {
  publisher.published = [];
  publisher.failNext = 0;
});

const now = () => Math.floor(Date.now() / 1000);

/** The check digit that makes `digits` + it pass Luhn. */
function luhnDigit(digits: string): string {
  let sum = 0;
  for (let i = digits.length - 1, double = true; i >= 0; i--, double = !double) {
    const d = Number(digits[i]) * (double ? 2 : 1);
    sum += d > 9 ? d - 9 : d;
  }
  return String((10 - (sum % 10)) % 10);
}

function stripeBody(paymentId = randomUUID(), eventId = `evt_${randomUUID()}`) {
  // Odd spacing and key order on purpose: only the exact bytes are signed.
  return `{"id":"${eventId}",  "object":"event","type":"payment_intent.succeeded","created":${now()},
  "data":{"object":{"id":"pi_1","object":"payment_intent","amount":1000,"amount_capturable":0,
  "amount_received":1000,"currency":"usd","status":"succeeded","capture_method":"automatic",
  "metadata":{"payment_id":"${paymentId}"}}}}`;
}

async function post(psp: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${baseUrl}/webhooks/${psp}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  const text = await res.text();
  return { status: res.status, text, json: text.startsWith("{") ? JSON.parse(text) : undefined };
}

const signed = (body: string, t = now(), secret = config.STRIPE_WEBHOOK_SECRETS[0] ?? "") => ({
  "stripe-signature": stripeSignatureHeader(secret, body, t),
});

describe("POST /webhooks/stripe", () => {
  it("verifies the raw bytes, publishes once keyed by our payment id, and acknowledges a replay", async () => {
    const paymentId = randomUUID();
    const body = stripeBody(paymentId);
    const traceparent = `00-${"a".repeat(32)}-${"b".repeat(16)}-01`;
    const first = await post("stripe", body, { ...signed(body), traceparent });
    expect(first).toMatchObject({ status: 200, json: { received: true, duplicate: false } });
    expect(publisher.published).toHaveLength(1);
    const [{ delivery, traceparent: sentTrace }] = publisher.published as [(typeof publisher.published)[0]];
    expect(delivery.paymentId).toBe(paymentId);
    expect(delivery.event).toMatchObject({
      psp: "stripe",
      type: "payment_intent.succeeded",
      pspReference: "pi_1",
    });
    expect(sentTrace.split("-")[1]).toBe("a".repeat(32));

    const replay = await post("stripe", body, signed(body));
    expect(replay).toMatchObject({ status: 200, json: { received: true, duplicate: true } });
    expect(publisher.published).toHaveLength(1);
  });

  it("publishes again an event stored but never acknowledged by Kafka (503 first, the PSP retries)", async () => {
    const body = stripeBody();
    publisher.failNext = 1;
    const failed = await post("stripe", body, signed(body));
    expect(failed.status).toBe(503);
    expect(failed.json.error.code).toBe("service_unavailable");
    const retried = await post("stripe", body, signed(body));
    expect(retried.status).toBe(200);
    expect(publisher.published).toHaveLength(1);
  });

  it.each([
    ["no signature", {}, 401, "webhook_signature_missing"],
    [
      "a v0 signature only",
      { "stripe-signature": `t=${now()},v0=${"0".repeat(64)}` },
      401,
      "webhook_signature_missing",
    ],
    ["another secret", "wrong-secret", 401, "webhook_signature_invalid"],
    ["a timestamp 301 s old", "stale", 401, "webhook_timestamp_expired"],
    ["a header without t=", { "stripe-signature": "v1=abc" }, 400, "webhook_malformed"],
  ])("refuses %s and stores nothing", async (_what, headers, status, code) => {
    const body = stripeBody();
    const sent =
      headers === "wrong-secret"
        ? signed(body, now(), "whsec_other")
        : headers === "stale"
          ? signed(body, now() - 301)
          : (headers as Record<string, string>);
    const before = inbox.rows.size;
    const res = await post("stripe", body, sent);
    expect(res.status).toBe(status);
    expect(res.json.error).toMatchObject({ code });
    expect(inbox.rows.size).toBe(before);
    expect(publisher.published).toHaveLength(0);
  });

  it("refuses a re-serialized body under the original signature", async () => {
    const body = stripeBody();
    const reserialized = JSON.stringify(JSON.parse(body));
    const res = await post("stripe", reserialized, signed(body));
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe("webhook_signature_invalid");
  });

  it("refuses a signed body that is not a Stripe event, and one over 64 KiB", async () => {
    const notEvent = '{"hello":"world"}';
    expect((await post("stripe", notEvent, signed(notEvent))).json.error.code).toBe("webhook_malformed");
    const huge = `{"pad":"${"x".repeat(70_000)}"}`;
    expect((await post("stripe", huge, signed(huge))).status).toBe(413);
  });

  it("requires Content-Type: application/json (what Stripe sends, with its charset)", async () => {
    const body = stripeBody();
    const plain = await post("stripe", body, { ...signed(body), "content-type": "text/plain" });
    expect(plain).toMatchObject({ status: 415, json: { error: { code: "unsupported_media_type" } } });
    const charset = await post("stripe", body, {
      ...signed(body),
      "content-type": "application/json; charset=utf-8",
    });
    expect(charset.status).toBe(200);
  });

  it("refuses a verified event that carries card data, storing and publishing nothing", async () => {
    const body = stripeBody().replace('"metadata":{', '"metadata":{"note":"4242 4242 4242 4242",');
    const res = await post("stripe", body, signed(body));
    expect(res).toMatchObject({
      status: 422,
      json: { error: { code: "pan_not_allowed", field: "data.object.metadata.note" } },
    });
    expect(res.text).not.toContain("4242");
    expect(publisher.published).toHaveLength(0);
    expect([...inbox.rows.keys()].some((k) => k.includes(JSON.parse(body).id))).toBe(false);
  });
});

describe("POST /webhooks/adyen", () => {
  const item = (over: Record<string, unknown> = {}) => {
    const fields = {
      pspReference: `PSP${randomUUID().replaceAll("-", "").slice(0, 13).toUpperCase()}`,
      merchantAccountCode: "PaymentServiceECOM",
      merchantReference: randomUUID(),
      amount: { value: 5000, currency: "JPY" },
      eventCode: "AUTHORISATION",
      success: "true",
      ...over,
    };
    return {
      ...fields,
      additionalData: { hmacSignature: adyenHmacSignature(config.ADYEN_HMAC_KEYS[0] ?? "", fields) },
    };
  };
  const notification = (...items: unknown[]) =>
    JSON.stringify({ live: "false", notificationItems: items.map((i) => ({ NotificationRequestItem: i })) });

  it("answers [accepted] and publishes each item once, deduped per item", async () => {
    const a = item();
    const b = item({ eventCode: "CAPTURE" });
    const res = await post("adyen", notification(a, b));
    expect(res).toMatchObject({ status: 200, text: "[accepted]" });
    expect(publisher.published.map((p) => p.delivery.event.eventId)).toEqual([
      `${a.pspReference}:AUTHORISATION:true`,
      `${b.pspReference}:CAPTURE:true`,
    ]);
    expect(await post("adyen", notification(a))).toMatchObject({ status: 200, text: "[accepted]" });
    expect(publisher.published).toHaveLength(2);
  });

  it("routes by signed fields only: an unsigned metadata.payment_id names no payment", async () => {
    const signed = item();
    const withMetadata = {
      ...signed,
      additionalData: { ...signed.additionalData, "metadata.payment_id": randomUUID() },
    };
    expect(await post("adyen", notification(withMetadata))).toMatchObject({ status: 200 });
    expect(publisher.published.map((p) => [p.delivery.paymentId, p.delivery.event.pspReference])).toEqual([
      [null, withMetadata.pspReference],
    ]);
  });

  it("acknowledges, but neither records nor publishes, items for another account or environment", async () => {
    const before = inbox.rows.size;
    const theirs = item({ merchantAccountCode: "SomeoneElseECOM" });
    expect(await post("adyen", notification(theirs))).toMatchObject({ status: 200, text: "[accepted]" });
    const live = JSON.stringify({ live: "true", notificationItems: [{ NotificationRequestItem: item() }] });
    expect(await post("adyen", live)).toMatchObject({ status: 200, text: "[accepted]" });
    expect(publisher.published).toHaveLength(0);
    expect(inbox.rows.size).toBe(before);
  });

  it("accepts an all-digit pspReference that happens to pass Luhn, but not a card number elsewhere", async () => {
    const digits = item({ pspReference: `883551392164438${luhnDigit("883551392164438")}` });
    expect(await post("adyen", notification(digits))).toMatchObject({ status: 200, text: "[accepted]" });
    const signedItem = item();
    const withCard = {
      ...signedItem,
      additionalData: { ...signedItem.additionalData, cardNumber: "5555555555554444" },
    };
    const refused = await post("adyen", notification(withCard));
    expect(refused.status).toBe(422);
    expect(refused.json.error.field).toBe(
      "notificationItems.0.NotificationRequestItem.additionalData.cardNumber",
    );
    expect(publisher.published).toHaveLength(1);
  });

  it("refuses the whole notification if any item's HMAC is wrong", async () => {
    const tampered = { ...item(), amount: { value: 1, currency: "JPY" } };
    const res = await post("adyen", notification(item(), tampered));
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe("webhook_signature_invalid");
    expect(publisher.published).toHaveLength(0);
    expect((await post("adyen", "{not json")).json.error.code).toBe("webhook_malformed");
  });
});
