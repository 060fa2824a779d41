import type { OpenAPIRegistry } from "@asteasolutions/zod-to-openapi";
import { z } from "zod";
import { ref, responseHeaders } from "../openapi/components.ts";
import { commandRoute, needsScope, REPLY_TIMEOUT_TEXT } from "../openapi/operations.ts";
import { paymentListSchema, paymentResponseSchema } from "../presentation/resource-schema.ts";
import {
  cancelPaymentSchema,
  capturePaymentBody,
  confirmPaymentSchema,
  createPaymentSchema,
} from "./schema.ts";

const POLL = "Poll Location (GET /payments/{payment_id}).";

/** The payment operations of the OpenAPI document (routes.ts serves them). */
export function registerPaymentPaths(registry: OpenAPIRegistry): void {
  const response = paymentResponseSchema;
  registry.registerPath(
    commandRoute({
      method: "post",
      path: "/payments",
      operationId: "createPayment",
      summary: "Create a payment intent",
      description:
        "Publishes a create command and answers with the processor's reply. The service generates payment_id. With an Idempotency-Key a retried create can never make two payments.",
      scope: "payments:write",
      body: { schema: createPaymentSchema, required: true },
      done: {
        status: 201,
        description:
          "Created; status is requires_payment_method (no payment_method) or requires_confirmation.",
      },
      pending: `${REPLY_TIMEOUT_TEXT} The command is queued and will run; the body is a PaymentResponse built from the request with status \`processing\` (or the stored payment if it was recorded meanwhile). ${POLL}`,
      response,
    }),
  );
  registry.registerPath({
    method: "get",
    path: "/payments/{ref}",
    operationId: "getPaymentOrOrderPayments",
    summary: "One payment (UUID) or an order's payments (digits)",
    tags: ["payments"],
    parameters: [ref("parameters", "PaymentRef"), ref("parameters", "RequestIdIn")],
    responses: {
      200: {
        description: "PaymentResponse for a payment_id; PaymentList for an order_id.",
        headers: responseHeaders(["RequestId"]),
        content: { "application/json": { schema: z.union([response, paymentListSchema]) } },
      },
      404: ref("responses", "NotFound"),
      405: ref("responses", "MethodNotAllowed"),
      429: ref("responses", "RateLimited"),
      500: ref("responses", "ServerError"),
      401: ref("responses", "Unauthenticated"),
      403: ref("responses", "Forbidden"),
    },
    ...needsScope("payments:read"),
  });
  registry.registerPath(
    commandRoute({
      method: "post",
      path: "/payments/{payment_id}/confirm",
      operationId: "confirmPayment",
      summary: "Confirm: fraud scoring, then PSP authorization (and capture when automatic)",
      description:
        "200 with the outcome: requires_capture, succeeded or requires_action. A 202 from the processor itself means the PSP outcome is indeterminate and will be settled by webhook or the janitor.",
      scope: "payments:write",
      pathParameters: ["PaymentId"],
      body: { schema: confirmPaymentSchema, required: false },
      done: {
        status: 200,
        description: "Authorized (requires_capture), captured (succeeded) or requires_action.",
      },
      pending: `${REPLY_TIMEOUT_TEXT} The command is queued and will run; the body is the payment as stored now, typically status \`processing\`. ${POLL}`,
      response,
      extraErrors: { 402: ref("responses", "Declined") },
    }),
  );
  registry.registerPath(
    commandRoute({
      method: "post",
      path: "/payments/{payment_id}/capture",
      operationId: "capturePayment",
      summary: "Capture an authorization (partial allowed)",
      description: "The payment must be in requires_capture; amount defaults to the capturable amount.",
      scope: "payments:capture",
      pathParameters: ["PaymentId"],
      body: { schema: capturePaymentBody, required: false },
      done: { status: 200, description: "Captured." },
      pending: `${REPLY_TIMEOUT_TEXT} The command is queued and will run; the body is the payment as stored now. ${POLL}`,
      response,
    }),
  );
  registry.registerPath(
    commandRoute({
      method: "post",
      path: "/payments/{payment_id}/cancel",
      operationId: "cancelPayment",
      summary: "Cancel before confirmation, or void an authorization",
      description:
        "From requires_payment_method / requires_confirmation (no PSP call) or requires_capture / requires_action (PSP void).",
      scope: "payments:write",
      pathParameters: ["PaymentId"],
      body: { schema: cancelPaymentSchema, required: false },
      done: { status: 200, description: "Canceled." },
      pending: `${REPLY_TIMEOUT_TEXT} The command is queued and will run; the body is the payment as stored now. ${POLL}`,
      response,
    }),
  );
}
