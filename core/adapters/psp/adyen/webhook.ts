import { createHmac, timingSafeEqual } from "node:crypto";
import type { VerifiedWebhookEvent, WebhookVerification } from "../../../ports/payment-connector.ts";
import { parseJson } from "../wire-json.ts";
import { type AdyenNotificationItem, notification } from "./wire.ts";

/** pspReference:originalReference:merchantAccountCode:merchantReference:value:currency:eventCode:success */
export function adyenSigningString(item: AdyenNotificationItem): string {
  return [
    item.pspReference,
    item.originalReference ?? "",
    item.merchantAccountCode,
    item.merchantReference,
    String(item.amount.value),
    item.amount.currency,
    item.eventCode,
    item.success,
  ].join(":");
}

function signatureValid(item: AdyenNotificationItem, signature: string, hmacKeyHex: string): boolean {
  const expected = createHmac("sha256", Buffer.from(hmacKeyHex, "hex"))
    .update(adyenSigningString(item), "utf8")
    .digest();
  const given = Buffer.from(signature, "base64");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function toEvent(item: AdyenNotificationItem, now: Date): VerifiedWebhookEvent {
  const occurredAt = item.eventDate ? new Date(item.eventDate) : now;
  return {
    psp: "adyen",
    // Adyen has no event id; it re-sends the same (pspReference, eventCode, success) on retry.
    eventId: `${item.pspReference}:${item.eventCode}:${item.success}`,
    type: item.eventCode,
    // Modifications carry their own pspReference; the payment's is in originalReference.
    pspReference: item.originalReference || item.pspReference,
    occurredAt: Number.isNaN(occurredAt.getTime()) ? now : occurredAt,
    data: { ...item },
  };
}

/** Every NotificationRequestItem must carry a valid additionalData.hmacSignature. */
export function verifyAdyenWebhook(
  rawBody: Buffer,
  hmacKeyHex: string,
  now: Date = new Date(),
): WebhookVerification {
  const parsed = notification.safeParse(parseJson(rawBody.toString("utf8")));
  if (!parsed.success) return { ok: false, reason: "malformed" };
  const items = parsed.data.notificationItems.map((wrapper) => wrapper.NotificationRequestItem);
  for (const item of items) {
    const signature = item.additionalData?.hmacSignature;
    if (typeof signature !== "string" || signature === "") return { ok: false, reason: "missing_signature" };
    if (!signatureValid(item, signature, hmacKeyHex)) return { ok: false, reason: "bad_signature" };
  }
  return { ok: true, events: items.map((item) => toEvent(item, now)) };
}
