import type Router from "@koa/router";
import { deliveryFor } from "../../shared/delivery.ts";
import { idempotent } from "../../shared/idempotent-route.ts";
import { adyenPspReference } from "../../shared/ids.ts";
import type { SimResponse } from "../../shared/sim-response.ts";
import { adyenErrors } from "../errors.ts";
import type { AdyenLedger, AdyenPayment, Modification } from "../ledger.ts";
import type { AdyenEventCode } from "../notifications.ts";
import { amountField, jsonBody, requiredString, stringField } from "../params.ts";
import { modificationResponse } from "../render.ts";
import type { AdyenSim } from "../sim-context.ts";

const EVENT: Record<Modification["kind"], AdyenEventCode> = {
  capture: "CAPTURE",
  cancel: "CANCELLATION",
  refund: "REFUND",
};

const FAILURE_REASONS: Record<Modification["kind"], string> = {
  capture: "Capture failed (simulated)",
  cancel: "Cancellation failed (simulated)",
  refund: "Refund failed (simulated)",
};

function findPayment(ledger: AdyenLedger, psp: string | undefined): AdyenPayment {
  const payment = psp === undefined ? undefined : ledger.payments.get(psp);
  if (payment === undefined) throw adyenErrors.unknownPayment(psp ?? "");
  return payment;
}

function requestedAmount(payment: AdyenPayment, body: Record<string, unknown>, limit: bigint): bigint {
  const amount = amountField(body);
  if (amount.currency !== payment.currency) throw adyenErrors.currencyMismatch();
  if (amount.value > limit)
    throw adyenErrors.invalidAmount(`Invalid amount specified: ${amount.value} > ${limit}`);
  return amount.value;
}

export function modificationRoutes(router: Router, sim: AdyenSim): void {
  // Modifications are asynchronous at Adyen: 201 "received" now, the outcome in a notification.
  const modify = (
    kind: Modification["kind"],
    apply: (p: AdyenPayment, body: Record<string, unknown>) => Modification,
  ) =>
    idempotent(sim.idempotency, (ctx): SimResponse => {
      const payment = findPayment(sim.ledger, ctx.params.paymentPspReference);
      const body = jsonBody(ctx);
      requiredString(body, "merchantAccount");
      const modification = apply(payment, body);
      payment.modifications.push(modification);
      sim.notifications.emit(
        {
          eventCode: EVENT[kind],
          pspReference: modification.pspReference,
          originalReference: payment.pspReference,
          merchantAccountCode: payment.merchantAccount,
          merchantReference: modification.reference ?? payment.merchantReference,
          amount: { value: modification.amount ?? payment.amount, currency: payment.currency },
          success: modification.success,
          reason: modification.success ? "" : FAILURE_REASONS[kind],
        },
        deliveryFor(payment.profile),
      );
      return { status: 201, body: modificationResponse(payment, modification) };
    });

  const modification = (kind: Modification["kind"], body: Record<string, unknown>, amount?: bigint) => ({
    pspReference: adyenPspReference(),
    kind,
    reference: stringField(body, "reference"),
    amount,
    success: true,
    createdMs: Date.now(),
  });

  router.post(
    "/v71/payments/:paymentPspReference/captures",
    modify("capture", (payment, body) => {
      if (!payment.authorized || payment.cancelled) throw adyenErrors.notAllowed("payment is not authorised");
      if (payment.captures > 0) throw adyenErrors.notAllowed("payment is already captured");
      const amount = requestedAmount(payment, body, payment.amount);
      // Accepted now, refused later: nothing is captured, the CAPTURE notification says success=false.
      if (payment.profile.captureFails) return { ...modification("capture", body, amount), success: false };
      // One capture per payment; the uncaptured remainder is released.
      payment.captures = 1;
      payment.capturedAmount = amount;
      return modification("capture", body, amount);
    }),
  );

  router.post(
    "/v71/payments/:paymentPspReference/cancels",
    modify("cancel", (payment, body) => {
      if (payment.cancelled) throw adyenErrors.notAllowed("payment is already cancelled");
      if (payment.captures > 0)
        throw adyenErrors.notAllowed("payment is already captured; refund it instead");
      if (payment.profile.cancelFails) return { ...modification("cancel", body), success: false };
      payment.cancelled = true;
      return modification("cancel", body);
    }),
  );

  router.post(
    "/v71/payments/:paymentPspReference/refunds",
    modify("refund", (payment, body) => {
      if (payment.captures === 0) throw adyenErrors.notAllowed("payment is not captured; cancel it instead");
      const remaining = payment.capturedAmount - payment.refundedAmount;
      const amount = requestedAmount(payment, body, remaining);
      if (payment.profile.refundFails) return { ...modification("refund", body, amount), success: false };
      payment.refundedAmount += amount;
      payment.refundsSucceeded += 1;
      return modification("refund", body, amount);
    }),
  );
}
