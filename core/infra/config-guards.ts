import {
  databaseHost,
  databasePassword,
  databaseSslMode,
  isHttps,
  isLoopbackHost,
  kafkaHosts,
  urlHost,
} from "./config-network.ts";
import { isKnownDevValue, STACK_DEV_PASSWORDS } from "./dev-defaults.ts";

export type PspEnvironment = "test" | "live";

/** The settings the guards read, with secrets already resolved (dev defaults applied outside production). */
export interface GuardedSettings {
  DATABASE_URL: string;
  KAFKA_BROKERS: string;
  SCHEMA_REGISTRY_URL: string;
  STRIPE_API_BASE: string;
  ADYEN_API_BASE: string;
  FRAUD_API_BASE: string;
  STRIPE_API_KEY: string;
  STRIPE_WEBHOOK_SECRETS: readonly string[];
  ADYEN_API_KEY: string;
  ADYEN_HMAC_KEYS: readonly string[];
  ADYEN_MERCHANT_ACCOUNT: string;
  FRAUD_API_KEY: string;
  PSP_ENVIRONMENT: PspEnvironment;
  DATA_KEKS: readonly { id: string; key: Buffer }[];
  OPS_CONSOLE_SESSION_SECRET: string;
}

const OUTBOUND_URLS = ["SCHEMA_REGISTRY_URL", "STRIPE_API_BASE", "ADYEN_API_BASE", "FRAUD_API_BASE"] as const;

// Secret keys and restricted keys, each in test or live mode (docs.stripe.com/keys).
const STRIPE_KEY = /^(sk|rk)_(test|live)_\S+$/;
const STRIPE_WEBHOOK_SECRET = /^whsec_\S+$/;
const ADYEN_HMAC_KEY = /^[0-9a-f]{64}$/i;
const TLS_SSLMODES = new Set(["require", "verify-ca", "verify-full"]);

export const stripeKeyMode = (key: string): PspEnvironment | undefined =>
  STRIPE_KEY.exec(key)?.[2] as PspEnvironment | undefined;

/**
 * What in these settings can only mean real traffic: a database, broker or outbound service off this
 * machine, or live PSP credentials. With NODE_ENV unset, any of them stops the process.
 */
export function realTrafficSettings(s: GuardedSettings): string[] {
  const found: string[] = [];
  const dbHost = databaseHost(s.DATABASE_URL);
  if (!isLoopbackHost(dbHost)) found.push(`DATABASE_URL names host ${dbHost}`);
  const brokers = kafkaHosts(s.KAFKA_BROKERS).filter((h) => !isLoopbackHost(h));
  if (brokers.length > 0) found.push(`KAFKA_BROKERS names ${brokers.join(", ")}`);
  for (const name of OUTBOUND_URLS) {
    const host = urlHost(s[name]);
    if (!isLoopbackHost(host)) found.push(`${name} names host ${host}`);
  }
  if (stripeKeyMode(s.STRIPE_API_KEY) === "live") found.push("STRIPE_API_KEY is a live key");
  if (s.PSP_ENVIRONMENT === "live") found.push("PSP_ENVIRONMENT is live");
  return found;
}

/** Secret formats, checked in every environment; the messages name the variable, never its value. */
export function secretFormatRefusals(s: GuardedSettings): string[] {
  const refusals: string[] = [];
  const mode = stripeKeyMode(s.STRIPE_API_KEY);
  if (mode === undefined)
    refusals.push(
      "STRIPE_API_KEY must be a Stripe secret or restricted key (sk_live_, sk_test_, rk_live_, rk_test_)",
    );
  else if (mode !== s.PSP_ENVIRONMENT)
    refusals.push(`STRIPE_API_KEY is a ${mode} key but PSP_ENVIRONMENT is ${s.PSP_ENVIRONMENT}`);
  if (s.STRIPE_WEBHOOK_SECRETS.length === 0) refusals.push("no Stripe webhook secret is set");
  if (!s.STRIPE_WEBHOOK_SECRETS.every((w) => STRIPE_WEBHOOK_SECRET.test(w)))
    refusals.push("every Stripe webhook secret must start with whsec_");
  if (s.ADYEN_HMAC_KEYS.length === 0) refusals.push("no Adyen HMAC key is set");
  if (!s.ADYEN_HMAC_KEYS.every((k) => ADYEN_HMAC_KEY.test(k)))
    refusals.push("every Adyen HMAC key must be 64 hexadecimal characters");
  return refusals;
}

/** Production refuses dev values, a database without TLS and plain-http outbound services. */
export function productionRefusals(s: GuardedSettings): string[] {
  const refusals: string[] = [];
  const devValued = [
    ["DATABASE_URL", [s.DATABASE_URL]],
    ["STRIPE_API_KEY", [s.STRIPE_API_KEY]],
    ["STRIPE_WEBHOOK_SECRETS", s.STRIPE_WEBHOOK_SECRETS],
    ["ADYEN_API_KEY", [s.ADYEN_API_KEY]],
    ["ADYEN_HMAC_KEYS", s.ADYEN_HMAC_KEYS],
    ["ADYEN_MERCHANT_ACCOUNT", [s.ADYEN_MERCHANT_ACCOUNT]],
    ["FRAUD_API_KEY", [s.FRAUD_API_KEY]],
    ["DATA_KEKS", s.DATA_KEKS.flatMap((k) => [k.id, k.key.toString("base64")])],
    ["OPS_CONSOLE_SESSION_SECRET", [s.OPS_CONSOLE_SESSION_SECRET]],
  ] as const;
  for (const [name, values] of devValued) {
    if (values.some((v) => isKnownDevValue(v) || v.toLowerCase().includes("dev_only")))
      refusals.push(`${name} holds a known development value`);
  }
  if (STACK_DEV_PASSWORDS.includes(databasePassword(s.DATABASE_URL)))
    refusals.push("DATABASE_URL uses the local stack's development password");
  const sslmode = databaseSslMode(s.DATABASE_URL);
  if (sslmode === undefined || !TLS_SSLMODES.has(sslmode))
    refusals.push("DATABASE_URL must set sslmode=require, verify-ca or verify-full");
  for (const name of OUTBOUND_URLS) if (!isHttps(s[name])) refusals.push(`${name} must be an https URL`);
  return refusals;
}
