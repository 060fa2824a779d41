import type { FirstSeen, IdempotencyPolicy } from "../shared/idempotent-route.ts";
import type { StripeLedger } from "./ledger.ts";
import type { StripeEvents } from "./webhooks.ts";

/** Everything a Stripe simulator route needs. */
export interface StripeSim {
  ledger: StripeLedger;
  events: StripeEvents;
  firstSeen: FirstSeen;
  idempotency: IdempotencyPolicy;
}
