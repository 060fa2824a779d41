import { z } from "zod";
import {
  type Currency,
  currencyExponent,
  isSupportedCurrency,
  SUPPORTED_CURRENCIES,
} from "../../core/domain/currency.ts";
import { captureMethodSchema, pspSchema } from "../presentation/resource-schema.ts";
import { checkAmount } from "../validation.ts";

// The `.meta()` ids name the OpenAPI components generated from these schemas (`npm run openapi:generate`).

const METADATA_MAX_KEYS = 50;
const METADATA_KEY_MAX = 40;
const METADATA_VALUE_MAX = 500;
/** The largest amount, 9999999999.99, is 13 characters; the rest is room for a clear amount_* code. */
export const AMOUNT_MAX_LENGTH = 32;

/** Amounts are decimal strings; JSON numbers are refused (see validation.ts: amount_invalid). */
export const amountString = z
  .string()
  .max(AMOUNT_MAX_LENGTH, { error: `amount is at most ${AMOUNT_MAX_LENGTH} characters` })
  .meta({
    id: "AmountInput",
    description:
      "Decimal string in major units; JSON numbers are refused (`amount_invalid`). At most the currency's decimals (`amount_too_precise`), greater than zero (`amount_not_positive`), at most 9999999999.99 (`amount_too_large`). No exponent, sign or leading zeros.",
    examples: ["49.99", "5000"],
  });

export const paymentMethodSchema = z
  .strictObject({
    type: z.literal("card", { error: 'payment_method.type must be "card"' }),
    token: z
      .string()
      .regex(/^(pm|tok|src)_[A-Za-z0-9_]{1,200}$/, {
        error: "token must be a payment method token (pm_…, tok_… or src_…)",
      })
      .meta({ description: "A PSP token or test PaymentMethod id (pm_card_visa, …). Never a card number." }),
  })
  .meta({ id: "PaymentMethodInput" });

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
  })
  .meta({
    id: "Metadata",
    description: `String to string; at most ${METADATA_MAX_KEYS} keys of 1–${METADATA_KEY_MAX} characters, values up to ${METADATA_VALUE_MAX} characters.`,
    maxProperties: METADATA_MAX_KEYS,
    propertyNames: { minLength: 1, maxLength: METADATA_KEY_MAX },
  });

export const currencySchema = z
  .string()
  .max(3, { error: "currency is a 3-letter ISO 4217 code" })
  .transform((code) => code.toUpperCase())
  .refine(isSupportedCurrency, {
    error: "currency is not a supported ISO 4217 code",
    params: { code: "currency_unsupported" },
  })
  .meta({
    id: "CurrencyInput",
    pattern: "^[A-Za-z]{3}$",
    description: `ISO 4217 code, case-insensitive. Supported: ${currenciesWithDecimals(2)} (2 decimals); ${currenciesWithDecimals(0)} (0 decimals). Others answer 422 \`currency_unsupported\`.`,
  });

function currenciesWithDecimals(exponent: 0 | 2): string {
  return SUPPORTED_CURRENCIES.filter((c) => currencyExponent(c) === exponent)
    .sort()
    .join(" ");
}

export const createPaymentSchema = z
  .strictObject({
    order_id: z
      .int({ error: "order_id must be an integer" })
      .positive()
      .meta({ maximum: Number.MAX_SAFE_INTEGER }),
    amount: amountString,
    currency: currencySchema,
    psp: pspSchema.nullish().meta({ description: "Defaults to the service's DEFAULT_PSP (stripe)." }),
    capture_method: captureMethodSchema.nullish().meta({ description: "Defaults to automatic." }),
    payment_method: paymentMethodSchema.nullish(),
    customer_id: z.string().min(1).max(255).nullish(),
    description: z.string().max(1000).nullish(),
    metadata: metadataSchema.nullish(),
  })
  .superRefine((body, ctx) => {
    if (isSupportedCurrency(body.currency)) checkAmount(body.amount, body.currency, ctx);
  })
  .meta({
    id: "CreatePaymentRequest",
    example: {
      order_id: 1001,
      amount: "49.99",
      currency: "USD",
      payment_method: { type: "card", token: "pm_card_visa" },
    },
  });

export const confirmPaymentSchema = z
  .strictObject({ payment_method: paymentMethodSchema.nullish() })
  .meta({ id: "ConfirmPaymentRequest" });

/** The capture body's shape; its amount is checked against the payment's currency by capturePaymentSchema. */
export const capturePaymentBody = z
  .strictObject({
    amount: amountString
      .nullish()
      .meta({ description: "Defaults to the whole capturable amount; partial capture up to it." }),
  })
  .meta({ id: "CapturePaymentRequest" });

/** Partial capture: the amount is checked against the payment's own currency. */
export const capturePaymentSchema = (currency: Currency) =>
  capturePaymentBody.superRefine((body, ctx) => {
    if (body.amount != null) checkAmount(body.amount, currency, ctx);
  });

export const cancelPaymentSchema = z
  .strictObject({ reason: z.string().min(1).max(64).nullish() })
  .meta({ id: "CancelPaymentRequest" });

export type CreatePaymentInput = z.infer<typeof createPaymentSchema>;
export type ConfirmPaymentInput = z.infer<typeof confirmPaymentSchema>;
export type CapturePaymentInput = z.infer<ReturnType<typeof capturePaymentSchema>>;
export type CancelPaymentInput = z.infer<typeof cancelPaymentSchema>;
