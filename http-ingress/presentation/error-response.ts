import { z } from "zod";
import { ERROR_TYPES, type ErrorKind, type PaymentError } from "../../core/domain/errors.ts";

/** The one error body every failure is rendered as (docs/api.md, the `Error` OpenAPI component). */
export const errorBodySchema = z
  .strictObject({
    error: z.strictObject({
      type: z.enum(ERROR_TYPES),
      code: z.string().meta({
        description:
          "Stable, machine-readable: e.g. card_declined, insufficient_funds, invalid_state, refund_exceeds_captured, idempotency_conflict, pan_not_allowed, amount_too_precise.",
      }),
      message: z.string().meta({ description: "For humans; may change." }),
      field: z.string().optional().meta({
        description:
          "JSON path of the offending field (`amount`, `payment_method.token`, `metadata.note`), or `Idempotency-Key`.",
      }),
    }),
  })
  .meta({
    id: "Error",
    example: {
      error: {
        type: "invalid_request_error",
        code: "amount_too_precise",
        message: "amount has more decimals than the currency allows",
        field: "amount",
      },
    },
  });

export type ErrorBody = z.infer<typeof errorBodySchema>;

const STATUS: Record<ErrorKind, number> = {
  malformed: 400,
  unauthenticated: 401,
  declined: 402,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  too_large: 413,
  unsupported_media_type: 415,
  invalid: 422,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
};

export function httpStatusOf(error: PaymentError): number {
  return STATUS[error.kind];
}

export function errorBody(error: PaymentError): ErrorBody {
  const body: ErrorBody["error"] = { type: error.type, code: error.code, message: error.message };
  if (error.field !== undefined) body.field = error.field;
  return { error: body };
}

/** A 4xx raised by Koa or the router, as the closest kind (an unknown 4xx reads as malformed input). */
export function kindOfClientStatus(status: number): ErrorKind {
  const kind = (Object.keys(STATUS) as ErrorKind[]).find((k) => STATUS[k] === status);
  return kind && status < 500 ? kind : "malformed";
}
