import type { OpenAPIRegistry } from "@asteasolutions/zod-to-openapi";
import type { ParameterObject, SchemaObject } from "openapi3-ts/oas31";
import { STRIPE_TOLERANCE_SECONDS } from "../../core/adapters/psp/stripe/webhook.ts";
import { configDefaults } from "../../core/infra/config.ts";
import { JSON_LIMITS } from "../json-limits.ts";

/** `{ $ref }` to a component of the document. */
export const ref = (kind: "parameters" | "headers" | "responses" | "schemas", name: string) => ({
  $ref: `#/components/${kind}/${name}`,
});

const bodyLimits = `${JSON_LIMITS.bytes / 1024} KiB`;
const thousands = (n: number) => n.toLocaleString("en-US");

/** The Idempotency-Key, request-id, trace-context and path parameters every operation shares. */
export function registerParameters(registry: OpenAPIRegistry): void {
  const parameter = (name: string, component: ParameterObject) =>
    registry.registerComponent("parameters", name, component);
  const header = (name: string, description: string, schema: SchemaObject = { type: "string" }) =>
    ({ name, in: "header", required: false, description, schema }) as const;
  parameter(
    "IdempotencyKey",
    header(
      "Idempotency-Key",
      `1–255 printable ASCII characters, global scope, kept ${configDefaults().IDEMPOTENCY_KEY_TTL_MS / 3_600_000} h by default. Same key + same method, path and body replays the stored response (header Idempotent-Replayed: true). Same key with a different body or on another endpoint: 409 \`idempotency_conflict\`; while the first request is still running: 409 \`idempotency_key_in_use\` (retry after \`Retry-After\`). Requests refused before they ran (400, 404, 413, 415, 422 from validation) do not use up the key.`,
      { type: "string", minLength: 1, maxLength: 255 },
    ),
  );
  parameter("PaymentId", {
    name: "payment_id",
    in: "path",
    required: true,
    description: "The payment's UUID. A malformed or unknown id answers 404 `resource_missing`.",
    schema: { type: "string", format: "uuid" },
  });
  parameter("PaymentRef", {
    name: "ref",
    in: "path",
    required: true,
    description:
      "Either an order_id (digits: lists that order's payments, newest first; an order without payments lists none) or a payment_id (UUID: that payment). Anything else is 404.",
    schema: {
      type: "string",
      pattern: "^([0-9]{1,16}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$",
    },
  });
  parameter(
    "RequestIdIn",
    header(
      "X-Request-Id",
      "Correlation id: a UUID or 1–64 hex digits; echoed as Request-Id. Anything else (or one that spells a card number) is replaced by a generated UUID.",
    ),
  );
  parameter(
    "Traceparent",
    header(
      "traceparent",
      "W3C trace context; continued into the Kafka command headers. Generated when absent.",
    ),
  );
}

/** Response headers. */
export function registerHeaders(registry: OpenAPIRegistry): void {
  const text = (description: string) => ({ description, schema: { type: "string" as const } });
  registry.registerComponent(
    "headers",
    "RequestId",
    text(
      "Echoes X-Request-Id when it was a UUID or hex, otherwise a generated UUID. Quote it when reporting a problem.",
    ),
  );
  registry.registerComponent("headers", "IdempotentReplayed", {
    description:
      "`true` when the response is replayed from an earlier request with the same Idempotency-Key.",
    schema: { type: "string", const: "true" },
  });
  registry.registerComponent(
    "headers",
    "Location",
    text("Where to poll the payment: `/payments/{payment_id}`. Sent with 201 and 202."),
  );
  registry.registerComponent("headers", "RetryAfter", text("Seconds to wait before retrying."));
  registry.registerComponent("headers", "Allow", text("Methods the path supports."));
}

type HeaderName = "RequestId" | "IdempotentReplayed" | "Location" | "RetryAfter" | "Allow";

const HEADER_NAMES: Record<HeaderName, string> = {
  RequestId: "Request-Id",
  IdempotentReplayed: "Idempotent-Replayed",
  Location: "Location",
  RetryAfter: "Retry-After",
  Allow: "Allow",
};

/** A response's `headers`: each header under its HTTP name, pointing at its component. */
export function responseHeaders(names: HeaderName[]): Record<string, { $ref: string }> {
  return Object.fromEntries(names.map((name) => [HEADER_NAMES[name], ref("headers", name)]));
}

/** An error answer: the Error body, Request-Id, and the extra headers it carries. */
function errorResponse(description: string, extra: HeaderName[] = []) {
  return {
    description,
    headers: responseHeaders(["RequestId", ...extra]),
    content: { "application/json": { schema: ref("schemas", "Error") } },
  };
}

/** Every error answer, by component name; the text after "Codes:" lists the stable `code`s it carries. */
export function registerErrorResponses(registry: OpenAPIRegistry): void {
  const responses: Record<string, ReturnType<typeof errorResponse>> = {
    BadRequest: errorResponse(
      `The body is not valid JSON, or nests deeper than ${JSON_LIMITS.depth} levels, or holds more than ${thousands(JSON_LIMITS.keys)} keys (checked on the raw text before it is parsed). Codes: \`invalid_json\`, \`json_too_deep\`, \`json_too_many_keys\`.`,
    ),
    NotFound: errorResponse(
      "Unknown or malformed payment id, or unknown route (the message does not echo the path). Codes: `resource_missing`, `route_not_found`.",
    ),
    MethodNotAllowed: errorResponse(
      "The path exists but not with this method. Codes: `method_not_allowed`.",
      ["Allow"],
    ),
    PayloadTooLarge: errorResponse(
      `The body is larger than ${bodyLimits} (${thousands(JSON_LIMITS.bytes)} bytes). Codes: \`payload_too_large\`.`,
    ),
    UnsupportedMediaType: errorResponse(
      "Every POST, even one without a body, must carry `Content-Type: application/json` (or an `application/*+json` type; parameters such as charset are ignored). Codes: `unsupported_media_type`.",
    ),
    Unprocessable: errorResponse(
      "Validation failed; `field` names the JSON path. A card number (13–19 digits passing Luhn, in any Unicode digits, grouped by spaces, dots, dashes, slashes or underscores) in any string, key or header value, or a key or header named like a security code (cvv, cvc, cvv2, cvc2, cid, csc, security_code, card_verification…, any case or separator), is refused with `pan_not_allowed`; `field` names the JSON path or the header. Codes: `parameter_missing`, `parameter_unknown`, `parameter_invalid`, `amount_invalid`, `amount_too_precise`, `amount_not_positive`, `amount_too_large`, `currency_unsupported`, `pan_not_allowed`, `idempotency_key_invalid`.",
      ["IdempotentReplayed"],
    ),
    Conflict: errorResponse(
      "Invalid state transition, over-capture / over-refund, an operation already running on the payment, or Idempotency-Key misuse. Codes: `invalid_state`, `capture_exceeds_authorized`, `refund_exceeds_captured`, `operation_in_progress`, `idempotency_conflict` (the key was used for another request), `idempotency_key_in_use` (the key's first request is still running: retry after `Retry-After`).",
      ["IdempotentReplayed", "RetryAfter"],
    ),
    Declined: errorResponse(
      "Declined by the PSP or blocked by fraud screening. The payment is recorded with status `failed`, failure_reason and psp_code (GET it). Codes: `card_declined`, `insufficient_funds`, `fraudulent`, `fraud_blocked`, `processing_error`.",
      ["IdempotentReplayed"],
    ),
    RateLimited: errorResponse(
      "Too many requests: the per-client or per-API-key budget is spent, or (confirm) the payment method was confirmed too often lately. Codes: `rate_limited`. Retry after `Retry-After` seconds.",
      ["RetryAfter"],
    ),
    ServerError: errorResponse(
      "Unexpected failure; no details are exposed. With an Idempotency-Key the request can be retried safely with the same key. Codes: `api_error`.",
    ),
    Unavailable: errorResponse(
      "A dependency (Kafka, a PSP, fraud scoring) is unavailable, or the service is at capacity and shed the request before doing anything (`overloaded`, ADR 0013). Retry after Retry-After seconds with the same Idempotency-Key. Codes: `service_unavailable`, `overloaded`, `psp_unavailable`.",
      ["RetryAfter"],
    ),
    WebhookMalformed: errorResponse(
      "The body is not a PSP event of the expected shape, or the signature header cannot be parsed. Not retried usefully. Codes: `webhook_malformed`.",
    ),
    WebhookUnauthenticated: errorResponse(
      `The signature is missing, does not match the raw body, or (Stripe) its timestamp is more than ${STRIPE_TOLERANCE_SECONDS} s away. Nothing was stored. Codes: \`webhook_signature_missing\`, \`webhook_signature_invalid\`, \`webhook_timestamp_expired\`.`,
    ),
    WebhookUnavailable: errorResponse(
      "The event could not be recorded or published (PostgreSQL or Kafka down). The PSP redelivers it; a delivery that was stored but not published is published then. Codes: `service_unavailable`.",
      ["RetryAfter"],
    ),
    Unauthenticated: errorResponse(
      "No API key, or an unknown or revoked one. Codes: `api_key_missing`, `api_key_invalid`.",
    ),
    Forbidden: errorResponse(
      "The API key lacks the scope this operation needs. Codes: `insufficient_scope`.",
    ),
    WebhookCardData: errorResponse(
      "The verified event carries something shaped like a card number or a security code; nothing is stored or published. Codes: `pan_not_allowed`.",
    ),
  };
  for (const [name, response] of Object.entries(responses))
    registry.registerComponent("responses", name, response);
}

export function registerSecurity(registry: OpenAPIRegistry): void {
  registry.registerComponent("securitySchemes", "ApiKey", {
    type: "http",
    scheme: "bearer",
    description:
      "A secret API key (`sk_live_…` / `sk_test_…`), made with `npm run -s apikey:create -- --merchant=<name> [--scopes=…]`. Each key belongs to one merchant and holds scopes: payments:read, payments:write (create, confirm, cancel), payments:capture, refunds:write, ops. Every read and write is scoped to the key's merchant: another merchant's payment answers 404.",
  });
}
