import { describe, expect, it } from "vitest";
import { verifyAdyenWebhook } from "../../core/adapters/psp/adyen/webhook.ts";
import { verifyStripeWebhook } from "../../core/adapters/psp/stripe/webhook.ts";
import {
  adyenHmacSignature,
  stripeSignatureHeader,
  stripeV1Signature,
} from "../../simulators/shared/signing.ts";

// Signatures are produced by the simulators' signing module and checked by the connectors' verifiers:
// two independent implementations of each scheme must agree.
const SECRET = "whsec_test_secret";
const OLD_SECRET = "whsec_retired_secret";
const NOW = new Date("2026-01-15T12:00:00Z");
const T = Math.floor(NOW.getTime() / 1000);
const TEST_MODE = { secrets: [SECRET], live: false };

const stripeEvent = JSON.stringify({
  id: "evt_1",
  object: "event",
  created: T - 5,
  type: "charge.refunded",
  data: { object: { id: "ch_1", object: "charge", amount: 1000, payment_intent: "pi_1" } },
});

function verifyStripe(header: string | undefined, body = stripeEvent) {
  return verifyStripeWebhook(Buffer.from(body), { "stripe-signature": header }, TEST_MODE, NOW);
}

describe("Stripe-Signature", () => {
  it("accepts a valid signature and maps the event", () => {
    const result = verifyStripe(stripeSignatureHeader(SECRET, stripeEvent, T));
    expect(result).toMatchObject({
      ok: true,
      events: [{ psp: "stripe", eventId: "evt_1", type: "charge.refunded", pspReference: "pi_1" }],
    });
  });

  it("finds the header whatever its case", () => {
    const headers = { "Stripe-Signature": stripeSignatureHeader(SECRET, stripeEvent, T) };
    expect(verifyStripeWebhook(Buffer.from(stripeEvent), headers, TEST_MODE, NOW).ok).toBe(true);
  });

  it("rejects a signature made with another secret", () => {
    expect(verifyStripe(stripeSignatureHeader("whsec_wrong", stripeEvent, T))).toEqual({
      ok: false,
      reason: "bad_signature",
    });
  });

  it("rejects a timestamp older than 300 s, accepts one at the limit", () => {
    expect(verifyStripe(stripeSignatureHeader(SECRET, stripeEvent, T - 301))).toEqual({
      ok: false,
      reason: "stale_timestamp",
    });
    expect(verifyStripe(stripeSignatureHeader(SECRET, stripeEvent, T - 300)).ok).toBe(true);
  });

  it("accepts any of several v1 signatures (secret rotation)", () => {
    const header = `t=${T},v1=${stripeV1Signature(OLD_SECRET, stripeEvent, T)},v1=${stripeV1Signature(SECRET, stripeEvent, T)}`;
    expect(verifyStripe(header).ok).toBe(true);
  });

  it("accepts a signature made with any secret active during our rotation, and no other", () => {
    const header = stripeSignatureHeader(OLD_SECRET, stripeEvent, T);
    const both = verifyStripeWebhook(
      Buffer.from(stripeEvent),
      { "stripe-signature": header },
      { secrets: [SECRET, OLD_SECRET], live: false },
      NOW,
    );
    expect(both.ok).toBe(true);
    expect(verifyStripe(header)).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("ignores, without rejecting, a signed event of the other mode (livemode)", () => {
    const live = JSON.stringify({ ...JSON.parse(stripeEvent), livemode: true });
    expect(verifyStripe(stripeSignatureHeader(SECRET, live, T), live)).toEqual({
      ok: true,
      events: [],
      ignored: [{ pspReference: "ch_1", type: "charge.refunded", reason: "live event" }],
    });
    const test = JSON.stringify({ ...JSON.parse(stripeEvent), livemode: false });
    expect(verifyStripe(stripeSignatureHeader(SECRET, test, T), test)).toMatchObject({
      ok: true,
      events: [{ eventId: "evt_1" }],
    });
    const inLive = verifyStripeWebhook(
      Buffer.from(test),
      { "stripe-signature": stripeSignatureHeader(SECRET, test, T) },
      { secrets: [SECRET], live: true },
      NOW,
    );
    expect(inLive).toMatchObject({ ok: true, events: [], ignored: [{ reason: "test event" }] });
  });

  it("ignores v0 signatures", () => {
    const v0Only = `t=${T},v0=${stripeV1Signature(SECRET, stripeEvent, T)}`;
    expect(verifyStripe(v0Only)).toEqual({ ok: false, reason: "missing_signature" });
    const withV1 = `t=${T},v0=deadbeef,v1=${stripeV1Signature(SECRET, stripeEvent, T)}`;
    expect(verifyStripe(withV1).ok).toBe(true);
  });

  it("fails on a re-serialized body: the signature covers the raw bytes", () => {
    const header = stripeSignatureHeader(SECRET, stripeEvent, T);
    const reserialized = JSON.stringify(JSON.parse(stripeEvent), null, 2);
    expect(verifyStripe(header, reserialized)).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("reports a missing or malformed header", () => {
    expect(verifyStripe(undefined)).toEqual({ ok: false, reason: "missing_signature" });
    expect(verifyStripe("v1=abc")).toEqual({ ok: false, reason: "malformed" });
    expect(verifyStripe(`t=${T},v1=not-hex`)).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("reports a correctly signed body that is not an event as malformed", () => {
    const body = "not json";
    expect(verifyStripe(stripeSignatureHeader(SECRET, body, T), body)).toEqual({
      ok: false,
      reason: "malformed",
    });
  });
});

const HMAC_KEY = "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056";
const NEXT_HMAC_KEY = "0123456789abcdef".repeat(4);
const ADYEN = { hmacKeysHex: [HMAC_KEY], merchantAccount: "PaymentServiceECOM", live: false };

function adyenItem(overrides: Record<string, unknown> = {}) {
  const fields = {
    pspReference: "MOD0000000000001",
    originalReference: "PSP0000000000001",
    merchantAccountCode: "PaymentServiceECOM",
    merchantReference: "attempt-1",
    amount: { value: 5000, currency: "JPY" },
    eventCode: "CAPTURE",
    success: "true",
  };
  return { ...fields, eventDate: "2026-01-15T12:00:00+01:00", reason: "", ...overrides };
}

function signed(item: ReturnType<typeof adyenItem>, key = HMAC_KEY) {
  return { ...item, additionalData: { hmacSignature: adyenHmacSignature(key, item) } };
}

function adyenBody(...items: unknown[]) {
  return liveAdyenBody("false", ...items);
}

function liveAdyenBody(live: string, ...items: unknown[]) {
  return Buffer.from(
    JSON.stringify({ live, notificationItems: items.map((i) => ({ NotificationRequestItem: i })) }),
  );
}

describe("Adyen notification HMAC", () => {
  it("accepts a valid item and maps it to the payment's pspReference", () => {
    const result = verifyAdyenWebhook(adyenBody(signed(adyenItem())), ADYEN);
    expect(result).toMatchObject({
      ok: true,
      events: [
        {
          psp: "adyen",
          type: "CAPTURE",
          pspReference: "PSP0000000000001",
          eventId: "MOD0000000000001:CAPTURE:true",
        },
      ],
    });
  });

  it("signs an empty originalReference as an empty field", () => {
    const item = adyenItem({ originalReference: undefined, eventCode: "AUTHORISATION" });
    expect(verifyAdyenWebhook(adyenBody(signed(item)), ADYEN).ok).toBe(true);
  });

  it("rejects a tampered field, a wrong key and a missing signature", () => {
    const tampered = { ...signed(adyenItem()), amount: { value: 500, currency: "JPY" } };
    expect(verifyAdyenWebhook(adyenBody(tampered), ADYEN)).toEqual({ ok: false, reason: "bad_signature" });
    const otherKey = "00".repeat(32);
    expect(verifyAdyenWebhook(adyenBody(signed(adyenItem(), otherKey)), ADYEN)).toEqual({
      ok: false,
      reason: "bad_signature",
    });
    expect(verifyAdyenWebhook(adyenBody(adyenItem()), ADYEN)).toEqual({
      ok: false,
      reason: "missing_signature",
    });
  });

  it("rejects the whole batch when any item is bad", () => {
    const good = signed(adyenItem());
    const bad = { ...signed(adyenItem({ pspReference: "MOD2" })), success: "false" };
    expect(verifyAdyenWebhook(adyenBody(good, bad), ADYEN)).toEqual({
      ok: false,
      reason: "bad_signature",
    });
  });

  it("reports a body that is not a notification as malformed", () => {
    expect(verifyAdyenWebhook(Buffer.from("{}"), ADYEN)).toEqual({ ok: false, reason: "malformed" });
  });

  it("accepts an item signed with any key active during a rotation", () => {
    const rotating = { ...ADYEN, hmacKeysHex: [NEXT_HMAC_KEY, HMAC_KEY] };
    expect(verifyAdyenWebhook(adyenBody(signed(adyenItem())), rotating).ok).toBe(true);
    expect(verifyAdyenWebhook(adyenBody(signed(adyenItem(), NEXT_HMAC_KEY)), rotating).ok).toBe(true);
    expect(verifyAdyenWebhook(adyenBody(signed(adyenItem(), NEXT_HMAC_KEY)), ADYEN)).toEqual({
      ok: false,
      reason: "bad_signature",
    });
  });

  it("dates the event by its receipt, not by the unsigned eventDate", () => {
    const forged = { ...signed(adyenItem()), eventDate: "2099-01-01T00:00:00Z" };
    const result = verifyAdyenWebhook(adyenBody(forged), ADYEN, NOW);
    expect(result.ok && result.events[0]?.occurredAt).toEqual(NOW);
  });

  it("ignores, without rejecting, signed items for another merchant account", () => {
    const ours = signed(adyenItem());
    const theirs = signed(adyenItem({ pspReference: "MOD2", merchantAccountCode: "OtherECOM" }));
    expect(verifyAdyenWebhook(adyenBody(ours, theirs), ADYEN)).toMatchObject({
      ok: true,
      events: [{ eventId: "MOD0000000000001:CAPTURE:true" }],
      ignored: [{ pspReference: "MOD2", type: "CAPTURE", reason: "another merchant account" }],
    });
  });

  it("ignores notifications from the other environment: live ones in test, test ones in live", () => {
    const item = signed(adyenItem());
    expect(verifyAdyenWebhook(liveAdyenBody("true", item), ADYEN)).toMatchObject({
      ok: true,
      events: [],
      ignored: [{ reason: "live notification" }],
    });
    const live = { ...ADYEN, live: true };
    expect(verifyAdyenWebhook(adyenBody(item), live)).toMatchObject({
      events: [],
      ignored: [{ reason: "test notification" }],
    });
    expect(verifyAdyenWebhook(liveAdyenBody("true", item), live)).toMatchObject({
      events: [{ type: "CAPTURE" }],
      ignored: [],
    });
  });

  it("still refuses an unsigned item for another account: the signature is checked first", () => {
    const unsigned = adyenItem({ merchantAccountCode: "OtherECOM" });
    expect(verifyAdyenWebhook(adyenBody(unsigned), ADYEN)).toEqual({
      ok: false,
      reason: "missing_signature",
    });
  });
});
