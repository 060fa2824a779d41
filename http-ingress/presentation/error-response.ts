import type { ErrorKind, ErrorType, PaymentError } from "../../core/domain/errors.ts";

export interface ErrorBody {
  error: { type: ErrorType; code: string; message: string; field?: string };
}

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
