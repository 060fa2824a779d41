import { z } from "zod";
import { minorUnits } from "../wire-json.ts";

/** The slice of Adyen Checkout v71 wire objects the connector reads; unknown fields are dropped. */
export const amount = z.object({ value: minorUnits, currency: z.string() });

export const paymentResponse = z.object({
  pspReference: z.string().optional(),
  resultCode: z.string(),
  refusalReason: z.string().optional(),
  refusalReasonCode: z.string().optional(),
  amount: amount.optional(),
  merchantReference: z.string().optional(),
  action: z.object({ type: z.string(), url: z.string().optional() }).loose().optional(),
});

export const modificationResponse = z.object({
  pspReference: z.string(),
  paymentPspReference: z.string().optional(),
  status: z.string(),
  amount: amount.optional(),
  reference: z.string().optional(),
});

export const errorResponse = z.object({
  status: z.number().optional(),
  errorCode: z.string(),
  message: z.string(),
  errorType: z.string().optional(),
  pspReference: z.string().optional(),
});

export const notificationItem = z.object({
  pspReference: z.string(),
  originalReference: z.string().optional(),
  merchantAccountCode: z.string(),
  merchantReference: z.string(),
  amount: z.object({ value: z.int(), currency: z.string() }),
  eventCode: z.string(),
  eventDate: z.string().optional(),
  success: z.string().meta({ enum: ["true", "false"] }),
  reason: z.string().optional(),
  additionalData: z
    .record(z.string(), z.unknown())
    .meta({
      description: "Needed in every item: without its hmacSignature the notification is refused (401).",
      required: ["hmacSignature"],
      properties: {
        hmacSignature: {
          type: "string",
          description:
            "Base64 HMAC-SHA256 of pspReference:originalReference:merchantAccountCode:merchantReference:value:currency:eventCode:success, keyed with ADYEN_HMAC_KEY_HEX.",
        },
      },
    })
    .optional(),
});

/** An Adyen standard notification; also the request body of POST /webhooks/adyen in the OpenAPI document. */
export const notification = z
  .object({
    live: z.string(),
    notificationItems: z.array(z.object({ NotificationRequestItem: notificationItem.loose() })).min(1),
  })
  .meta({
    id: "AdyenNotification",
    description:
      "An Adyen standard notification. Each item is verified and deduplicated on its own (`pspReference:eventCode:success`). Applied event codes: AUTHORISATION, CAPTURE, CANCELLATION, REFUND, REFUND_FAILED, and the dispute codes (NOTIFICATION_OF_CHARGEBACK, CHARGEBACK, SECOND_CHARGEBACK, …).",
  });

export type AdyenPaymentResponse = z.infer<typeof paymentResponse>;
export type AdyenNotificationItem = z.infer<typeof notificationItem>;
