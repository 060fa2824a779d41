import type Router from "@koa/router";
import { deliveryFor } from "../../shared/delivery.ts";
import { stripeId, unixNow } from "../../shared/ids.ts";
import { parseJsonObject } from "../../shared/json.ts";
import { bodyText } from "../../shared/serve.ts";
import { settlementReportRoute } from "../../shared/settlement.ts";
import { sendSim } from "../../shared/sim-response.ts";
import { webhookEndpointRoutes } from "../../shared/webhook-endpoint.ts";
import type { WebhookSender } from "../../shared/webhook-sender.ts";
import { authorize } from "../confirm.ts";
import { stripeErrors } from "../errors.ts";
import { renderIntent } from "../render.ts";
import { STRIPE_REPORT_COLUMNS, stripeSettlementReport } from "../settlement-report.ts";
import type { StripeSim } from "../sim-context.ts";
import { findIntent } from "./payment-intents.ts";

/** Test-only endpoints: ledger inspection, reset, webhook endpoint, completing 3-D Secure, disputes. */
export function simRoutes(router: Router, sim: StripeSim, webhooks: WebhookSender): void {
  router.get("/_sim/charges", (ctx) => {
    const paymentId = typeof ctx.query.payment_id === "string" ? ctx.query.payment_id : "";
    sendSim(ctx, { status: 200, body: sim.ledger.summary(paymentId) });
  });

  router.get("/_sim/webhooks", (ctx) =>
    sendSim(ctx, { status: 200, body: { deliveries: webhooks.deliveries } }),
  );

  router.post("/_sim/reset", (ctx) => {
    sim.ledger.reset();
    sim.idempotency.store.clear();
    sim.firstSeen.clear();
    webhooks.clear();
    sendSim(ctx, { status: 200, body: { reset: true } });
  });

  // Body `{"result":"fail"}` fails the authentication instead.
  router.post("/_sim/payment_intents/:id/authenticate", (ctx) => {
    const intent = findIntent(sim.ledger, ctx.params.id);
    if (intent.status !== "requires_action")
      throw stripeErrors.unexpectedState("authenticate", intent.status);
    if (wantsFailure(bodyText(ctx))) {
      intent.status = "requires_payment_method";
      intent.nextAction = null;
      intent.lastPaymentError = {
        type: "invalid_request_error",
        code: "payment_intent_authentication_failure",
        message: "The provided PaymentMethod has failed authentication.",
      };
      sim.events.emit("payment_intent.payment_failed", renderIntent(intent), deliveryFor(intent.profile));
    } else authorize(intent, sim.events);
    sendSim(ctx, { status: 200, body: renderIntent(intent) });
  });

  // The cardholder disputes a captured charge: charge.dispute.created. Body `{"reason": "…"}` optional.
  router.post("/_sim/payment_intents/:id/dispute", (ctx) => {
    const intent = findIntent(sim.ledger, ctx.params.id);
    if (intent.amountReceived === 0n) throw stripeErrors.unexpectedState("dispute", intent.status);
    const reason = parseJsonObject(bodyText(ctx))?.reason;
    const dispute = {
      id: stripeId("dp"),
      object: "dispute",
      amount: intent.amountReceived,
      currency: intent.currency,
      charge: intent.latestCharge,
      payment_intent: intent.id,
      created: unixNow(),
      reason: typeof reason === "string" ? reason : "fraudulent",
      status: "needs_response",
      is_charge_refundable: false,
      livemode: false,
      metadata: {},
    };
    sim.events.emit("charge.dispute.created", dispute, deliveryFor(intent.profile));
    sendSim(ctx, { status: 200, body: dispute });
  });

  settlementReportRoute(router, "stripe", STRIPE_REPORT_COLUMNS, (date) =>
    stripeSettlementReport(sim.ledger, date),
  );

  webhookEndpointRoutes(router, webhooks);
}

function wantsFailure(raw: string): boolean {
  return parseJsonObject(raw)?.result === "fail";
}
