import { z } from "zod";

/** Stripe's acknowledgement (Adyen's is the text `[accepted]`). */
export const stripeWebhookAckSchema = z
  .strictObject({
    received: z.literal(true),
    duplicate: z
      .boolean()
      .meta({ description: "`true` when this event id was received before; it is not applied again." }),
  })
  .meta({ id: "StripeWebhookAck" });

export type StripeWebhookAck = z.infer<typeof stripeWebhookAckSchema>;

/** Adyen treats any other answer as a failed delivery. */
export const ADYEN_ACCEPTED = "[accepted]";
