import { z } from "zod";
import { parseRouting } from "../domain/psp-routing.ts";
import { parseKeks } from "../security/data-keys.ts";
import type { Kek } from "../security/envelope.ts";
import {
  type GuardedSettings,
  type PspEnvironment,
  productionRefusals,
  realTrafficSettings,
  secretFormatRefusals,
} from "./config-guards.ts";
import {
  DEV_ADYEN_API_KEY,
  DEV_ADYEN_HMAC_KEY_HEX,
  DEV_ADYEN_MERCHANT_ACCOUNT,
  DEV_DATA_KEK,
  DEV_DATA_KEK_ID,
  DEV_DATABASE_URL,
  DEV_FRAUD_API_KEY,
  DEV_STRIPE_API_KEY,
  DEV_STRIPE_WEBHOOK_SECRET,
} from "./dev-defaults.ts";
import { kafkaSecurityEnvShape, kafkaSecurityProblems } from "./kafka-security.ts";

// Secrets have DEV DEFAULT values (dev-defaults.ts) outside production only; production requires each
// one and refuses known dev values. Which settings count as real traffic: docs/security.md.
const positiveInt = z.coerce.number().int().positive();
/** "true" / "false" (the default given) as a boolean. */
const flag = (fallback: "true" | "false") =>
  z
    .enum(["true", "false"])
    .default(fallback)
    .transform((v) => v === "true");
/** A daily time of day, HH:MM in UTC. */
const timeOfDayUtc = (name: string, fallback: string) =>
  z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, `${name} must be HH:MM`)
    .default(fallback);
const secret = z.string().min(1).optional();
/** A comma-separated list, for secrets that rotate: several are active at once. */
const secretList = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== ""),
  );

const schema = z.object({
  // Unset: development, unless the settings below point at real traffic (then the process refuses to start).
  NODE_ENV: z.enum(["development", "test", "production"]).optional(),
  PORT: positiveInt.default(8080),
  // TLS comes from the URL: sslmode (required in production) and sslrootcert=<path to the CA>.
  DATABASE_URL: secret,
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
  // The ingress's ops listener (/metrics, readiness per dependency) on OPS_HOST; 0 picks a free port.
  INGRESS_OPS_PORT: z.coerce.number().int().min(0).max(65_535).default(9463),
  OPS_HOST: z.string().default("127.0.0.1"),
  STRIPE_API_BASE: z.string().url().default("http://127.0.0.1:12111"),
  // test or live: which PSP accounts this deployment talks to. Unset: live in production, test elsewhere.
  PSP_ENVIRONMENT: z.enum(["test", "live"]).optional(),
  STRIPE_API_KEY: secret,
  // Webhook signing secrets: STRIPE_WEBHOOK_SECRETS (comma-separated, during a rotation) and/or the single
  // STRIPE_WEBHOOK_SECRET; a signature made with any of them is accepted.
  STRIPE_WEBHOOK_SECRET: secret,
  STRIPE_WEBHOOK_SECRETS: secretList,
  // Where Stripe sends the shopper back after 3-D Secure (confirm's return_url); unset: the client
  // finishes the step with stripe.js from next_action and client_secret.
  STRIPE_RETURN_URL: z.string().url().optional(),
  ADYEN_API_BASE: z.string().url().default("http://127.0.0.1:12112"),
  ADYEN_API_KEY: secret,
  // Notifications for any other merchant account are acknowledged and ignored.
  ADYEN_MERCHANT_ACCOUNT: secret,
  // Notification HMAC keys, 64 hex characters: ADYEN_HMAC_KEYS (comma-separated) and/or ADYEN_HMAC_KEY_HEX.
  ADYEN_HMAC_KEY_HEX: secret,
  ADYEN_HMAC_KEYS: secretList,
  PSP_TIMEOUT_MS: positiveInt.default(5_000),
  FRAUD_API_BASE: z.string().url().default("http://127.0.0.1:12113"),
  // Sent as `Authorization: Bearer` to the fraud service.
  FRAUD_API_KEY: secret,
  FRAUD_TIMEOUT_MS: positiveInt.default(800),
  FRAUD_BLOCK_SCORE: positiveInt.max(100).default(80),
  FRAUD_FALLBACK_MAX_MINOR: positiveInt.default(50_000),
  DEFAULT_PSP: z.enum(["stripe", "adyen"]).default("stripe"),
  // The merchant that autopay payments (from order.created, which names no merchant) belong to.
  AUTOPAY_MERCHANT_ID: z
    .string()
    .regex(/^mer_[a-z0-9_]{1,60}$/)
    .default("mer_default"),
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
  JANITOR_ENABLED: flag("true"),
  JANITOR_INTERVAL_MS: positiveInt.default(5_000),
  // Daily reconciliation of yesterday (UTC), docs/adr/0011-reconciliation.md.
  RECON_ENABLED: flag("false"),
  RECON_SCHEDULE_UTC: timeOfDayUtc("RECON_SCHEDULE_UTC", "02:00"),
  // The daily finance report of yesterday (UTC), a Spark job (docs/finance-data.md, "Finance report").
  FINANCE_EXPORT_ENABLED: flag("false"),
  FINANCE_EXPORT_SCHEDULE_UTC: timeOfDayUtc("FINANCE_EXPORT_SCHEDULE_UTC", "03:00"),
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
  // Key-encryption keys of the envelope encryption at rest (docs/security.md): DATA_KEKS="id:base64,…"
  // (every active key, the newest last and current) and/or DATA_KEK_ID + DATA_KEK (one more, then current).
  DATA_KEK_ID: z.string().optional(),
  DATA_KEK: secret,
  DATA_KEKS: secretList,
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

type Parsed = z.infer<typeof schema>;
type NodeEnv = NonNullable<Parsed["NODE_ENV"]>;

/** What the parsed config adds or settles: the environment, and every secret resolved. */
interface Resolved extends GuardedSettings {
  NODE_ENV: NodeEnv;
  /** The one answer to "is this production?": decided here, from the parsed environment. */
  production: boolean;
  STRIPE_WEBHOOK_SECRETS: string[];
  ADYEN_HMAC_KEYS: string[];
  PSP_ENVIRONMENT: PspEnvironment;
  /** Every active KEK; the last one seals (core/security/envelope.ts). */
  DATA_KEKS: Kek[];
}

export type Config = Omit<
  Parsed,
  keyof Resolved | "STRIPE_WEBHOOK_SECRET" | "ADYEN_HMAC_KEY_HEX" | "DATA_KEK" | "DATA_KEK_ID"
> &
  Resolved;

const invalid = (problems: string[]) => new Error(`invalid configuration: ${problems.join("; ")}`);

/**
 * Parses the environment once at boot. An invalid config, real-traffic settings with NODE_ENV unset, a
 * missing or known dev secret in production, or plain-text connections in production stop the process
 * with the offending keys (never their values).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = refinedSchema.safeParse(env);
  if (!parsed.success) throw invalid(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
  const config = resolveSecrets(parsed.data);
  if (parsed.data.NODE_ENV === undefined) {
    const traffic = realTrafficSettings(config);
    if (traffic.length > 0)
      throw invalid([
        `NODE_ENV is unset but ${traffic.join(", ")}: set NODE_ENV=production to serve real traffic, or NODE_ENV=development to use these settings deliberately`,
      ]);
  }
  const problems = secretFormatRefusals(config);
  if (config.production) problems.push(...productionRefusals(config));
  else if (config.PSP_ENVIRONMENT === "live")
    problems.push("PSP_ENVIRONMENT=live requires NODE_ENV=production");
  if (problems.length > 0) throw invalid(problems);
  return config;
}

/** Dev defaults outside production; in production a missing secret stops the process. */
function resolveSecrets(p: Parsed): Config {
  const { STRIPE_WEBHOOK_SECRET, ADYEN_HMAC_KEY_HEX, DATA_KEK, DATA_KEK_ID, ...rest } = p;
  const nodeEnv = p.NODE_ENV ?? "development";
  const production = nodeEnv === "production";
  const missing: string[] = [];
  const required = <T>(name: string, value: T | undefined, devDefault: T, isSet = value !== undefined): T => {
    if (isSet && value !== undefined) return value;
    if (production) missing.push(`${name} must be set in production`);
    return devDefault;
  };
  const list = (single: string | undefined, many: string[]) => [
    ...new Set([...(single === undefined ? [] : [single]), ...many]),
  ];
  const stripeSecrets = list(STRIPE_WEBHOOK_SECRET, p.STRIPE_WEBHOOK_SECRETS);
  const adyenKeys = list(ADYEN_HMAC_KEY_HEX, p.ADYEN_HMAC_KEYS);
  const keks = parseKeks({ DATA_KEK_ID, DATA_KEK, DATA_KEKS: p.DATA_KEKS });
  const devKeks = parseKeks({ DATA_KEK_ID: DEV_DATA_KEK_ID, DATA_KEK: DEV_DATA_KEK, DATA_KEKS: [] }).keks;
  const config: Config = {
    ...rest,
    NODE_ENV: nodeEnv,
    production,
    PSP_ENVIRONMENT: p.PSP_ENVIRONMENT ?? (production ? "live" : "test"),
    DATABASE_URL: required("DATABASE_URL", p.DATABASE_URL, DEV_DATABASE_URL),
    STRIPE_API_KEY: required("STRIPE_API_KEY", p.STRIPE_API_KEY, DEV_STRIPE_API_KEY),
    STRIPE_WEBHOOK_SECRETS: required(
      "STRIPE_WEBHOOK_SECRET(S)",
      stripeSecrets,
      [DEV_STRIPE_WEBHOOK_SECRET],
      stripeSecrets.length > 0,
    ),
    ADYEN_API_KEY: required("ADYEN_API_KEY", p.ADYEN_API_KEY, DEV_ADYEN_API_KEY),
    ADYEN_HMAC_KEYS: required(
      "ADYEN_HMAC_KEY_HEX or ADYEN_HMAC_KEYS",
      adyenKeys,
      [DEV_ADYEN_HMAC_KEY_HEX],
      adyenKeys.length > 0,
    ),
    ADYEN_MERCHANT_ACCOUNT: required(
      "ADYEN_MERCHANT_ACCOUNT",
      p.ADYEN_MERCHANT_ACCOUNT,
      DEV_ADYEN_MERCHANT_ACCOUNT,
    ),
    FRAUD_API_KEY: required("FRAUD_API_KEY", p.FRAUD_API_KEY, DEV_FRAUD_API_KEY),
    DATA_KEKS: required("DATA_KEKS or DATA_KEK", keks.keks, devKeks, keks.keks.length > 0),
  };
  missing.push(...keks.problems);
  if (missing.length > 0) throw invalid(missing);
  return config;
}
