import { maskedKey } from "../shared/api-keys.ts";
import { SimHttpError, type SimResponse } from "../shared/sim-response.ts";

type StripeErrorType = "api_error" | "card_error" | "idempotency_error" | "invalid_request_error";

export function stripeErrorResponse(
  status: number,
  type: StripeErrorType,
  message: string,
  extra: Record<string, unknown> = {},
): SimResponse {
  return { status, body: { error: { type, message, ...extra } } };
}

function invalid(message: string, extra: Record<string, unknown>): SimHttpError {
  return new SimHttpError(stripeErrorResponse(400, "invalid_request_error", message, extra));
}

export const stripeErrors = {
  missingParam: (param: string) =>
    invalid(`Missing required param: ${param}.`, { code: "parameter_missing", param }),
  invalidParam: (param: string, message: string) => invalid(message, { code: "parameter_invalid", param }),
  invalidInteger: (param: string) =>
    invalid("Invalid positive integer", { code: "parameter_invalid_integer", param }),
  /** A missing path resource is 404; a missing resource named by a parameter is 400. */
  noSuch: (what: string, id: string, param?: string) =>
    new SimHttpError(
      stripeErrorResponse(param ? 400 : 404, "invalid_request_error", `No such ${what}: '${id}'`, {
        code: "resource_missing",
        ...(param ? { param } : {}),
      }),
    ),
  // Stripe embeds the whole PaymentIntent, so the caller can see what state it is really in.
  unexpectedState: (action: string, status: string, paymentIntent?: unknown) =>
    invalid(`You cannot ${action} this PaymentIntent because it has a status of ${status}.`, {
      code: "payment_intent_unexpected_state",
      doc_url: "https://stripe.com/docs/error-codes/payment-intent-unexpected-state",
      ...(paymentIntent === undefined ? {} : { payment_intent: paymentIntent }),
    }),
  amountTooLarge: (message: string, param: string) => invalid(message, { code: "amount_too_large", param }),
  alreadyRefunded: (charge: string) =>
    invalid(`Charge ${charge} has already been refunded.`, { code: "charge_already_refunded" }),
  /** What preflightFault answers for the fault tokens. */
  preflight: () => ({
    serverError: stripeErrors.serverError,
    unauthorized: () => stripeErrors.unauthorized("sk_test_sim_psp_auth_error"),
    rateLimited: stripeErrors.rateLimited,
  }),
  serverError: (): SimResponse => ({
    ...stripeErrorResponse(500, "api_error", "An unknown error occurred (simulated PSP failure)."),
    remember: false,
  }),
  // Stripe's wire type for a bad key is invalid_request_error (its SDKs raise AuthenticationError).
  unauthorized: (key = ""): SimResponse =>
    stripeErrorResponse(401, "invalid_request_error", `Invalid API Key provided: ${maskedKey(key)}`),
  rateLimited: (): SimResponse =>
    stripeErrorResponse(
      429,
      "invalid_request_error",
      "Too many requests hit the API too quickly. We recommend an exponential backoff of your requests.",
      { code: "rate_limit" },
    ),
  idempotencyMismatch: (key: string): SimResponse =>
    stripeErrorResponse(
      400,
      "idempotency_error",
      `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
    ),
  idempotencyInFlight: (): SimResponse =>
    stripeErrorResponse(
      409,
      "idempotency_error",
      "There is currently another in-progress request using this Idempotent Key. Please try again later.",
      { code: "idempotency_key_in_use" },
    ),
};
