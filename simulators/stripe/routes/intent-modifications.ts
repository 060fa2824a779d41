import type Router from "@koa/router";
import { deliveryFor } from "../../shared/delivery.ts";
import { formString } from "../../shared/form-encoding.ts";
import { idempotent } from "../../shared/idempotent-route.ts";
import { unixNow } from "../../shared/ids.ts";
import { stripeErrors } from "../errors.ts";
import type { IntentStatus } from "../ledger.ts";
import { form, positiveAmount } from "../params.ts";
import { renderIntent } from "../render.ts";
import type { StripeSim } from "../sim-context.ts";
import { findIntent } from "./payment-intents.ts";

const CANCELABLE: ReadonlySet<IntentStatus> = new Set([
  "requires_payment_method",
  "requires_confirmation",
  "requires_action",
  "requires_capture",
  "processing",
]);

export function intentModificationRoutes(router: Router, sim: StripeSim): void {
  router.post(
    "/v1/payment_intents/:id/capture",
    idempotent(sim.idempotency, (ctx) => {
      const intent = findIntent(sim.ledger, ctx.params.id);
      if (intent.status !== "requires_capture")
        throw stripeErrors.unexpectedState("capture", intent.status, renderIntent(intent));
      const amount = positiveAmount(form(ctx), "amount_to_capture") ?? intent.amountCapturable;
      if (amount > intent.amountCapturable) {
        throw stripeErrors.amountTooLarge(
          `The amount_to_capture (${amount}) is greater than the amount_capturable (${intent.amountCapturable}).`,
          "amount_to_capture",
        );
      }
      // Stripe captures once; whatever is not captured is released.
      Object.assign(intent, { status: "succeeded", amountReceived: amount, amountCapturable: 0n });
      intent.captures += 1;
      sim.events.emit("payment_intent.succeeded", renderIntent(intent), deliveryFor(intent.profile));
      return { status: 200, body: renderIntent(intent) };
    }),
  );

  router.post(
    "/v1/payment_intents/:id/cancel",
    idempotent(sim.idempotency, (ctx) => {
      const intent = findIntent(sim.ledger, ctx.params.id);
      if (!CANCELABLE.has(intent.status))
        throw stripeErrors.unexpectedState("cancel", intent.status, renderIntent(intent));
      Object.assign(intent, {
        status: "canceled",
        amountCapturable: 0n,
        nextAction: null,
        canceledAt: unixNow(),
        cancellationReason: formString(form(ctx), "cancellation_reason") ?? null,
      });
      sim.events.emit("payment_intent.canceled", renderIntent(intent), deliveryFor(intent.profile));
      return { status: 200, body: renderIntent(intent) };
    }),
  );
}
