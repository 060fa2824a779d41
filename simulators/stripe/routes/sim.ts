import type Router from "@koa/router";
import { parseJsonObject } from "../../shared/json.ts";
import { bodyText } from "../../shared/serve.ts";
import { sendSim } from "../../shared/sim-response.ts";
import type { WebhookSender } from "../../shared/webhook-sender.ts";
import { authorize } from "../confirm.ts";
import { stripeErrors } from "../errors.ts";
import { renderIntent } from "../render.ts";
import type { StripeSim } from "../sim-context.ts";
import { findIntent } from "./payment-intents.ts";

/** Test-only endpoints: ledger inspection, reset, and completing 3-D Secure. */
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
    const duplicate = intent.profile?.duplicateWebhooks === true;
    if (wantsFailure(bodyText(ctx))) {
      intent.status = "requires_payment_method";
      intent.nextAction = null;
      intent.lastPaymentError = {
        type: "invalid_request_error",
        code: "payment_intent_authentication_failure",
        message: "The provided PaymentMethod has failed authentication.",
      };
      sim.events.emit("payment_intent.payment_failed", renderIntent(intent), duplicate);
    } else authorize(intent, sim.events, duplicate);
    sendSim(ctx, { status: 200, body: renderIntent(intent) });
  });
}

function wantsFailure(raw: string): boolean {
  return parseJsonObject(raw)?.result === "fail";
}
