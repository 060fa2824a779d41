import { auditAppender } from "../../db/repositories/audit-repo.ts";
import type { AppMiddleware, IngressDeps } from "../context.ts";
import { routeOf } from "./request-context.ts";

const ACTIONS: Record<string, string> = {
  "/payments": "payment.create",
  "/payments/:id/confirm": "payment.confirm",
  "/payments/:id/capture": "payment.capture",
  "/payments/:id/cancel": "payment.cancel",
  "/payments/:id/refund": "payment.refund",
};

/**
 * One audit row per mutation, whatever its outcome (refused ones too: a 401 or 403 is what an audit
 * is for). Sits outside the error handler, so it sees the final status. The row is written before
 * the answer leaves; if the write fails the answer still goes out (the action has happened) and the
 * failure is logged as an error.
 */
export function auditTrail(deps: IngressDeps): AppMiddleware {
  const appendAudit = auditAppender(deps.pool);
  return async (ctx, next) => {
    await next();
    // A shed request did nothing, and auditing it would put write load on the database exactly when it
    // has none to spare; ingress_shed_total counts them.
    if (ctx.method !== "POST" || ctx.state.shed) return;
    const action = ACTIONS[routeOf(ctx)];
    if (!action) return;
    const principal = ctx.state.principal;
    const body = ctx.body as { error?: { code?: unknown } } | null | undefined;
    const errorCode = typeof body?.error?.code === "string" ? body.error.code : null;
    await appendAudit({
      merchantId: principal?.merchantId ?? null,
      keyId: principal?.keyId ?? null,
      clientIp: ctx.ip || null,
      action,
      paymentId: ctx.state.payment?.paymentId ?? ctx.state.ids?.paymentId ?? null,
      requestId: ctx.state.requestId,
      outcome: ctx.status,
      errorCode,
    }).catch((err: Error) => ctx.state.log.error({ err: err.message, action }, "audit row not written"));
  };
}
