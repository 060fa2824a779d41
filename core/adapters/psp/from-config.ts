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
    },
    adyen: {
      baseUrl: config.ADYEN_API_BASE,
      apiKey: config.ADYEN_API_KEY,
      merchantAccount: config.ADYEN_MERCHANT_ACCOUNT,
      hmacKeyHex: config.ADYEN_HMAC_KEYS,
      live: config.PSP_ENVIRONMENT === "live",
    },
    timeoutMs: config.PSP_TIMEOUT_MS,
  });
}
