/**
 * Simulator configuration from the environment. The service never imports this module: it reads the
 * same variable names in core/infra/config.ts, and the DEV DEFAULT values here equal its dev defaults
 * so that a bare `stack:up` works. They agree only through the environment.
 */
function env(name: string, fallback: string): string {
  const value = process.env[name];
  return value === undefined || value === "" ? fallback : value;
}

function envInt(name: string, fallback: number): number {
  const parsed = Number.parseInt(env(name, String(fallback)), 10);
  return Number.isSafeInteger(parsed) && parsed >= 0 ? parsed : fallback;
}

export const simConfig = {
  // DEV DEFAULT: test-mode key; set STRIPE_API_KEY outside local development.
  stripeApiKey: env("STRIPE_API_KEY", "sk_test_dev_only"),
  // DEV DEFAULT: webhook signing secret shared with the service's STRIPE_WEBHOOK_SECRET.
  stripeWebhookSecret: env("STRIPE_WEBHOOK_SECRET", "whsec_dev_only"),
  // DEV DEFAULT: API key the Adyen simulator expects in X-API-Key.
  adyenApiKey: env("ADYEN_API_KEY", "adyen_dev_only"),
  // DEV DEFAULT: hex HMAC key for Adyen notifications; the service calls it ADYEN_HMAC_KEY_HEX.
  adyenHmacKeyHex: env(
    "ADYEN_HMAC_KEY",
    env("ADYEN_HMAC_KEY_HEX", "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056"),
  ),
  // The bearer key the fraud simulator requires, when set (the service's FRAUD_API_KEY); unset: any caller.
  fraudApiKey: env("FRAUD_API_KEY", ""),
  webhookUrl: process.env.WEBHOOK_URL || undefined,
  webhookMaxAttempts: envInt("WEBHOOK_MAX_ATTEMPTS", 6),
  /** How long pm_sim_timeout / pm_sim_fraud_timeout hold the answer back. */
  hangMs: envInt("SIM_HANG_MS", 30_000),
  /** How long pm_sim_slow waits before answering. */
  slowMs: envInt("SIM_SLOW_MS", 1_500),
  /** How long pm_sim_out_of_order_webhook holds the authorization's webhooks back. */
  webhookDelayMs: envInt("SIM_WEBHOOK_DELAY_MS", 2_000),
  /** How long a new PaymentIntent stays invisible to /v1/payment_intents/search (Stripe's index lags). */
  searchLagMs: envInt("SIM_SEARCH_LAG_MS", 2_000),
  /** How long a pm_sim_refund_pending refund stays pending at the Stripe simulator. */
  refundSettleMs: envInt("SIM_REFUND_SETTLE_MS", 500),
} as const;

export function portFromEnv(fallback: number): number {
  return envInt("PORT", fallback);
}
