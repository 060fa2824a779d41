import { createHmac, timingSafeEqual } from "node:crypto";
import type {
  IgnoredWebhookEvent,
  VerifiedWebhookEvent,
  WebhookVerification,
} from "../../../ports/payment-connector.ts";
import { parseJson } from "../wire-json.ts";
import { type AdyenNotificationItem, notification } from "./wire.ts";

/** What a notification must match besides its signature. */
export interface AdyenWebhookSettings {
  /** Every HMAC key active now (several during a rotation). */
  hmacKeysHex: readonly string[];
  /** Items for another merchant account (a company-level webhook) are acknowledged and ignored. */
  merchantAccount: string;
  /** Whether this deployment takes live notifications; the others are acknowledged and ignored. */
  live: boolean;
}

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

function signatureValid(item: AdyenNotificationItem, signature: string, hmacKeysHex: readonly string[]) {
  const given = Buffer.from(signature, "base64");
  const signing = adyenSigningString(item);
  return hmacKeysHex.some((key) => {
    const expected = createHmac("sha256", Buffer.from(key, "hex")).update(signing, "utf8").digest();
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/**
 * Only signed fields identify the event. `eventDate` is not signed, so the event is dated by its
 * receipt: a replayed notification with a forged date cannot jump ahead of a newer one.
 */
function toEvent(item: AdyenNotificationItem, receivedAt: Date): VerifiedWebhookEvent {
  return {
    psp: "adyen",
    // Adyen has no event id; it re-sends the same (pspReference, eventCode, success) on retry.
    eventId: `${item.pspReference}:${item.eventCode}:${item.success}`,
    type: item.eventCode,
    // Modifications carry their own pspReference; the payment's is in originalReference.
    pspReference: item.originalReference || item.pspReference,
    occurredAt: receivedAt,
    data: { ...item },
  };
}

function ignoredBecause(item: AdyenNotificationItem, live: string, s: AdyenWebhookSettings) {
  if (live !== String(s.live)) return s.live ? "test notification" : "live notification";
  if (item.merchantAccountCode !== s.merchantAccount) return "another merchant account";
  return undefined;
}

/**
 * Every NotificationRequestItem must carry a valid additionalData.hmacSignature, or the whole request is
 * refused. Signed items for another merchant account or the other environment are returned as ignored.
 */
export function verifyAdyenWebhook(
  rawBody: Buffer,
  settings: AdyenWebhookSettings,
  now: Date = new Date(),
): WebhookVerification {
  const parsed = notification.safeParse(parseJson(rawBody.toString("utf8")));
  if (!parsed.success) return { ok: false, reason: "malformed" };
  const items = parsed.data.notificationItems.map((wrapper) => wrapper.NotificationRequestItem);
  for (const item of items) {
    const signature = item.additionalData?.hmacSignature;
    if (typeof signature !== "string" || signature === "") return { ok: false, reason: "missing_signature" };
    if (!signatureValid(item, signature, settings.hmacKeysHex)) return { ok: false, reason: "bad_signature" };
  }
  const events: VerifiedWebhookEvent[] = [];
  const ignored: IgnoredWebhookEvent[] = [];
  for (const item of items) {
    const reason = ignoredBecause(item, parsed.data.live, settings);
    if (reason === undefined) events.push(toEvent(item, now));
    else ignored.push({ pspReference: item.pspReference, type: item.eventCode, reason });
  }
  return { ok: true, events, ignored };
}
