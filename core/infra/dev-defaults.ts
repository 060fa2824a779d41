// DEV DEFAULT values: they only match the local stack started by `npm run stack:up` and the simulators'
// own defaults (simulators/shared/dev-secrets.ts). Outside production a missing secret falls back to
// them; in production every one of them, and every other value below, is refused (docs/security.md).
export const DEV_DATABASE_URL = "postgres://payments:payments@127.0.0.1:55432/payments";
export const DEV_STRIPE_API_KEY = "sk_test_dev_only";
export const DEV_STRIPE_WEBHOOK_SECRET = "whsec_dev_only";
export const DEV_ADYEN_API_KEY = "adyen_dev_only";
export const DEV_ADYEN_HMAC_KEY_HEX = "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056";
export const DEV_ADYEN_MERCHANT_ACCOUNT = "PaymentServiceECOM";
export const DEV_FRAUD_API_KEY = "fraud_dev_only";
/** The key-encryption key of the envelope encryption at rest; refused in production by id and by value. */
export const DEV_DATA_KEK_ID = "dev_only_kek";
export const DEV_DATA_KEK = "ZGV2X29ubHlfZGF0YV9rZWtfMzJfYnl0ZXNfbG9uZyE=";
/** The stack's s3proxy (scripts/stack/lib.sh S3_ACCESS_KEY / S3_SECRET_KEY). */
export const DEV_S3_ENDPOINT = "http://127.0.0.1:9000";
export const DEV_S3_ACCESS_KEY_ID = "payments-dev";
export const DEV_S3_SECRET_ACCESS_KEY = "payments-dev-secret";
/** Signs the ops console's session cookies (processors/ops/console/session.ts). */
export const DEV_OPS_CONSOLE_SESSION_SECRET = "dev_only_ops_console_session_secret_0123456789";

/** Passwords the local stack creates (scripts/stack/lib.sh): refused in any production URL. */
export const STACK_DEV_PASSWORDS: readonly string[] = ["payments", "apicurio"];

/** Every known dev value, compared case-insensitively (hex keys are written in either case). */
export const KNOWN_DEV_VALUES: ReadonlySet<string> = new Set(
  [
    DEV_DATABASE_URL,
    DEV_STRIPE_API_KEY,
    DEV_STRIPE_WEBHOOK_SECRET,
    DEV_ADYEN_API_KEY,
    DEV_ADYEN_HMAC_KEY_HEX,
    DEV_ADYEN_MERCHANT_ACCOUNT,
    DEV_FRAUD_API_KEY,
    DEV_DATA_KEK,
    DEV_S3_SECRET_ACCESS_KEY,
    DEV_OPS_CONSOLE_SESSION_SECRET,
    ...STACK_DEV_PASSWORDS,
  ].map((v) => v.toLowerCase()),
);

export const isKnownDevValue = (value: string) => KNOWN_DEV_VALUES.has(value.toLowerCase());
