import type { RouterContext } from "@koa/router";
import { integerAmount } from "../shared/json.ts";
import { adyenErrors } from "./errors.ts";

export type JsonBody = Record<string, unknown>;

export function jsonBody(ctx: RouterContext): JsonBody {
  return (ctx.state.json as JsonBody | undefined) ?? {};
}

function objectField(body: JsonBody, field: string): JsonBody | undefined {
  const value = body[field];
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as JsonBody)
    : undefined;
}

export function stringField(body: JsonBody, field: string): string | undefined {
  const value = body[field];
  return typeof value === "string" && value !== "" ? value : undefined;
}

export function requiredString(body: JsonBody, field: string): string {
  const value = stringField(body, field);
  if (value === undefined) throw adyenErrors.missingField(field);
  return value;
}

/** Adyen Amount {value: integer minor units, currency: ISO 4217}. */
export function amountField(body: JsonBody, field = "amount"): { value: bigint; currency: string } {
  const amount = objectField(body, field);
  if (amount === undefined) throw adyenErrors.missingField(field);
  const value = integerAmount(amount.value);
  const currency = amount.currency;
  if (value === undefined || value <= 0n) throw adyenErrors.invalidAmount();
  if (typeof currency !== "string" || !/^[A-Z]{3}$/.test(currency))
    throw adyenErrors.missingField(`${field}.currency`);
  return { value, currency };
}

export interface PaymentParams {
  amount: { value: bigint; currency: string };
  reference: string;
  merchantAccount: string;
  token: string;
  manualCapture: boolean;
  metadata: Record<string, string>;
}

export function paymentParams(body: JsonBody): PaymentParams {
  const method = objectField(body, "paymentMethod");
  const token = method === undefined ? undefined : stringField(method, "storedPaymentMethodId");
  if (token === undefined) throw adyenErrors.missingField("paymentMethod.storedPaymentMethodId");
  const metadata = Object.entries(objectField(body, "metadata") ?? {}).filter(
    (entry): entry is [string, string] => typeof entry[1] === "string",
  );
  return {
    amount: amountField(body),
    reference: requiredString(body, "reference"),
    merchantAccount: requiredString(body, "merchantAccount"),
    token,
    manualCapture: objectField(body, "additionalData")?.manualCapture === "true",
    metadata: Object.fromEntries(metadata),
  };
}
