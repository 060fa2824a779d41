import { randomUUID } from "node:crypto";
import { adyenHmacSignature, stripeSignatureHeader } from "../../simulators/shared/signing.ts";
import { type ApiResponse, api, apiUrl } from "./api.ts";
import { testDb } from "./db.ts";
import type { PaymentBodyOverrides } from "./factories.ts";
import { createPayment } from "./flows.ts";
import { pspSimulatorBase, simulatorEnv } from "./psp-simulators.ts";

export const unixNow = () => Math.floor(Date.now() / 1000);

/** A Stripe Event envelope as raw JSON text, with a fresh evt_ id unless one is given. */
export function stripeEventBody(
  type: string,
  object: Record<string, unknown>,
  id = `evt_test_${randomUUID()}`,
) {
  const body = JSON.stringify({
    id,
    object: "event",
    created: unixNow(),
    type,
    data: { object },
    livemode: false,
  });
  return { id, body };
}

export function stripeSignature(body: string, t = unixNow(), secret = simulatorEnv.stripeWebhookSecret) {
  return stripeSignatureHeader(secret, body, t);
}

export interface WebhookAnswer {
  status: number;
  text: string;
  json?: any;
}

export async function postWebhook(
  psp: "stripe" | "adyen",
  body: string,
  headers: Record<string, string> = {},
): Promise<WebhookAnswer> {
  const res = await fetch(`${apiUrl()}/webhooks/${psp}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // Adyen's "[accepted]" is text
  }
  return { status: res.status, text, json };
}

export const postStripe = (body: string, signature = stripeSignature(body)) =>
  postWebhook("stripe", body, { "stripe-signature": signature });

/** An HMAC-signed Adyen notification with one item. */
export function adyenNotification(fields: {
  pspReference: string;
  originalReference?: string;
  merchantReference: string;
  value: number;
  currency: string;
  eventCode: string;
  success: boolean;
}) {
  const signed = {
    pspReference: fields.pspReference,
    ...(fields.originalReference ? { originalReference: fields.originalReference } : {}),
    merchantAccountCode: simulatorEnv.adyenMerchantAccount,
    merchantReference: fields.merchantReference,
    amount: { value: fields.value, currency: fields.currency },
    eventCode: fields.eventCode,
    success: String(fields.success),
  };
  const item = {
    ...signed,
    eventDate: new Date().toISOString(),
    additionalData: { hmacSignature: adyenHmacSignature(simulatorEnv.adyenHmacKeyHex, signed) },
  };
  return JSON.stringify({ live: "false", notificationItems: [{ NotificationRequestItem: item }] });
}

export interface InboxRow {
  psp: string;
  event_id: string;
  event_type: string;
  payment_id: string | null;
  outcome: string | null;
  published_at: Date | null;
  processed_at: Date | null;
}

export async function inboxRows(where: { eventId?: string; paymentId?: string }): Promise<InboxRow[]> {
  const { rows } = await testDb().query<InboxRow>(
    `SELECT psp, event_id, event_type, payment_id::text, outcome, published_at, processed_at
     FROM processed_psp_events WHERE ($1::text IS NULL OR event_id = $1) AND ($2::uuid IS NULL OR payment_id = $2)
     ORDER BY received_at`,
    [where.eventId ?? null, where.paymentId ?? null],
  );
  return rows;
}

/** Polls the inbox until `done` holds for its rows. */
export async function waitForInbox(
  where: { eventId?: string; paymentId?: string },
  done: (rows: InboxRow[]) => boolean,
  timeoutMs = 30_000,
): Promise<InboxRow[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = await inboxRows(where);
    if (done(rows)) return rows;
    if (Date.now() > deadline) throw new Error(`inbox still ${JSON.stringify(rows)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface SimDelivery {
  eventId: string;
  type: string;
  attempts: number;
  delivered: boolean;
  lastStatus?: number;
  url?: string;
}

export async function simDeliveries(psp: "stripe" | "adyen"): Promise<SimDelivery[]> {
  const res = await fetch(`${pspSimulatorBase(psp)}/_sim/webhooks`);
  return ((await res.json()) as { deliveries: SimDelivery[] }).deliveries;
}

/**
 * A 503 means "a dependency is down, retry later" (a PSP's circuit breaker may be open while other
 * suites drive that PSP into errors); these steps retry it, as a client would, so that what a webhook
 * test checks is the webhook, not the breaker.
 */
export async function postRetrying503(path: string, body: unknown = {}): Promise<ApiResponse> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await api.post(path, body);
    if (res.status !== 503 || Date.now() > deadline) return res;
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

export async function createAndConfirmRetrying(overrides: PaymentBodyOverrides = {}) {
  const created = await createPayment(overrides);
  const paymentId = created.body.payment_id as string;
  const confirmed = await postRetrying503(`/payments/${paymentId}/confirm`);
  return { paymentId, created, confirmed };
}
