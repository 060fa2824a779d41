import Router from "@koa/router";
import type { Currency } from "../../core/domain/currency.ts";
import { errors } from "../../core/domain/errors.ts";
import { formatAmount } from "../../core/domain/money.ts";
import { findMerchantPayment, listPaymentsByOrder } from "../../db/repositories/payments-repo.ts";
import { vaultedPaymentMethod, vaultWriter } from "../../db/repositories/vault-repo.ts";
import type { IngressContext, IngressDeps, IngressMiddleware, IngressState } from "../context.ts";
import { dispatch } from "../dispatch.ts";
import { apiKeyGuard, principalOf } from "../middleware/authenticate.ts";
import { idempotency } from "../middleware/idempotency.ts";
import { jsonBody } from "../middleware/json-body.ts";
import { currencyOf, loadPayment, paymentOf, UUID } from "../middleware/load-payment.ts";
import { validate } from "../middleware/validate.ts";
import { toPaymentResponse } from "../presentation/resource-dto.ts";
import { amountMinor } from "../validation.ts";
import { createdSoFar, paymentNow } from "./responses.ts";
import {
  type CancelPaymentInput,
  type CapturePaymentInput,
  type ConfirmPaymentInput,
  type CreatePaymentInput,
  cancelPaymentSchema,
  capturePaymentSchema,
  confirmPaymentSchema,
  createPaymentSchema,
} from "./schema.ts";

const ORDER_ID = /^\d{1,16}$/;

export function paymentRoutes(deps: IngressDeps): Router<IngressState> {
  const router = new Router<IngressState>();
  const needs = apiKeyGuard(deps);
  const body = jsonBody();
  const payment = loadPayment(deps);
  const idempotent = idempotency(deps);
  const vault = vaultWriter(deps.pool);
  // Counted before the Idempotency-Key: every attempt counts, and a refusal is not stored under the key.
  const confirmVelocity: IngressMiddleware = async (ctx, next) => {
    const input = ctx.state.input as ConfirmPaymentInput;
    const token = input.payment_method?.token ?? paymentOf(ctx).paymentMethodToken;
    if (token) await deps.limits?.confirmVelocity(principalOf(ctx).merchantId, token);
    await next();
  };
  const current = (ctx: IngressContext) => () => paymentNow(deps.pool, paymentOf(ctx));

  router.post(
    "/payments",
    needs("payments:write"),
    body,
    validate(createPaymentSchema),
    idempotent,
    async (ctx) => {
      const input = ctx.state.input as CreatePaymentInput;
      const currency = input.currency as Currency;
      const minor = amountMinor(input.amount, currency);
      const command = {
        order_id: input.order_id,
        amount: formatAmount(minor, currency),
        amount_minor: Number(minor),
        currency,
        psp: input.psp ?? deps.config.DEFAULT_PSP,
        capture_method: input.capture_method ?? "automatic",
        payment_method: await vaultedPaymentMethod(vault, principalOf(ctx).merchantId, input.payment_method),
        customer_id: input.customer_id ?? null,
        description: input.description ?? null,
        metadata: input.metadata ?? {},
      };
      ctx.state.log = ctx.state.log.child({
        payment_id: ctx.state.ids?.paymentId,
        order_id: input.order_id,
        psp: command.psp,
      });
      await dispatch(ctx, deps, { type: "create", body: command }, (c) =>
        createdSoFar(deps.pool, c, command),
      );
    },
  );

  router.get("/payments/:ref", needs("payments:read"), async (ctx) => {
    const ref = ctx.params.ref ?? "";
    const { merchantId } = principalOf(ctx);
    const orderId = ORDER_ID.test(ref) ? Number(ref) : Number.NaN;
    if (Number.isSafeInteger(orderId) && orderId > 0) {
      const payments = await listPaymentsByOrder(deps.pool, merchantId, String(orderId));
      ctx.body = payments.map(toPaymentResponse);
      return;
    }
    const found = UUID.test(ref) ? await findMerchantPayment(deps.pool, merchantId, ref.toLowerCase()) : null;
    if (!found) throw errors.notFound("payment");
    ctx.body = toPaymentResponse(found);
  });

  router.post(
    "/payments/:id/confirm",
    needs("payments:write"),
    body,
    payment,
    validate(confirmPaymentSchema),
    confirmVelocity,
    idempotent,
    async (ctx) => {
      const input = ctx.state.input as ConfirmPaymentInput;
      const method = input.payment_method;
      const command = {
        payment_method: await vaultedPaymentMethod(vault, principalOf(ctx).merchantId, method),
      };
      await dispatch(ctx, deps, { type: "confirm", body: command }, current(ctx));
    },
  );

  const captureSchema = validate((state) => capturePaymentSchema(currencyOf(state)));
  router.post(
    "/payments/:id/capture",
    needs("payments:capture"),
    body,
    payment,
    captureSchema,
    idempotent,
    async (ctx) => {
      const input = ctx.state.input as CapturePaymentInput;
      const amount = input.amount == null ? null : Number(amountMinor(input.amount, paymentOf(ctx).currency));
      await dispatch(ctx, deps, { type: "capture", body: { amount_minor: amount } }, current(ctx));
    },
  );

  router.post(
    "/payments/:id/cancel",
    needs("payments:write"),
    body,
    payment,
    validate(cancelPaymentSchema),
    idempotent,
    async (ctx) => {
      const input = ctx.state.input as CancelPaymentInput;
      await dispatch(ctx, deps, { type: "cancel", body: { reason: input.reason ?? null } }, current(ctx));
    },
  );

  return router;
}
