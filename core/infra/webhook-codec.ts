import { PSP_NAMES, type PspName } from "../domain/payment-status.ts";
import type { VerifiedWebhookEvent } from "../ports/payment-connector.ts";
import { EnvelopeError } from "../security/envelope.ts";
import { openText, sealText } from "../security/field-crypto.ts";
import type { AvroCodec } from "./avro-codec.ts";

/** The value of payment.webhooks.v1 (avro/psp-webhook-event.v1.avsc). */
export interface PspWebhookRecord {
  event_id: string;
  psp: string;
  type: string;
  psp_reference: string;
  payment_id: string | null;
  occurred_at: number;
  received_at: number;
  data_json: string;
}

/** A verified event as it travels to the webhook processor, with the payment id the ingress keyed it by. */
export interface WebhookDelivery {
  event: VerifiedWebhookEvent;
  paymentId: string | null;
  receivedAt: Date;
}

export class MalformedWebhookError extends Error {}

export function toWebhookRecord(d: WebhookDelivery): PspWebhookRecord {
  return {
    event_id: d.event.eventId,
    psp: d.event.psp,
    type: d.event.type,
    psp_reference: d.event.pspReference,
    payment_id: d.paymentId,
    occurred_at: d.event.occurredAt.getTime(),
    received_at: d.receivedAt.getTime(),
    // Sealed: PSP events echo the payment's description and metadata (docs/security.md).
    data_json: sealText(JSON.stringify(d.event.data)),
  };
}

/** Checks a decoded (or stored) record and turns it back into a delivery; bad data is MalformedWebhookError. */
export function fromWebhookRecord(r: PspWebhookRecord): WebhookDelivery {
  if (!PSP_NAMES.includes(r.psp as PspName)) throw new MalformedWebhookError(`unknown psp ${r.psp}`);
  let data: unknown;
  try {
    data = JSON.parse(openText(r.data_json));
  } catch (err) {
    if (err instanceof EnvelopeError) throw new MalformedWebhookError(`data_json: ${err.message}`);
    throw new MalformedWebhookError("data_json is not JSON");
  }
  if (data === null || typeof data !== "object" || Array.isArray(data))
    throw new MalformedWebhookError("data_json is not a JSON object");
  return {
    event: {
      psp: r.psp as PspName,
      eventId: r.event_id,
      type: r.type,
      pspReference: r.psp_reference,
      occurredAt: new Date(Number(r.occurred_at)),
      data: data as Record<string, unknown>,
    },
    paymentId: r.payment_id,
    receivedAt: new Date(Number(r.received_at)),
  };
}

export function encodeWebhookDelivery(codec: AvroCodec, topic: string, d: WebhookDelivery): Buffer {
  return codec.encode(topic, toWebhookRecord(d));
}

/** Registry trouble (a network error) propagates as is, so the caller can retry rather than dead-letter. */
export async function decodeWebhookDelivery(
  codec: AvroCodec,
  value: Buffer | null,
  isTransient: (err: unknown) => boolean,
): Promise<WebhookDelivery> {
  if (!value) throw new MalformedWebhookError("empty webhook value");
  let record: PspWebhookRecord;
  try {
    record = await codec.decode<PspWebhookRecord>(value);
  } catch (err) {
    if (isTransient(err)) throw err;
    throw new MalformedWebhookError(`undecodable webhook event: ${(err as Error).message}`);
  }
  return fromWebhookRecord(record);
}
