import type { OpenAPIRegistry } from "@asteasolutions/zod-to-openapi";
import { notification } from "../../core/adapters/psp/adyen/wire.ts";
import { STRIPE_TOLERANCE_SECONDS } from "../../core/adapters/psp/stripe/webhook.ts";
import { event } from "../../core/adapters/psp/stripe/wire.ts";
import { JSON_LIMITS } from "../json-limits.ts";
import { ref, responseHeaders } from "../openapi/components.ts";
import { ADYEN_ACCEPTED, stripeWebhookAckSchema } from "./schema.ts";

const WEBHOOK_ERRORS = {
  400: ref("responses", "WebhookMalformed"),
  401: ref("responses", "WebhookUnauthenticated"),
  405: ref("responses", "MethodNotAllowed"),
  413: ref("responses", "PayloadTooLarge"),
  415: ref("responses", "UnsupportedMediaType"),
  422: ref("responses", "WebhookCardData"),
  429: ref("responses", "RateLimited"),
  500: ref("responses", "ServerError"),
  503: ref("responses", "WebhookUnavailable"),
};

const BODY_RULES = `Body: \`Content-Type: application/json\`, at most ${JSON_LIMITS.bytes / 1024} KiB, ${JSON_LIMITS.depth} levels and ${JSON_LIMITS.keys.toLocaleString("en-US")} keys. A verified event that carries card data is refused with 422 and nothing is stored.`;

/** The PSP callbacks in the OpenAPI document (routes.ts serves them; the signature authenticates). */
export function registerWebhookPaths(registry: OpenAPIRegistry): void {
  registry.registerPath({
    method: "post",
    path: "/webhooks/stripe",
    operationId: "stripeWebhook",
    summary: "Receive a Stripe event",
    description: `Verifies \`Stripe-Signature\` (\`t=<unix>,v1=<hex>\`: HMAC-SHA256 with STRIPE_WEBHOOK_SECRET over \`<t>.<raw body>\`, compared in constant time; any of several v1 values may match during secret rotation; v0 is ignored; the timestamp must be within ${STRIPE_TOLERANCE_SECONDS} s) against the body bytes exactly as received. The event id is then stored once (INSERT … ON CONFLICT DO NOTHING) and, if new or never acknowledged by Kafka, published to payment.webhooks.v1; the webhook processor applies it asynchronously. No PSP call and no other database work happens in the request. ${BODY_RULES}`,
    tags: ["webhooks"],
    parameters: [
      {
        name: "Stripe-Signature",
        in: "header",
        required: true,
        description: "`t=<unix seconds>,v1=<hex HMAC-SHA256>[,v1=…][,v0=…]`.",
        schema: { type: "string" },
      },
      ref("parameters", "RequestIdIn"),
      ref("parameters", "Traceparent"),
    ],
    request: {
      body: {
        required: true,
        description: "The Stripe Event as Stripe sent it; verified byte for byte, never re-serialized.",
        content: { "application/json": { schema: event } },
      },
    },
    responses: {
      200: {
        description: "Stored and queued (or a duplicate of an event already stored): Stripe stops retrying.",
        headers: responseHeaders(["RequestId"]),
        content: { "application/json": { schema: stripeWebhookAckSchema } },
      },
      ...WEBHOOK_ERRORS,
    },
    security: [],
  });
  registry.registerPath({
    method: "post",
    path: "/webhooks/adyen",
    operationId: "adyenWebhook",
    summary: "Receive an Adyen notification",
    description: `Verifies \`additionalData.hmacSignature\` of every NotificationRequestItem (HMAC-SHA256 with the hex key ADYEN_HMAC_KEY_HEX, constant-time compare); one bad item refuses the whole notification. Each item is then stored once under its event id and published to payment.webhooks.v1 if new or never acknowledged by Kafka. Answers \`${ADYEN_ACCEPTED}\`, which Adyen requires. ${BODY_RULES}`,
    tags: ["webhooks"],
    parameters: [ref("parameters", "RequestIdIn"), ref("parameters", "Traceparent")],
    request: {
      body: {
        required: true,
        description: "The notification as Adyen sent it.",
        content: { "application/json": { schema: notification } },
      },
    },
    responses: {
      200: {
        description: "Every item stored and queued (or already stored).",
        headers: responseHeaders(["RequestId"]),
        content: { "text/plain": { schema: { type: "string", const: ADYEN_ACCEPTED } } },
      },
      ...WEBHOOK_ERRORS,
    },
    security: [],
  });
}
