import { z } from "zod";
import type { Currency } from "../../core/domain/currency.ts";
import { amountString } from "../payments/schema.ts";
import { checkAmount } from "../validation.ts";

/** `amount` defaults to what remains refundable; `reason` fits refunds.reason VARCHAR(64). */
export const refundPaymentBody = z
  .strictObject({
    amount: amountString.nullish().meta({ description: "Defaults to what remains refundable." }),
    reason: z.string().min(1).max(64).nullish(),
  })
  .meta({ id: "RefundPaymentRequest" });

export const refundPaymentSchema = (currency: Currency) =>
  refundPaymentBody.superRefine((body, ctx) => {
    if (body.amount != null) checkAmount(body.amount, currency, ctx);
  });

export type RefundPaymentInput = z.infer<ReturnType<typeof refundPaymentSchema>>;
