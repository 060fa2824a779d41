import type Router from "@koa/router";
import { deliveryFor } from "../../shared/delivery.ts";
import { parseJsonObject } from "../../shared/json.ts";
import { bodyText } from "../../shared/serve.ts";
import { settlementReportRoute } from "../../shared/settlement.ts";
import { sendSim } from "../../shared/sim-response.ts";
import { webhookEndpointRoutes } from "../../shared/webhook-endpoint.ts";
import type { WebhookSender } from "../../shared/webhook-sender.ts";
import { approve, notifyAuthorisation } from "../authorise.ts";
import { adyenErrors } from "../errors.ts";
import { renderPayment } from "../render.ts";
import { ADYEN_REPORT_COLUMNS, adyenSettlementReport } from "../settlement-report.ts";
import type { AdyenSim } from "../sim-context.ts";

/** Test-only endpoints: ledger inspection, reset, webhook endpoint, completing 3-D Secure, chargebacks. */
export function simRoutes(router: Router, sim: AdyenSim, webhooks: WebhookSender): void {
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

  // Body `{"result":"fail"}` refuses the payment instead.
  router.post("/_sim/payments/:pspReference/authenticate", (ctx) => {
    const payment = sim.ledger.payments.get(ctx.params.pspReference ?? "");
    if (payment === undefined) throw adyenErrors.unknownPayment(ctx.params.pspReference ?? "");
    if (payment.resultCode !== "RedirectShopper")
      throw adyenErrors.notAllowed("payment awaits no authentication");
    if (wantsFailure(bodyText(ctx))) {
      payment.resultCode = "Refused";
      payment.refusal = { code: "11", reason: "3D Not Authenticated" };
      notifyAuthorisation(payment, sim.notifications, false);
    } else approve(payment, sim.notifications);
    sendSim(ctx, { status: 200, body: renderPayment(payment) });
  });

  // The cardholder disputes a captured payment: NOTIFICATION_OF_CHARGEBACK, then CHARGEBACK, both
  // naming the payment's pspReference. Body `{"reason": "…"}` optional.
  router.post("/_sim/payments/:pspReference/chargeback", (ctx) => {
    const payment = sim.ledger.payments.get(ctx.params.pspReference ?? "");
    if (payment === undefined) throw adyenErrors.unknownPayment(ctx.params.pspReference ?? "");
    if (payment.captures === 0) throw adyenErrors.notAllowed("payment is not captured");
    const given = parseJsonObject(bodyText(ctx))?.reason;
    const reason = typeof given === "string" ? given : "Fraud";
    for (const eventCode of ["NOTIFICATION_OF_CHARGEBACK", "CHARGEBACK"] as const) {
      sim.notifications.emit(
        {
          eventCode,
          pspReference: payment.pspReference,
          merchantAccountCode: payment.merchantAccount,
          merchantReference: payment.merchantReference,
          amount: { value: payment.capturedAmount, currency: payment.currency },
          success: true,
          reason,
          additionalData: { chargebackReasonCode: "10.4", chargebackSchemeCode: "visa" },
        },
        deliveryFor(payment.profile),
      );
    }
    sendSim(ctx, { status: 200, body: renderPayment(payment) });
  });

  settlementReportRoute(router, "adyen", ADYEN_REPORT_COLUMNS, (date) =>
    adyenSettlementReport(sim.ledger, date),
  );

  webhookEndpointRoutes(router, webhooks);
}

function wantsFailure(raw: string): boolean {
  return parseJsonObject(raw)?.result === "fail";
}
