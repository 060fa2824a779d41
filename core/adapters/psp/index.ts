import type { PspName } from "../../domain/payment-status.ts";
import type { PaymentConnector } from "../../ports/payment-connector.ts";
import { AdyenConnector } from "./adyen/connector.ts";
import type { AttemptHook } from "./outcomes.ts";
import type { ResilienceSettings } from "./resilient-http.ts";
import { StripeConnector } from "./stripe/connector.ts";

export type { AttemptHook } from "./outcomes.ts";
export { AdyenConnector, StripeConnector };

export interface ConnectorsConfig extends Partial<Omit<ResilienceSettings, "timeoutMs">> {
  /** returnUrl: where Stripe sends the shopper back after a redirect (3-D Secure); sent only when set. */
  stripe: {
    baseUrl: string;
    apiKey: string;
    webhookSecret: string | readonly string[];
    returnUrl?: string;
    live?: boolean;
    /** Wall-clock ceiling of one operation, retries included (STRIPE_CALL_BUDGET_MS); unset: 2 × timeoutMs. */
    budgetMs?: number;
  };
  adyen: {
    baseUrl: string;
    apiKey: string;
    merchantAccount: string;
    hmacKeyHex: string | readonly string[];
    live?: boolean;
  };
  /** Per HTTP request (PSP_TIMEOUT_MS). */
  timeoutMs: number;
  /** Called once per connector operation with its outcome kind and duration, retries included. */
  onAttempt?: AttemptHook;
}

/** One connector per PSP, each with its own circuit breaker. */
export function createConnectors(cfg: ConnectorsConfig): Record<PspName, PaymentConnector> {
  const { stripe, adyen, ...shared } = cfg;
  return {
    stripe: new StripeConnector({ ...shared, ...stripe }),
    adyen: new AdyenConnector({ ...shared, ...adyen }),
  };
}
