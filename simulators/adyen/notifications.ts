import { toJson } from "../shared/json.ts";
import { type AdyenSignedFields, adyenHmacSignature } from "../shared/signing.ts";
import type { DeliveryOptions, WebhookSender } from "../shared/webhook-sender.ts";

export type AdyenEventCode =
  | "AUTHORISATION"
  | "CAPTURE"
  | "CANCELLATION"
  | "REFUND"
  | "NOTIFICATION_OF_CHARGEBACK"
  | "CHARGEBACK";

export interface NotificationFields {
  eventCode: AdyenEventCode;
  pspReference: string;
  originalReference?: string;
  merchantAccountCode: string;
  merchantReference: string;
  amount: { value: bigint; currency: string };
  success: boolean;
  reason?: string;
  paymentMethod?: string;
  /** Unsigned extras, as Adyen sends them (`metadata.<key>` echoes /payments metadata). */
  additionalData?: Record<string, string>;
}

/** Builds HMAC-signed standard notifications and hands them to the webhook sender. */
export class AdyenNotifications {
  constructor(
    private readonly sender: WebhookSender,
    private readonly hmacKeyHex: string,
  ) {}

  emit(fields: NotificationFields, delivery: DeliveryOptions = {}): void {
    const { success, additionalData, ...rest } = fields;
    const signed: AdyenSignedFields = { ...rest, success: String(success) };
    const item = {
      ...signed,
      additionalData: { ...additionalData, hmacSignature: adyenHmacSignature(this.hmacKeyHex, signed) },
      eventDate: new Date().toISOString(),
      reason: fields.reason ?? "",
    };
    const body = toJson({ live: "false", notificationItems: [{ NotificationRequestItem: item }] });
    const id = `${fields.pspReference}:${fields.eventCode}:${signed.success}`;
    this.sender.enqueue(id, fields.eventCode, () => ({ body, headers: {} }), delivery);
  }
}
