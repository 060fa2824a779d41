import type { Currency } from "../../core/domain/currency.ts";
import { errors } from "../../core/domain/errors.ts";
import type { Payment } from "../../core/domain/payment.ts";
import { findMerchantPayment } from "../../db/repositories/payments-repo.ts";
import type { IngressDeps, IngressMiddleware, IngressState } from "../context.ts";
import { principalOf } from "./authenticate.ts";

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Resolves :id to a stored payment before any command is published: an unknown or malformed id is
 * a 404 here, and so is another merchant's payment (a 403 would confirm that the id exists). State checks (409) stay with the processor, which owns the payment.
 */
export function loadPayment(deps: IngressDeps): IngressMiddleware {
  return async (ctx, next) => {
    const id = ctx.params.id ?? "";
    if (!UUID.test(id)) throw errors.notFound("payment");
    const payment = await findMerchantPayment(deps.pool, principalOf(ctx).merchantId, id.toLowerCase());
    if (!payment) throw errors.notFound("payment");
    ctx.state.payment = payment;
    ctx.state.log = ctx.state.log.child({
      payment_id: payment.paymentId,
      order_id: Number(payment.orderId),
      psp: payment.psp,
    });
    await next();
  };
}

/** The payment loadPayment resolved; a route without loadPayment in front of it is a bug. */
export function paymentOf(ctx: { state: IngressState }): Payment {
  const payment = ctx.state.payment;
  if (!payment) throw new Error("route needs the loadPayment middleware");
  return payment;
}

export const currencyOf = (state: IngressState): Currency => paymentOf({ state }).currency;
