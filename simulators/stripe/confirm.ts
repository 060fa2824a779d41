import { deliveryFor } from "../shared/delivery.ts";
import { simConfig } from "../shared/dev-secrets.ts";
import { stripeId } from "../shared/ids.ts";
import type { SimResponse } from "../shared/sim-response.ts";
import type { CardProfile, DeclineReason } from "../shared/test-tokens.ts";
import type { Intent } from "./ledger.ts";
import { renderIntent } from "./render.ts";
import type { StripeEvents } from "./webhooks.ts";

const DECLINE_MESSAGES: Record<DeclineReason, string> = {
  generic_decline: "Your card was declined.",
  insufficient_funds: "Your card has insufficient funds.",
  fraudulent: "Your card was declined.",
};

/** Confirms an intent with its payment method and answers as Stripe would. */
export function confirmIntent(intent: Intent, profile: CardProfile, events: StripeEvents): SimResponse {
  intent.latestCharge = stripeId("ch");
  const delivery = deliveryFor(profile, "authorization");
  if (profile.result === "decline") {
    const reason = profile.decline ?? "generic_decline";
    const error = {
      type: "card_error",
      code: "card_declined",
      decline_code: reason,
      message: DECLINE_MESSAGES[reason],
      charge: intent.latestCharge,
      doc_url: "https://stripe.com/docs/error-codes/card-declined",
      payment_method: {
        id: intent.paymentMethod,
        object: "payment_method",
        type: "card",
        card: cardOf(profile),
      },
    };
    Object.assign(intent, { status: "requires_payment_method", lastPaymentError: error, nextAction: null });
    events.emit("payment_intent.payment_failed", renderIntent(intent), delivery);
    return { status: 402, body: { error: { ...error, payment_intent: renderIntent(intent) } } };
  }
  if (profile.result === "requires_action") {
    const url = `/_sim/payment_intents/${intent.id}/authenticate`;
    intent.status = "requires_action";
    intent.nextAction = { type: "redirect_to_url", redirect_to_url: { url, return_url: null } };
    events.emit("payment_intent.requires_action", renderIntent(intent), delivery);
    return { status: 200, body: renderIntent(intent) };
  }
  authorize(intent, events);
  const delayMs = profile.fault === "timeout" ? simConfig.hangMs : 0;
  return { status: 200, body: renderIntent(intent), delayMs };
}

/** Reserves (manual) or charges (automatic) the full amount. */
export function authorize(intent: Intent, events: StripeEvents): void {
  const delivery = deliveryFor(intent.profile, "authorization");
  intent.authorized = true;
  intent.lastPaymentError = null;
  intent.nextAction = null;
  if (intent.captureMethod === "manual") {
    intent.status = "requires_capture";
    intent.amountCapturable = intent.amount;
    events.emit("payment_intent.amount_capturable_updated", renderIntent(intent), delivery);
    return;
  }
  intent.status = "succeeded";
  intent.amountReceived = intent.amount;
  intent.captures = 1;
  events.emit("payment_intent.succeeded", renderIntent(intent), delivery);
}

function cardOf(profile: CardProfile) {
  return { brand: profile.brand, last4: profile.last4 };
}
