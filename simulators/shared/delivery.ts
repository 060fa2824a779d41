import { simConfig } from "./dev-secrets.ts";
import type { CardProfile } from "./test-tokens.ts";
import type { DeliveryOptions } from "./webhook-sender.ts";

/**
 * How the webhooks about a payment are delivered, by its card profile: twice for
 * pm_sim_duplicate_webhook; for pm_sim_out_of_order_webhook the authorization's events come late,
 * after the capture or refund events that follow them.
 */
export function deliveryFor(
  profile: CardProfile | undefined,
  stage: "authorization" | "later" = "later",
): DeliveryOptions {
  return {
    copies: profile?.duplicateWebhooks ? 2 : 1,
    delayMs: stage === "authorization" && profile?.outOfOrderWebhooks ? simConfig.webhookDelayMs : 0,
  };
}
