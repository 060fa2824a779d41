/** A production environment that passes every guard; each test breaks one thing. */
export const PRODUCTION_HMAC_KEY = "9f".repeat(32);

export const productionEnv = (over: Record<string, string | undefined> = {}): NodeJS.ProcessEnv => ({
  NODE_ENV: "production",
  DATABASE_URL: "postgres://svc_payments:Vq8-rT2@db.payments.internal:5432/payments?sslmode=verify-full",
  KAFKA_BROKERS: "kafka-1.payments.internal:9093,kafka-2.payments.internal:9093",
  SCHEMA_REGISTRY_URL: "https://registry.payments.internal/apis/ccompat/v7",
  STRIPE_API_BASE: "https://api.stripe.com",
  ADYEN_API_BASE: "https://1797a841fbb37ca7-AcmeCom-checkout-live.adyenpayments.com/checkout",
  FRAUD_API_BASE: "https://fraud.payments.internal",
  STRIPE_API_KEY: "sk_live_51HxYzProdKey",
  STRIPE_WEBHOOK_SECRET: "whsec_prodSigningSecret",
  ADYEN_API_KEY: "AQEyhmfxProdKey",
  ADYEN_HMAC_KEY_HEX: PRODUCTION_HMAC_KEY,
  ADYEN_MERCHANT_ACCOUNT: "AcmeECOM",
  FRAUD_API_KEY: "fraud_prodKey",
  KAFKA_SECURITY_PROTOCOL: "SASL_SSL",
  KAFKA_SASL_USERNAME: "payments-svc",
  KAFKA_SASL_PASSWORD: "kafka-prod-secret",
  DATA_KEK_ID: "kek_2025_01",
  DATA_KEK: Buffer.alloc(32, 7).toString("base64"),
  OPS_CONSOLE_SESSION_SECRET: "prod-ops-console-session-secret-6f1c9a2e",
  ...over,
});
