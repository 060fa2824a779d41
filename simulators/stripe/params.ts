import type { RouterContext } from "@koa/router";
import { type FormObject, formString, formStringMap } from "../shared/form-encoding.ts";
import { integerAmount } from "../shared/json.ts";
import { stripeErrors } from "./errors.ts";
import type { NewIntent } from "./ledger.ts";

export function form(ctx: RouterContext): FormObject {
  return (ctx.state.form as FormObject | undefined) ?? {};
}

export function positiveAmount(params: FormObject, name: string): bigint | undefined {
  const raw = formString(params, name);
  if (raw === undefined) return undefined;
  const amount = integerAmount(raw);
  if (amount === undefined || amount <= 0n) throw stripeErrors.invalidInteger(name);
  return amount;
}

export function isTrue(params: FormObject, name: string): boolean {
  return formString(params, name) === "true";
}

/** The PaymentIntent create parameters we model; unknown parameters are ignored. */
export function newIntentParams(params: FormObject): NewIntent {
  const amount = positiveAmount(params, "amount");
  if (amount === undefined) throw stripeErrors.missingParam("amount");
  const currency = formString(params, "currency");
  if (currency === undefined) throw stripeErrors.missingParam("currency");
  if (!/^[a-z]{3}$/.test(currency))
    throw stripeErrors.invalidParam("currency", `Invalid currency: ${currency}.`);
  const captureMethod = formString(params, "capture_method") ?? "automatic";
  if (captureMethod !== "automatic" && captureMethod !== "manual" && captureMethod !== "automatic_async") {
    throw stripeErrors.invalidParam("capture_method", `Invalid capture_method: ${captureMethod}`);
  }
  return {
    amount,
    currency,
    captureMethod: captureMethod === "manual" ? "manual" : "automatic",
    paymentMethod: formString(params, "payment_method"),
    profile: undefined,
    metadata: formStringMap(params, "metadata"),
    description: formString(params, "description") ?? null,
  };
}

/** Parses Stripe search syntax for the one clause we support: metadata['key']:'value'. */
export function metadataClause(query: string): { key: string; value: string } | undefined {
  const match = /^\s*metadata\[(['"])([^'"]+)\1\]\s*:\s*(['"])(.*)\3\s*$/.exec(query);
  if (!match?.[2] || match[4] === undefined) return undefined;
  return { key: match[2], value: match[4] };
}
