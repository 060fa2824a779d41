import { PaymentError } from "../core/domain/errors.ts";

/** Errors only the HTTP edge raises; domain errors come from core/domain/errors.ts. */
export const httpErrors = {
  invalidJson: () =>
    new PaymentError("malformed", "invalid_request_error", "invalid_json", "Request body is not valid JSON"),
  unsupportedMediaType: () =>
    new PaymentError(
      "unsupported_media_type",
      "invalid_request_error",
      "unsupported_media_type",
      "Content-Type must be application/json",
    ),
  payloadTooLarge: (limitBytes: number) =>
    new PaymentError(
      "too_large",
      "invalid_request_error",
      "payload_too_large",
      `Request body exceeds ${limitBytes} bytes`,
    ),
  jsonTooDeep: (limit: number) =>
    new PaymentError(
      "malformed",
      "invalid_request_error",
      "json_too_deep",
      `Request body nests deeper than ${limit} levels`,
    ),
  jsonTooManyKeys: (limit: number) =>
    new PaymentError(
      "malformed",
      "invalid_request_error",
      "json_too_many_keys",
      `Request body holds more than ${limit} keys`,
    ),
  // The path is not echoed: it may hold anything the caller typed, card data included.
  routeNotFound: (method: string) =>
    new PaymentError(
      "not_found",
      "invalid_request_error",
      "route_not_found",
      `No route for ${method} on this path`,
    ),
  methodNotAllowed: (method: string) =>
    new PaymentError(
      "method_not_allowed",
      "invalid_request_error",
      "method_not_allowed",
      `Method ${method} is not allowed here`,
    ),
  panNotAllowed: (field: string | undefined, reason: "card_number" | "security_code") =>
    new PaymentError(
      "invalid",
      "invalid_request_error",
      "pan_not_allowed",
      reason === "card_number"
        ? "Raw card numbers are not accepted; send a payment method token instead"
        : "Card security codes are not accepted; send a payment method token instead",
      field,
    ),
  idempotencyKeyInvalid: () =>
    new PaymentError(
      "invalid",
      "invalid_request_error",
      "idempotency_key_invalid",
      "Idempotency-Key must be 1 to 255 printable characters",
      "Idempotency-Key",
    ),
  // Webhooks: the signature proves the sender, so its failures are authentication errors (401).
  webhookSignatureMissing: () =>
    new PaymentError(
      "unauthenticated",
      "authentication_error",
      "webhook_signature_missing",
      "The webhook carries no signature",
    ),
  webhookSignatureInvalid: () =>
    new PaymentError(
      "unauthenticated",
      "authentication_error",
      "webhook_signature_invalid",
      "The webhook signature does not match the body",
    ),
  webhookTimestampExpired: () =>
    new PaymentError(
      "unauthenticated",
      "authentication_error",
      "webhook_timestamp_expired",
      "The webhook signature timestamp is outside the tolerance",
    ),
  webhookMalformed: () =>
    new PaymentError(
      "malformed",
      "invalid_request_error",
      "webhook_malformed",
      "The webhook body or signature header is malformed",
    ),
  internal: () => new PaymentError("internal", "api_error", "api_error", "An internal error occurred"),
} as const;
