import { findCardDataInHeaders } from "../../core/domain/pan-guard.ts";
import type { AppMiddleware } from "../context.ts";
import { httpErrors } from "../http-errors.ts";

/**
 * Headers whose format is checked elsewhere: an X-Request-Id or trace id that is not well formed, or
 * holds a card number, is replaced by a fresh one (request-context.ts), never refused; tracestate is
 * neither read nor forwarded; a Stripe signature is hex and checked by the connector.
 */
const CHECKED_ELSEWHERE = new Set([
  "x-request-id",
  "traceparent",
  "tracestate",
  "stripe-signature",
  "content-length",
]);

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Refuses card data in any other header of a request that can change something (Idempotency-Key
 * is stored, for one) before any route runs. A GET's headers are neither stored nor logged.
 */
export function headerGuard(): AppMiddleware {
  return async (ctx, next) => {
    if (SAFE_METHODS.has(ctx.method)) return next();
    const finding = findCardDataInHeaders(ctx.headers, CHECKED_ELSEWHERE);
    if (finding) {
      ctx.req.resume();
      throw httpErrors.panNotAllowed(finding.field, finding.reason);
    }
    await next();
  };
}
