import { createHmac, timingSafeEqual } from "node:crypto";
import type { WebhookVerification } from "../../../ports/payment-connector.ts";
import { headerValue, parseJson } from "../wire-json.ts";
import { event } from "./wire.ts";

export const STRIPE_TOLERANCE_SECONDS = 300;

type SignatureHeader = { timestamp: number; v1: string[] } | undefined;

/** `t=<unix>,v1=<hex>[,v1=<hex>…][,v0=…]`: several v1 during secret rotation; other schemes ignored. */
function parseSignatureHeader(header: string): SignatureHeader {
  let timestamp: number | undefined;
  const v1: string[] = [];
  for (const part of header.split(",")) {
    const at = part.indexOf("=");
    const key = part.slice(0, at).trim();
    const value = part.slice(at + 1).trim();
    if (key === "t" && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    if (key === "v1") v1.push(value);
  }
  return timestamp === undefined ? undefined : { timestamp, v1 };
}

function signatureMatches(candidate: string, expected: Buffer): boolean {
  if (!/^[0-9a-f]{64}$/i.test(candidate)) return false;
  return timingSafeEqual(Buffer.from(candidate, "hex"), expected);
}

export interface StripeWebhookSettings {
  /** Every signing secret active now (several during a rotation). */
  secrets: readonly string[];
  /** Whether this deployment takes live-mode events; events of the other mode are acknowledged and ignored. */
  live: boolean;
}

/** Verifies Stripe-Signature over the exact raw bytes with any active secret, then maps the Event. */
export function verifyStripeWebhook(
  rawBody: Buffer,
  headers: Record<string, string | undefined>,
  { secrets, live }: StripeWebhookSettings,
  now: Date = new Date(),
  toleranceSeconds = STRIPE_TOLERANCE_SECONDS,
): WebhookVerification {
  const header = headerValue(headers, "stripe-signature");
  if (header === undefined || header === "") return { ok: false, reason: "missing_signature" };
  const parsed = parseSignatureHeader(header);
  if (parsed === undefined) return { ok: false, reason: "malformed" };
  if (parsed.v1.length === 0) return { ok: false, reason: "missing_signature" };
  const signedBy = (secret: string) => {
    const expected = createHmac("sha256", secret).update(`${parsed.timestamp}.`).update(rawBody).digest();
    return parsed.v1.some((candidate) => signatureMatches(candidate, expected));
  };
  if (!secrets.some(signedBy)) return { ok: false, reason: "bad_signature" };
  if (Math.floor(now.getTime() / 1000) - parsed.timestamp > toleranceSeconds)
    return { ok: false, reason: "stale_timestamp" };

  const body = event.safeParse(parseJson(rawBody.toString("utf8")));
  if (!body.success) return { ok: false, reason: "malformed" };
  const { id, type, created, livemode, data } = body.data;
  if (livemode !== undefined && livemode !== live) {
    const reason = livemode ? "live event" : "test event";
    return { ok: true, events: [], ignored: [{ pspReference: String(data.object.id ?? ""), type, reason }] };
  }
  const object = data.object;
  // payment_intent.* events carry the intent; charge.* and refund.* events point at it.
  const pspReference =
    object.object === "payment_intent" ? String(object.id) : String(object.payment_intent ?? object.id ?? "");
  return {
    ok: true,
    events: [
      { psp: "stripe", eventId: id, type, pspReference, occurredAt: new Date(created * 1000), data: object },
    ],
  };
}
