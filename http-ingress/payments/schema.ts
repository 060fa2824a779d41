import { z } from "zod";
import { type Currency, isSupportedCurrency } from "../../core/domain/currency.ts";
import { PSP_NAMES } from "../../core/domain/payment-status.ts";
import { checkAmount } from "../validation.ts";

const METADATA_MAX_KEYS = 50;
const METADATA_KEY_MAX = 40;
const METADATA_VALUE_MAX = 500;
/** The largest amount, 9999999999.99, is 13 characters; the rest is room for a clear amount_* code. */
export const AMOUNT_MAX_LENGTH = 32;

/** Amounts are decimal strings; JSON numbers are refused (see validation.ts: amount_invalid). */
export const amountString = z
  .string()
  .max(AMOUNT_MAX_LENGTH, { error: `amount is at most ${AMOUNT_MAX_LENGTH} characters` });

export const paymentMethodSchema = z.strictObject({
  type: z.literal("card", { error: 'payment_method.type must be "card"' }),
  token: z.string().regex(/^(pm|tok|src)_[A-Za-z0-9_]{1,200}$/, {
    error: "token must be a payment method token (pm_…, tok_… or src_…)",
  }),
});

export const metadataSchema = z
  .record(
    z.string(),
    z.string().max(METADATA_VALUE_MAX, { error: `values are at most ${METADATA_VALUE_MAX} characters` }),
  )
  .superRefine((metadata, ctx) => {
    const keys = Object.keys(metadata);
    if (keys.length > METADATA_MAX_KEYS) {
      ctx.addIssue({ code: "custom", message: `metadata holds at most ${METADATA_MAX_KEYS} keys` });
    }
    for (const key of keys) {
      if (key.length === 0 || key.length > METADATA_KEY_MAX) {
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: `metadata keys are 1 to ${METADATA_KEY_MAX} characters`,
        });
      }
    }
  });

const currencySchema = z
  .string()
  .max(3, { error: "currency is a 3-letter ISO 4217 code" })
  .transform((code) => code.toUpperCase())
  .refine(isSupportedCurrency, {
    error: "currency is not a supported ISO 4217 code",
    params: { code: "currency_unsupported" },
  });

export const createPaymentSchema = z
  .strictObject({
    order_id: z.int({ error: "order_id must be an integer" }).positive(),
    amount: amountString,
    currency: currencySchema,
    psp: z.enum(PSP_NAMES as ["stripe", "adyen"]).nullish(),
    capture_method: z.enum(["automatic", "manual"]).nullish(),
    payment_method: paymentMethodSchema.nullish(),
    customer_id: z.string().min(1).max(255).nullish(),
    description: z.string().max(1000).nullish(),
    metadata: metadataSchema.nullish(),
  })
  .superRefine((body, ctx) => {
    if (isSupportedCurrency(body.currency)) checkAmount(body.amount, body.currency, ctx);
  });

export const confirmPaymentSchema = z.strictObject({ payment_method: paymentMethodSchema.nullish() });

/** Partial capture: the amount is checked against the payment's own currency. */
export const capturePaymentSchema = (currency: Currency) =>
  z.strictObject({ amount: amountString.nullish() }).superRefine((body, ctx) => {
    if (body.amount != null) checkAmount(body.amount, currency, ctx);
  });

export const cancelPaymentSchema = z.strictObject({ reason: z.string().min(1).max(64).nullish() });

export type CreatePaymentInput = z.infer<typeof createPaymentSchema>;
export type ConfirmPaymentInput = z.infer<typeof confirmPaymentSchema>;
export type CapturePaymentInput = z.infer<ReturnType<typeof capturePaymentSchema>>;
export type CancelPaymentInput = z.infer<typeof cancelPaymentSchema>;
