import { PaymentError } from "../core/domain/errors.ts";

/** Errors only the HTTP edge raises; domain errors come from core/domain/errors.ts. */
export const httpErrors = {
  invalidJson: () =>
    new PaymentError(400, "invalid_request_error", "invalid_json", "Request body is not valid JSON"),
  unsupportedMediaType: () =>
    new PaymentError(
      415,
      "invalid_request_error",
      "unsupported_media_type",
      "Content-Type must be application/json",
    ),
  payloadTooLarge: (limitBytes: number) =>
    new PaymentError(
      413,
      "invalid_request_error",
      "payload_too_large",
      `Request body exceeds ${limitBytes} bytes`,
    ),
  routeNotFound: (method: string, path: string) =>
    new PaymentError(404, "invalid_request_error", "route_not_found", `No route for ${method} ${path}`),
  methodNotAllowed: (method: string) =>
    new PaymentError(
      405,
      "invalid_request_error",
      "method_not_allowed",
      `Method ${method} is not allowed here`,
    ),
  panNotAllowed: (field: string | undefined, reason: "card_number" | "security_code") =>
    new PaymentError(
      422,
      "invalid_request_error",
      "pan_not_allowed",
      reason === "card_number"
        ? "Raw card numbers are not accepted; send a payment method token instead"
        : "Card security codes are not accepted; send a payment method token instead",
      field,
    ),
  idempotencyKeyInvalid: () =>
    new PaymentError(
      422,
      "invalid_request_error",
      "idempotency_key_invalid",
      "Idempotency-Key must be 1 to 255 printable characters",
      "Idempotency-Key",
    ),
  internal: () => new PaymentError(500, "api_error", "api_error", "An internal error occurred"),
} as const;
