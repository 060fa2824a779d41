import { z } from "zod";
import { parseRouting } from "../domain/psp-routing.ts";
import { kafkaSecurityEnvShape, kafkaSecurityProblems } from "./kafka-security.ts";

// DEV DEFAULT values below only match the local stack started by `npm run stack:up`.
// Production deployments must set every secret explicitly; see docs/configuration.md.
const DEV_DATABASE_URL = "postgres://payments:payments@127.0.0.1:55432/payments";
const DEV_STRIPE_API_KEY = "sk_test_dev_only";
const DEV_STRIPE_WEBHOOK_SECRET = "whsec_dev_only";
const DEV_ADYEN_API_KEY = "adyen_dev_only";
const DEV_ADYEN_HMAC_KEY_HEX = "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056";

const positiveInt = z.coerce.number().int().positive();
const nodeEnv = process.env.NODE_ENV ?? "development";

/** In production a secret must come from the environment; elsewhere the marked dev default is used. */
function secret(devDefault: string) {
  return nodeEnv === "production" ? z.string().min(1) : z.string().min(1).default(devDefault);
}

const schema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  PORT: positiveInt.default(8080),
  DATABASE_URL: secret(DEV_DATABASE_URL),
  DATABASE_POOL_SIZE: positiveInt.default(20),
  // Server-side bounds on every pooled session, and the client's keepalive and connect bounds.
  DATABASE_STATEMENT_TIMEOUT_MS: positiveInt.default(30_000),
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: positiveInt.default(60_000),
  DATABASE_KEEPALIVE_IDLE_MS: positiveInt.default(10_000),
  DATABASE_CONNECT_TIMEOUT_MS: positiveInt.default(10_000),
  KAFKA_BROKERS: z.string().default("127.0.0.1:9092"),
  KAFKA_CLIENT_ID: z.string().default("payment-service"),
  // SASL and TLS of the Kafka clients, one principal per role (kafka-security.ts, docs/security.md).
  ...kafkaSecurityEnvShape,
  SCHEMA_REGISTRY_URL: z.string().url().default("http://127.0.0.1:8081/apis/ccompat/v7"),
  COMMAND_TOPIC: z.string().default("payment.commands.v1"),
  COMMAND_DLQ_TOPIC: z.string().default("payment.commands.dlq.v1"),
  COMMAND_TOPIC_PARTITIONS: positiveInt.default(12),
  PROCESSOR_GROUP_ID: z.string().default("payment-processors"),
  ORDER_CREATED_TOPIC: z.string().default("order.created.v1"),
  ORDER_GROUP_ID: z.string().default("payment-autopay"),
  WEBHOOK_TOPIC: z.string().default("payment.webhooks.v1"),
  WEBHOOK_GROUP_ID: z.string().default("payment-webhooks"),
  // How soon a webhook that met a live PSP call on its payment is looked at again.
  WEBHOOK_RETRY_MS: positiveInt.default(1_000),
  // Command and webhook consumers (processors/parallel-consumer): handlers running at once; messages
  // fetched and not finished, in all and per partition (past these, partitions pause); how long a
  // revoked partition's running handlers are waited for; how often completed offsets are committed.
  PROCESSOR_CONCURRENCY: positiveInt.default(64),
  PROCESSOR_MAX_IN_FLIGHT: positiveInt.default(256),
  PROCESSOR_PARTITION_MAX_IN_FLIGHT: positiveInt.default(128),
  PROCESSOR_REVOKE_TIMEOUT_MS: positiveInt.default(10_000),
  PROCESSOR_COMMIT_INTERVAL_MS: positiveInt.default(250),
  REPLY_TIMEOUT_MS: positiveInt.default(10_000),
  // How long the ingress producer tries to deliver a command (librdkafka message.timeout.ms); must be
  // below REPLY_TIMEOUT_MS. Unset: REPLY_TIMEOUT_MS minus a fifth, at most 2 s (8 s for the default).
  COMMAND_DELIVERY_TIMEOUT_MS: positiveInt.optional(),
  OUTBOX_PUBLISHER: z.enum(["relay", "debezium"]).default("relay"),
  OUTBOX_POLL_MS: positiveInt.default(50),
  OUTBOX_BATCH_SIZE: positiveInt.default(500),
  OUTBOX_RETENTION_MS: positiveInt.default(24 * 3_600_000),
  // The relay leader's lease: a frozen leader is replaced within TTL + 1 s (a follower asks every second).
  OUTBOX_LEASE_TTL_MS: positiveInt.max(10_000).default(7_000),
  OUTBOX_LEASE_RENEW_MS: positiveInt.default(2_000),
  // The processor's ops listener: health, metrics, manual review queue. Loopback unless told otherwise.
  PROCESSOR_HTTP_PORT: positiveInt.default(9464),
  OPS_HOST: z.string().default("127.0.0.1"),
  STRIPE_API_BASE: z.string().url().default("http://127.0.0.1:12111"),
  STRIPE_API_KEY: secret(DEV_STRIPE_API_KEY),
  STRIPE_WEBHOOK_SECRET: secret(DEV_STRIPE_WEBHOOK_SECRET),
  // Where Stripe sends the shopper back after 3-D Secure (confirm's return_url); unset: the client
  // finishes the step with stripe.js from next_action and client_secret.
  STRIPE_RETURN_URL: z.string().url().optional(),
  ADYEN_API_BASE: z.string().url().default("http://127.0.0.1:12112"),
  ADYEN_API_KEY: secret(DEV_ADYEN_API_KEY),
  ADYEN_MERCHANT_ACCOUNT: z.string().default("PaymentServiceECOM"),
  ADYEN_HMAC_KEY_HEX: secret(DEV_ADYEN_HMAC_KEY_HEX),
  PSP_TIMEOUT_MS: positiveInt.default(5_000),
  FRAUD_API_BASE: z.string().url().default("http://127.0.0.1:12113"),
  FRAUD_TIMEOUT_MS: positiveInt.default(800),
  FRAUD_BLOCK_SCORE: positiveInt.max(100).default(80),
  FRAUD_FALLBACK_MAX_MINOR: positiveInt.default(50_000),
  DEFAULT_PSP: z.enum(["stripe", "adyen"]).default("stripe"),
  // Fallback order per currency when a PSP cannot take an authorization (ADR 0008), e.g.
  // "USD=stripe,adyen;*=stripe,adyen". Empty: no rerouting. Only for payment methods every listed PSP
  // accepts (vault or network tokens; the simulators accept the same test tokens).
  PSP_ROUTING: z
    .string()
    .default("")
    .transform((v, zctx) => {
      try {
        return parseRouting(v);
      } catch (err) {
        zctx.addIssue({ code: "custom", message: (err as Error).message });
        return z.NEVER;
      }
    }),
  JANITOR_ENABLED: z
    .enum(["true", "false"])
    .default("true")
    .transform((v) => v === "true"),
  JANITOR_INTERVAL_MS: positiveInt.default(5_000),
  // Longer than a PSP call with all its retries, so the janitor never races a live first attempt.
  JANITOR_MIN_AGE_MS: positiveInt.default(60_000),
  // Attempt lifecycle (ADR 0008).
  JANITOR_FIRST_CHECK_MS: positiveInt.max(60_000).default(30_000),
  // How long a janitor's claim on an attempt lasts: longer than one check (a PSP call with its retries).
  JANITOR_CHECK_LEASE_MS: positiveInt.default(60_000),
  JANITOR_ACCEPTED_CHECK_MS: positiveInt.default(60_000),
  JANITOR_MAX_BACKOFF_MS: positiveInt.default(15 * 60_000),
  REVIEW_AFTER_CHECKS: positiveInt.default(8),
  REVIEW_AFTER_MS: positiveInt.default(3_600_000),
  PSP_PARK_RETRY_MS: positiveInt.default(30_000),
  PSP_PARK_DEADLINE_MS: positiveInt.default(15 * 60_000),
  COMMAND_CLAIM_LEASE_MS: positiveInt.default(15_000),
});

const refinedSchema = schema
  .refine((c) => c.OUTBOX_LEASE_RENEW_MS * 2 <= c.OUTBOX_LEASE_TTL_MS, {
    message: "OUTBOX_LEASE_RENEW_MS must be at most half of OUTBOX_LEASE_TTL_MS",
    path: ["OUTBOX_LEASE_RENEW_MS"],
  })
  .refine((c) => (c.COMMAND_DELIVERY_TIMEOUT_MS ?? 0) < c.REPLY_TIMEOUT_MS, {
    message: "COMMAND_DELIVERY_TIMEOUT_MS must be below REPLY_TIMEOUT_MS",
    path: ["COMMAND_DELIVERY_TIMEOUT_MS"],
  })
  .superRefine((c, zctx) => {
    for (const message of kafkaSecurityProblems(c, c.NODE_ENV === "production")) {
      zctx.addIssue({ code: "custom", message, path: ["KAFKA_SECURITY_PROTOCOL"] });
    }
  });

export type Config = z.infer<typeof schema>;

/** Parses the environment once at boot; an invalid config stops the process with the offending keys. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = refinedSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`invalid configuration: ${problems}`);
  }
  return parsed.data;
}
