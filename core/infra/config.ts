import { z } from "zod";
import { parseKeks } from "../security/data-keys.ts";
import type { Kek } from "../security/envelope.ts";
import {
  type GuardedSettings,
  type PspEnvironment,
  productionRefusals,
  realTrafficSettings,
  secretFormatRefusals,
} from "./config-guards.ts";
import { configShape } from "./config-schema/sections.ts";
import {
  DEV_ADYEN_API_KEY,
  DEV_ADYEN_HMAC_KEY_HEX,
  DEV_ADYEN_MERCHANT_ACCOUNT,
  DEV_DATA_KEK,
  DEV_DATA_KEK_ID,
  DEV_DATABASE_URL,
  DEV_FRAUD_API_KEY,
  DEV_OPS_CONSOLE_SESSION_SECRET,
  DEV_STRIPE_API_KEY,
  DEV_STRIPE_WEBHOOK_SECRET,
} from "./dev-defaults.ts";
import { kafkaSecurityProblems } from "./kafka-security.ts";

// Every variable, its type, default and meaning: docs/configuration.md, rendered from the groups in
// config-schema/ by `npm run config:docs`. Secrets have DEV DEFAULT values (dev-defaults.ts) outside
// production only; production requires each one and refuses known dev values. Which settings count as
// real traffic: docs/security.md.
const schema = z.object(configShape);

const refinedSchema = schema
  .refine((c) => c.OUTBOX_LEASE_RENEW_MS * 2 <= c.OUTBOX_LEASE_TTL_MS, {
    message: "OUTBOX_LEASE_RENEW_MS must be at most half of OUTBOX_LEASE_TTL_MS",
    path: ["OUTBOX_LEASE_RENEW_MS"],
  })
  .refine((c) => c.INGRESS_ADMISSION_MIN <= c.INGRESS_ADMISSION_MAX, {
    message: "INGRESS_ADMISSION_MIN must not exceed INGRESS_ADMISSION_MAX",
    path: ["INGRESS_ADMISSION_MIN"],
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

/** Every setting at its default (secrets unset): what documentation quotes as "the default". */
export const configDefaults = (): Parsed => schema.parse({});

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
    OPS_CONSOLE_SESSION_SECRET: required(
      "OPS_CONSOLE_SESSION_SECRET",
      p.OPS_CONSOLE_SESSION_SECRET,
      DEV_OPS_CONSOLE_SESSION_SECRET,
    ),
  };
  missing.push(...keks.problems);
  if (missing.length > 0) throw invalid(missing);
  return config;
}
