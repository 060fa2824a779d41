import type { PspName } from "../../domain/payment-status.ts";
import type { Config } from "../../infra/config.ts";
import type { PaymentConnector } from "../../ports/payment-connector.ts";
import { createConnectors } from "./index.ts";

/** The connectors as configured: the processors call PSPs with them, the ingress verifies webhooks. */
export function connectorsFromConfig(config: Config): Record<PspName, PaymentConnector> {
  return createConnectors({
    stripe: {
      baseUrl: config.STRIPE_API_BASE,
      apiKey: config.STRIPE_API_KEY,
      webhookSecret: config.STRIPE_WEBHOOK_SECRETS,
      live: config.PSP_ENVIRONMENT === "live",
      ...(config.STRIPE_RETURN_URL ? { returnUrl: config.STRIPE_RETURN_URL } : {}),
      ...(config.STRIPE_CALL_BUDGET_MS ? { budgetMs: config.STRIPE_CALL_BUDGET_MS } : {}),
    },
    adyen: {
      baseUrl: config.ADYEN_API_BASE,
      apiKey: config.ADYEN_API_KEY,
      merchantAccount: config.ADYEN_MERCHANT_ACCOUNT,
      hmacKeyHex: config.ADYEN_HMAC_KEYS,
      live: config.PSP_ENVIRONMENT === "live",
    },
    timeoutMs: config.PSP_TIMEOUT_MS,
    retries: config.PSP_RETRIES,
    minBackoffMs: config.PSP_RETRY_MIN_BACKOFF_MS,
    maxBackoffMs: config.PSP_RETRY_MAX_BACKOFF_MS,
    breaker: {
      volumeThreshold: config.PSP_BREAKER_VOLUME_THRESHOLD,
      errorThresholdPercentage: config.PSP_BREAKER_ERROR_PERCENT,
      resetTimeoutMs: config.PSP_BREAKER_RESET_MS,
    },
  });
}
