import { z } from "zod";
import { CAPTURE_METHODS, PAYMENT_STATUSES, PSP_NAMES } from "../../core/domain/payment-status.ts";

/**
 * The public API's payment and refund objects (docs/api.md) as zod schemas: the response types are
 * inferred from them and the OpenAPI document is generated from them (`npm run openapi:generate`).
 * The ids name the OpenAPI components.
 */
export const amountOut = z
  .string()
  .regex(/^(0|[1-9][0-9]*)(\.[0-9]{2})?$/)
  .meta({
    id: "Amount",
    description:
      'Decimal string in major units with exactly the currency\'s number of decimals: "10.00" USD, "5000" JPY.',
    examples: ["49.99", "5000"],
  });

export const currencyOut = z
  .string()
  .regex(/^[A-Z]{3}$/)
  .meta({ id: "Currency", description: "ISO 4217 code." });

export const paymentStatusSchema = z.enum(PAYMENT_STATUSES).meta({ id: "PaymentStatus" });
export const captureMethodSchema = z.enum(CAPTURE_METHODS).meta({ id: "CaptureMethod" });
export const pspSchema = z.enum(PSP_NAMES as ["stripe", "adyen"]).meta({ id: "Psp" });

export const paymentMethodSummarySchema = z
  .strictObject({
    type: z.string(),
    token_last4: z.string().optional(),
    brand: z.string().optional(),
  })
  .meta({ id: "PaymentMethodSummary" });

const nextActionSchema = z
  .strictObject({
    type: z.string(),
    client_secret: z.string().optional(),
    redirect_url: z.string().optional(),
  })
  .meta({
    description:
      "Present while status is requires_action: how the shopper finishes authentication. With Stripe, hand client_secret to stripe.js (handleNextAction), or send the shopper to redirect_url when the service was configured with STRIPE_RETURN_URL; with Adyen, redirect_url is the action URL.",
  });

const timestamp = z.iso.datetime();

export const paymentResponseSchema = z
  .strictObject({
    payment_id: z.uuid(),
    order_id: z.int().min(1),
    amount: amountOut,
    currency: currencyOut,
    status: paymentStatusSchema,
    capture_method: captureMethodSchema,
    psp: pspSchema,
    payment_method: paymentMethodSummarySchema.nullable(),
    amount_capturable: amountOut,
    amount_captured: amountOut,
    amount_refunded: amountOut,
    risk_score: z.int().min(0).max(100).optional(),
    failure_reason: z.string().optional(),
    psp_code: z.string().optional(),
    psp_reference: z.string().optional(),
    customer_id: z.string().optional(),
    description: z.string().optional(),
    metadata: z.record(z.string(), z.string()),
    next_action: nextActionSchema.optional(),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({
    id: "PaymentResponse",
    example: {
      payment_id: "6f1c2a9e-1b7d-4c55-9a7e-2f0c1d3e4b5a",
      order_id: 1001,
      amount: "49.99",
      currency: "USD",
      status: "requires_confirmation",
      capture_method: "automatic",
      psp: "stripe",
      payment_method: { type: "card", token_last4: "4242", brand: "visa" },
      amount_capturable: "0.00",
      amount_captured: "0.00",
      amount_refunded: "0.00",
      metadata: {},
      created_at: "2025-01-01T12:00:00.000Z",
      updated_at: "2025-01-01T12:00:00.000Z",
    },
  });

export const paymentListSchema = z.array(paymentResponseSchema).meta({
  id: "PaymentList",
  description: "The order's payments, newest first (the blueprint's List[PaymentResponse]).",
});

export const refundResponseSchema = z
  .strictObject({
    refund_id: z.uuid(),
    payment_id: z.uuid(),
    amount: amountOut,
    currency: currencyOut,
    status: z.enum(["pending", "succeeded", "failed"]),
    reason: z.string().nullable(),
    created_at: timestamp,
    processed_at: timestamp.nullable(),
  })
  .meta({ id: "RefundResponse" });

export type PaymentResponse = z.infer<typeof paymentResponseSchema>;
export type RefundResponse = z.infer<typeof refundResponseSchema>;
