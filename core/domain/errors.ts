export const ERROR_TYPES = [
  "invalid_request_error",
  "card_error",
  "idempotency_error",
  "state_error",
  "not_found_error",
  "authentication_error",
  "permission_error",
  "rate_limit_error",
  "api_error",
] as const;

export type ErrorType = (typeof ERROR_TYPES)[number];

/**
 * What went wrong, in the domain's words; the HTTP edge maps each kind to a status
 * (http-ingress/presentation/error-response.ts).
 */
export type ErrorKind =
  | "malformed"
  | "invalid"
  | "unauthenticated"
  | "forbidden"
  | "declined"
  | "not_found"
  | "conflict"
  | "rate_limited"
  | "unavailable"
  | "internal"
  | "too_large"
  | "unsupported_media_type"
  | "method_not_allowed";

/** An error the caller can act on: its kind, a stable code, and the field at fault. */
export class PaymentError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly type: ErrorType,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = "PaymentError";
  }
}

/** A 429: the caller may try again after `retryAfterSeconds` (the Retry-After header). */
export class RateLimitedError extends PaymentError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super("rate_limited", "rate_limit_error", "rate_limited", message);
  }
}

export const errors = {
  validation: (code: string, message: string, field?: string) =>
    new PaymentError("invalid", "invalid_request_error", code, message, field),
  notFound: (what: string) =>
    new PaymentError("not_found", "not_found_error", "resource_missing", `No such ${what}`),
  invalidState: (message: string) => new PaymentError("conflict", "state_error", "invalid_state", message),
  conflict: (code: string, message: string) => new PaymentError("conflict", "state_error", code, message),
  operationInProgress: () =>
    new PaymentError(
      "conflict",
      "state_error",
      "operation_in_progress",
      "Another operation on this payment is in progress",
    ),
  refundExceedsCaptured: () =>
    new PaymentError(
      "conflict",
      "state_error",
      "refund_exceeds_captured",
      "Refund exceeds the amount left to refund",
      "amount",
    ),
  captureExceedsAuthorized: () =>
    new PaymentError(
      "conflict",
      "state_error",
      "capture_exceeds_authorized",
      "Capture exceeds the authorized amount",
      "amount",
    ),
  idempotencyConflict: (message: string) =>
    new PaymentError("conflict", "idempotency_error", "idempotency_conflict", message),
  /** Stripe's code for the same case: retryable, unlike idempotency_conflict (a different request). */
  idempotencyKeyInUse: () =>
    new PaymentError(
      "conflict",
      "idempotency_error",
      "idempotency_key_in_use",
      "A request with this Idempotency-Key is still in progress; retry later",
    ),
  declined: (code: string, message: string) => new PaymentError("declined", "card_error", code, message),
  unavailable: (message: string) =>
    new PaymentError("unavailable", "api_error", "service_unavailable", message),
  pspUnavailable: (code: "psp_unavailable" | "psp_configuration_error", message: string) =>
    new PaymentError("unavailable", "api_error", code, message),
  internal: () =>
    new PaymentError("internal", "api_error", "internal_error", "The request could not be processed"),
  overloaded: () =>
    new PaymentError(
      "unavailable",
      "api_error",
      "overloaded",
      "The service is at capacity and did nothing with this request; retry after Retry-After seconds",
    ),
  rateLimited: (message: string, retryAfterSeconds: number) =>
    new RateLimitedError(message, retryAfterSeconds),
} as const;
