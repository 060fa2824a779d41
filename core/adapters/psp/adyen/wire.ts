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
  success: z.string(),
  reason: z.string().optional(),
  additionalData: z.record(z.string(), z.unknown()).optional(),
});

export const notification = z.object({
  live: z.string(),
  notificationItems: z.array(z.object({ NotificationRequestItem: notificationItem.loose() })).min(1),
});

export type AdyenPaymentResponse = z.infer<typeof paymentResponse>;
export type AdyenNotificationItem = z.infer<typeof notificationItem>;
