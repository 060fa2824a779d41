import { errors, PaymentError, RateLimitedError } from "../../core/domain/errors.ts";
import { isTransient } from "../../core/infra/transient-errors.ts";
import type { AppMiddleware } from "../context.ts";
import { httpErrors } from "../http-errors.ts";
import { errorBody, httpStatusOf, kindOfClientStatus } from "../presentation/error-response.ts";

/**
 * The one place errors become responses: `{error:{type,code,message,field?}}`. Anything that is not
 * a PaymentError is logged here and answered as a bare 500, with no message or stack of its own.
 */
export function errorHandler(): AppMiddleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      const error = toPaymentError(err);
      const status = httpStatusOf(error);
      if (status >= 500) {
        ctx.state.log.error({ err: describe(err) }, "request failed");
      }
      ctx.status = status;
      ctx.body = errorBody(error);
      if (status === 503 || error.code === "idempotency_key_in_use") ctx.set("Retry-After", "1");
      if (error instanceof RateLimitedError) ctx.set("Retry-After", String(error.retryAfterSeconds));
    }
  };
}

function toPaymentError(err: unknown): PaymentError {
  if (err instanceof PaymentError) return err;
  // Koa / router HTTP errors that are safe to show (expose) keep their status, in our shape.
  const status = (err as { status?: unknown })?.status;
  if (typeof status === "number" && status >= 400 && status < 500 && (err as { expose?: boolean }).expose) {
    return new PaymentError(
      kindOfClientStatus(status),
      "invalid_request_error",
      "invalid_request",
      (err as Error).message,
    );
  }
  // PostgreSQL restarting or unreachable, a serialization conflict: nothing was done, retry shortly.
  if (isTransient(err)) return errors.unavailable("A dependency is unavailable; retry shortly");
  return httpErrors.internal();
}

/** Enough to debug from the log; the error never carries request bodies (we parse them ourselves). */
function describe(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: String(err) };
  return { type: err.name, message: err.message, code: (err as { code?: unknown }).code, stack: err.stack };
}
