import type { z } from "zod";
import type { Currency } from "../core/domain/currency.ts";
import { errors, type PaymentError } from "../core/domain/errors.ts";
import { type AmountParseError, parseAmount } from "../core/domain/money.ts";

const AMOUNT_MESSAGES: Record<AmountParseError, string> = {
  amount_invalid: 'amount must be a decimal string in major units, e.g. "49.99"',
  amount_too_precise: "amount has more decimals than the currency allows",
  amount_not_positive: "amount must be greater than zero",
  amount_too_large: "amount exceeds the largest amount the ledger can hold",
};

const NEGATIVE_DECIMAL = /^-(0|[1-9]\d*)(\.\d+)?$/;

/** Minor units of a valid amount, or the 422 that names `field`. */
export function parseAmountField(
  input: string,
  currency: Currency,
  field = "amount",
): { ok: true; minor: bigint } | { ok: false; error: PaymentError } {
  const code: AmountParseError | null = NEGATIVE_DECIMAL.test(input) ? "amount_not_positive" : null;
  const parsed = code ? ({ ok: false, code } as const) : parseAmount(input, currency);
  if (parsed.ok) return { ok: true, minor: parsed.money.minor };
  return { ok: false, error: errors.validation(parsed.code, AMOUNT_MESSAGES[parsed.code], field) };
}

/** Minor units of an amount that validation already accepted; throws its 422 otherwise. */
export function amountMinor(input: string, currency: Currency, field = "amount"): bigint {
  const parsed = parseAmountField(input, currency, field);
  if (!parsed.ok) throw parsed.error;
  return parsed.minor;
}

/** A zod refinement that reports an invalid amount under `amount` with its stable code. */
export function checkAmount(amount: string, currency: Currency, ctx: z.core.$RefinementCtx): void {
  const parsed = parseAmountField(amount, currency);
  if (parsed.ok) return;
  ctx.addIssue({
    code: "custom",
    path: ["amount"],
    message: parsed.error.message,
    params: { code: parsed.error.code },
  });
}

/** Parses `input` or throws the 422 for its first problem, naming the field by its JSON path. */
export function parseBody<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  // A misspelt field also shows up as a missing one; naming the unknown key helps the caller more.
  const issues = result.error.issues;
  throw toValidationError(issues.find((i) => i.code === "unrecognized_keys") ?? issues[0], input);
}

function toValidationError(issue: z.core.$ZodIssue | undefined, input: unknown): PaymentError {
  if (!issue) return errors.validation("parameter_invalid", "Invalid request body");
  const path = issue.path.map(String);
  if (issue.code === "unrecognized_keys") {
    const field = [...path, issue.keys[0] ?? ""].join(".");
    return errors.validation("parameter_unknown", `Unknown field ${field}`, field);
  }
  const field = path.length > 0 ? path.join(".") : undefined;
  const label = field ?? "request body";
  if (issue.code === "custom" && typeof issue.params?.code === "string") {
    return errors.validation(issue.params.code, issue.message, field);
  }
  if (issue.code === "invalid_type" && path.length > 0 && valueAt(input, path) === undefined) {
    return errors.validation("parameter_missing", `Missing required field ${label}`, field);
  }
  if (issue.code === "invalid_type" && path.at(-1) === "amount") {
    return errors.validation("amount_invalid", AMOUNT_MESSAGES.amount_invalid, field);
  }
  return errors.validation("parameter_invalid", `Invalid ${label}: ${issue.message}`, field);
}

function valueAt(input: unknown, path: readonly string[]): unknown {
  let current = input;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}
