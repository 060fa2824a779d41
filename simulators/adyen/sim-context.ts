import type { FirstSeen, IdempotencyPolicy } from "../shared/idempotent-route.ts";
import type { AdyenLedger } from "./ledger.ts";
import type { AdyenNotifications } from "./notifications.ts";

/** Everything an Adyen simulator route needs. */
export interface AdyenSim {
  ledger: AdyenLedger;
  notifications: AdyenNotifications;
  firstSeen: FirstSeen;
  idempotency: IdempotencyPolicy;
}
