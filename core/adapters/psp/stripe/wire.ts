import { z } from "zod";
import { minorUnits } from "../wire-json.ts";

/** The slice of Stripe's wire objects the connector reads; unknown fields are dropped. */
export const stripeErrorObject = z.object({
  type: z.string(),
  code: z.string().optional(),
  decline_code: z.string().optional(),
  message: z.string().optional(),
  param: z.string().optional(),
});

export const paymentIntent = z.object({
  id: z.string(),
  object: z.literal("payment_intent"),
  amount: minorUnits,
  amount_capturable: minorUnits,
  amount_received: minorUnits,
  currency: z.string(),
  status: z.string(),
  capture_method: z.string(),
  latest_charge: z.string().nullish(),
  metadata: z.record(z.string(), z.string()).optional(),
  last_payment_error: stripeErrorObject.nullish(),
  client_secret: z.string().nullish(),
  next_action: z
    .object({
      type: z.string(),
      redirect_to_url: z.object({ url: z.string().nullish() }).loose().nullish(),
    })
    .loose()
    .nullish(),
  created: z.int().optional(),
});

/** Stripe embeds the object an error is about: the PaymentIntent (whole, as the API renders it). */
export const errorEnvelope = z.object({
  error: stripeErrorObject.extend({
    payment_intent: z.object({ id: z.string(), status: z.string() }).loose().optional(),
  }),
});

export const refund = z.object({
  id: z.string(),
  object: z.literal("refund"),
  amount: minorUnits,
  status: z.string().nullable(),
  failure_reason: z.string().nullish(),
  payment_intent: z.string().nullish(),
  metadata: z.record(z.string(), z.string()).optional(),
});

export const dispute = z.object({
  id: z.string(),
  object: z.literal("dispute"),
  amount: minorUnits,
  currency: z.string(),
  reason: z.string().nullish(),
  status: z.string(),
  payment_intent: z.string().nullish(),
});

/** A Stripe Event; also the request body of POST /webhooks/stripe in the OpenAPI document. */
export const event = z
  .object({
    id: z.string().meta({ description: "The event id (evt_…): the deduplication key." }),
    type: z.string(),
    created: z.int(),
    livemode: z.boolean().optional(),
    data: z.object({ object: z.record(z.string(), z.unknown()) }),
  })
  .meta({
    id: "StripeEvent",
    description:
      "A Stripe Event. Applied types: payment_intent.* (succeeded, amount_capturable_updated, payment_failed, requires_action, canceled), refund.created / refund.updated / refund.failed, charge.dispute.*; others are acknowledged and recorded only.",
  });

export type StripePaymentIntent = z.infer<typeof paymentIntent>;
export type StripeErrorObject = z.infer<typeof stripeErrorObject>;
export type StripeRefund = z.infer<typeof refund>;
