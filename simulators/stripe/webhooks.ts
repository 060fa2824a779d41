import { stripeId, unixNow } from "../shared/ids.ts";
import { toJson } from "../shared/json.ts";
import { stripeSignatureHeader } from "../shared/signing.ts";
import type { DeliveryOptions, WebhookSender } from "../shared/webhook-sender.ts";

export type StripeEventType =
  | "payment_intent.succeeded"
  | "payment_intent.amount_capturable_updated"
  | "payment_intent.payment_failed"
  | "payment_intent.requires_action"
  | "payment_intent.canceled"
  | "charge.refunded"
  | "charge.dispute.created"
  | "refund.updated";

/** Builds Stripe Event envelopes and hands them, signed, to the webhook sender. */
export class StripeEvents {
  constructor(
    private readonly sender: WebhookSender,
    private readonly signingSecret: string,
  ) {}

  emit(type: StripeEventType, object: unknown, delivery: DeliveryOptions = {}): void {
    const id = stripeId("evt");
    const body = toJson({
      id,
      object: "event",
      api_version: "2024-06-20",
      created: unixNow(),
      data: { object },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
    });
    const sign = () => ({
      body,
      headers: { "stripe-signature": stripeSignatureHeader(this.signingSecret, body, unixNow()) },
    });
    this.sender.enqueue(id, type, sign, delivery);
  }
}
