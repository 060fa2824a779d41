import { createHash } from "node:crypto";
import Router from "@koa/router";
import type { PaymentCommand, RefundPaymentBody } from "../../core/domain/commands.ts";
import { formatAmount } from "../../core/domain/money.ts";
import type { Payment } from "../../core/domain/payment.ts";
import { findRefund } from "../../db/repositories/refunds-repo.ts";
import type { IngressDeps, IngressState } from "../context.ts";
import { dispatch } from "../dispatch.ts";
import { apiKeyGuard } from "../middleware/authenticate.ts";
import { idempotency } from "../middleware/idempotency.ts";
import { jsonBody } from "../middleware/json-body.ts";
import { currencyOf, loadPayment, paymentOf } from "../middleware/load-payment.ts";
import { validate } from "../middleware/validate.ts";
import { type RefundResponse, toRefundResponse } from "../presentation/resource-dto.ts";
import { amountMinor } from "../validation.ts";
import { type RefundPaymentInput, refundPaymentSchema } from "./schema.ts";

export function refundRoutes(deps: IngressDeps): Router<IngressState> {
  const router = new Router<IngressState>();
  const schema = validate((state) => refundPaymentSchema(currencyOf(state)));

  router.post(
    "/payments/:id/refund",
    apiKeyGuard(deps)("refunds:write"),
    jsonBody(),
    loadPayment(deps),
    schema,
    idempotency(deps),
    async (ctx) => {
      const input = ctx.state.input as RefundPaymentInput;
      const payment = paymentOf(ctx);
      const command: RefundPaymentBody = {
        refund_id: refundIdFor(ctx.state.ids?.commandId ?? ""),
        amount_minor: input.amount == null ? null : Number(amountMinor(input.amount, payment.currency)),
        reason: input.reason ?? null,
      };
      await dispatch(ctx, deps, { type: "refund", body: command }, (c) =>
        refundSoFar(deps, c, payment, command),
      );
    },
  );

  return router;
}

/**
 * The refund id is derived from the command id (a name-based UUID, RFC 9562 version 8), so a retry
 * that resumes an abandoned Idempotency-Key publishes the very same refund, without a column for it.
 */
export function refundIdFor(commandId: string): string {
  const hex = createHash("sha256").update(`refund:${commandId}`).digest("hex");
  const variant = ((Number.parseInt(hex[16] ?? "0", 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The 202 body of a refund without a reply yet: the stored refund, or a pending one as requested. */
async function refundSoFar(
  deps: IngressDeps,
  command: PaymentCommand,
  payment: Payment,
  body: RefundPaymentBody,
): Promise<RefundResponse> {
  const stored = await findRefund(deps.pool, body.refund_id, payment.currency);
  if (stored) return toRefundResponse(stored);
  const remaining = payment.amountCaptured - payment.amountRefunded - payment.amountRefundPending;
  const amount = body.amount_minor === null ? (remaining > 0n ? remaining : 0n) : BigInt(body.amount_minor);
  return {
    refund_id: body.refund_id,
    payment_id: payment.paymentId,
    amount: formatAmount(amount, payment.currency),
    currency: payment.currency,
    status: "pending",
    reason: body.reason,
    created_at: command.issuedAt.toISOString(),
    processed_at: null,
  };
}
