import type Router from "@koa/router";
import { deliveryFor } from "../../shared/delivery.ts";
import { simConfig } from "../../shared/dev-secrets.ts";
import { type FormObject, formString, formStringMap } from "../../shared/form-encoding.ts";
import { idempotent } from "../../shared/idempotent-route.ts";
import { stripeId, unixNow } from "../../shared/ids.ts";
import { sendSim } from "../../shared/sim-response.ts";
import { stripeErrors } from "../errors.ts";
import type { Intent, Refund, StripeLedger } from "../ledger.ts";
import { form, positiveAmount } from "../params.ts";
import { renderCharge, renderIntent, renderRefund } from "../render.ts";
import type { StripeSim } from "../sim-context.ts";
import { findIntent } from "./payment-intents.ts";

const REFUND_REASONS = new Set(["duplicate", "fraudulent", "requested_by_customer"]);

/** A pending refund settles: refund.updated with the new status, and charge.refunded, as at Stripe. */
function settleRefund(sim: StripeSim, intent: Intent, refund: Refund): void {
  refund.status = "succeeded";
  intent.amountRefundPending -= refund.amount;
  intent.amountRefunded += refund.amount;
  intent.refundsSucceeded += 1;
  sim.events.emit("refund.updated", renderRefund(refund), deliveryFor(intent.profile));
  sim.events.emit("charge.refunded", renderCharge(intent), deliveryFor(intent.profile));
}

function refundedIntent(ledger: StripeLedger, params: FormObject): Intent {
  const piId = formString(params, "payment_intent");
  if (piId !== undefined) return findIntent(ledger, piId);
  const chargeId = formString(params, "charge");
  if (chargeId === undefined) throw stripeErrors.missingParam("payment_intent");
  const intent = [...ledger.intents.values()].find((i) => i.latestCharge === chargeId);
  if (intent === undefined) throw stripeErrors.noSuch("charge", chargeId, "charge");
  return intent;
}

export function refundRoutes(router: Router, sim: StripeSim): void {
  router.post(
    "/v1/refunds",
    idempotent(sim.idempotency, (ctx) => {
      const params = form(ctx);
      const intent = refundedIntent(sim.ledger, params);
      if (intent.status !== "succeeded")
        throw stripeErrors.unexpectedState("refund", intent.status, renderIntent(intent));
      const remaining = intent.amountReceived - intent.amountRefunded - intent.amountRefundPending;
      if (remaining === 0n) throw stripeErrors.alreadyRefunded(intent.latestCharge ?? intent.id);
      const amount = positiveAmount(params, "amount") ?? remaining;
      if (amount > remaining) {
        throw stripeErrors.amountTooLarge(
          `Refund amount (${amount}) is greater than unrefunded amount on charge (${remaining})`,
          "amount",
        );
      }
      const reason = formString(params, "reason") ?? null;
      if (reason !== null && !REFUND_REASONS.has(reason))
        throw stripeErrors.invalidParam("reason", "Invalid reason");
      const fails = intent.profile?.refundFails === true;
      const pending = !fails && intent.profile?.refundPending === true;
      const refund: Refund = {
        id: stripeId("re"),
        created: unixNow(),
        amount,
        currency: intent.currency,
        paymentIntent: intent.id,
        charge: intent.latestCharge,
        status: fails ? "failed" : pending ? "pending" : "succeeded",
        reason,
        failureReason: fails ? "expired_or_canceled_card" : null,
        metadata: formStringMap(params, "metadata"),
      };
      sim.ledger.refunds.set(refund.id, refund);
      if (fails) sim.events.emit("refund.updated", renderRefund(refund), deliveryFor(intent.profile));
      else if (pending) {
        intent.amountRefundPending += amount;
        setTimeout(() => settleRefund(sim, intent, refund), simConfig.refundSettleMs);
      } else {
        intent.amountRefunded += amount;
        intent.refundsSucceeded += 1;
        sim.events.emit("charge.refunded", renderCharge(intent), deliveryFor(intent.profile));
      }
      return { status: 200, body: renderRefund(refund) };
    }),
  );

  router.get("/v1/refunds/:id", (ctx) => {
    const refund = sim.ledger.refunds.get(ctx.params.id ?? "");
    if (refund === undefined) throw stripeErrors.noSuch("refund", ctx.params.id ?? "");
    sendSim(ctx, { status: 200, body: renderRefund(refund) });
  });
}
