import { OpenAPIRegistry, OpenApiGeneratorV31 } from "@asteasolutions/zod-to-openapi";
import { notification } from "../../core/adapters/psp/adyen/wire.ts";
import { event } from "../../core/adapters/psp/stripe/wire.ts";
import { registerOpsPaths } from "../ops/openapi.ts";
import { healthResponseSchema, readinessResponseSchema } from "../ops/schema.ts";
import { registerPaymentPaths } from "../payments/openapi.ts";
import {
  amountString,
  cancelPaymentSchema,
  capturePaymentBody,
  confirmPaymentSchema,
  createPaymentSchema,
  currencySchema,
  metadataSchema,
  paymentMethodSchema,
} from "../payments/schema.ts";
import { errorBodySchema } from "../presentation/error-response.ts";
import {
  amountOut,
  captureMethodSchema,
  currencyOut,
  paymentListSchema,
  paymentMethodSummarySchema,
  paymentResponseSchema,
  paymentStatusSchema,
  pspSchema,
  refundResponseSchema,
} from "../presentation/resource-schema.ts";
import { registerRefundPaths } from "../refunds/openapi.ts";
import { refundPaymentBody } from "../refunds/schema.ts";
import { registerWebhookPaths } from "../webhooks/openapi.ts";
import { stripeWebhookAckSchema } from "../webhooks/schema.ts";
import {
  registerErrorResponses,
  registerHeaders,
  registerParameters,
  registerSecurity,
} from "./components.ts";
import { INFO, SERVERS, TAGS } from "./info.ts";
import { repairNullableRefs } from "./nullable-refs.ts";

/**
 * Every named schema, in document order. Listed up front so that each component is generated from the
 * schema itself before any field wraps it in `.nullable()` / `.nullish()` (see nullable-refs.ts).
 */
const COMPONENT_SCHEMAS = [
  errorBodySchema,
  amountOut,
  amountString,
  currencyOut,
  currencySchema,
  paymentStatusSchema,
  captureMethodSchema,
  pspSchema,
  paymentMethodSchema,
  paymentMethodSummarySchema,
  metadataSchema,
  paymentResponseSchema,
  paymentListSchema,
  refundResponseSchema,
  createPaymentSchema,
  confirmPaymentSchema,
  capturePaymentBody,
  cancelPaymentSchema,
  refundPaymentBody,
  healthResponseSchema,
  readinessResponseSchema,
  stripeWebhookAckSchema,
  event,
  notification,
];

/** The OpenAPI 3.1 document of the public API, generated from the zod schemas the ingress validates with. */
export function buildOpenApiDocument(): Record<string, unknown> {
  const registry = new OpenAPIRegistry();
  registerParameters(registry);
  registerHeaders(registry);
  registerErrorResponses(registry);
  registerSecurity(registry);
  registerPaymentPaths(registry);
  registerRefundPaths(registry);
  registerOpsPaths(registry);
  registerWebhookPaths(registry);
  const definitions = [
    ...COMPONENT_SCHEMAS.map((schema) => ({ type: "schema" as const, schema })),
    ...registry.definitions,
  ];
  const generated = new OpenApiGeneratorV31(definitions, { unionPreferredType: "oneOf" }).generateDocument({
    openapi: "3.1.0",
    info: INFO,
    servers: SERVERS,
    tags: TAGS,
    security: [{ ApiKey: [] }],
  });
  const { openapi, info, servers, tags, paths, components, security } = repairNullableRefs(
    generated,
  ) as typeof generated;
  // OpenAPI 3.1's default dialect, stated so that validators (ajv in the contract tests) need not guess.
  const jsonSchemaDialect = "https://json-schema.org/draft/2020-12/schema";
  return { openapi, jsonSchemaDialect, info, servers, tags, paths, components, security };
}

/** The committed http-ingress/openapi.json, byte for byte. */
export function renderOpenApiDocument(): string {
  return `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
}
