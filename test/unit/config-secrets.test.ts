import { afterEach, describe, expect, it } from "vitest";
import { connectorsFromConfig } from "../../core/adapters/psp/from-config.ts";
import { loadConfig } from "../../core/infra/config.ts";
import {
  DEV_ADYEN_HMAC_KEY_HEX,
  DEV_DATA_KEK,
  DEV_DATABASE_URL,
  DEV_FRAUD_API_KEY,
  DEV_OPS_CONSOLE_SESSION_SECRET,
  DEV_STRIPE_WEBHOOK_SECRET,
} from "../../core/infra/dev-defaults.ts";
import { adyenHmacSignature, stripeSignatureHeader } from "../../simulators/shared/signing.ts";
import { PRODUCTION_HMAC_KEY, productionEnv } from "../helpers/production-env.ts";

const HMAC_KEY = PRODUCTION_HMAC_KEY;
const NEXT_HMAC_KEY = "a0".repeat(32);
const production = productionEnv;

const refusal = (env: NodeJS.ProcessEnv) => {
  try {
    loadConfig(env);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("the configuration was accepted");
};

const savedNodeEnv = process.env.NODE_ENV;
afterEach(() => {
  process.env.NODE_ENV = savedNodeEnv;
});

describe("production is decided from the parsed config", () => {
  it("is a property of the config, read from the environment it is given, not from process.env", () => {
    expect(loadConfig(production()).production).toBe(true);
    process.env.NODE_ENV = "production";
    const dev = loadConfig({});
    expect(dev).toMatchObject({ production: false, NODE_ENV: "development", DATABASE_URL: DEV_DATABASE_URL });
    expect(loadConfig({ NODE_ENV: "test" }).production).toBe(false);
  });

  it("gives production live PSP accounts by default, test accounts elsewhere", () => {
    expect(loadConfig(production()).PSP_ENVIRONMENT).toBe("live");
    expect(loadConfig({ NODE_ENV: "development" }).PSP_ENVIRONMENT).toBe("test");
  });
});

describe("an unset NODE_ENV with real traffic settings refuses to start", () => {
  it.each([
    ["DATABASE_URL", { DATABASE_URL: "postgres://u:p@db.payments.internal:5432/payments" }],
    ["KAFKA_BROKERS", { KAFKA_BROKERS: "127.0.0.1:9092,kafka-2.payments.internal:9092" }],
    ["STRIPE_API_BASE", { STRIPE_API_BASE: "https://api.stripe.com" }],
    ["FRAUD_API_BASE", { FRAUD_API_BASE: "http://10.0.0.7:8080" }],
    ["SCHEMA_REGISTRY_URL", { SCHEMA_REGISTRY_URL: "https://registry.example.com" }],
    ["STRIPE_API_KEY", { STRIPE_API_KEY: "sk_live_abc" }],
    ["PSP_ENVIRONMENT", { PSP_ENVIRONMENT: "live" }],
  ])("%s", (name, env) => {
    const message = refusal(env);
    expect(message).toContain("NODE_ENV is unset");
    expect(message).toContain(name);
    expect(message).toContain("NODE_ENV=production");
  });

  it("starts on loopback settings, and on remote ones once NODE_ENV says so deliberately", () => {
    expect(
      loadConfig({ DATABASE_URL: "postgres://u:p@localhost:5432/x", KAFKA_BROKERS: "[::1]:9092" }).NODE_ENV,
    ).toBe("development");
    const remote = { DATABASE_URL: "postgres://u:p@db.staging.internal:5432/payments" };
    expect(loadConfig({ ...remote, NODE_ENV: "development" }).DATABASE_URL).toBe(remote.DATABASE_URL);
  });
});

describe("secrets fail closed in production", () => {
  it("accepts a complete production configuration", () => {
    expect(loadConfig(production())).toMatchObject({ production: true, ADYEN_HMAC_KEYS: [HMAC_KEY] });
  });

  it("requires every secret, naming each one missing", () => {
    const message = refusal(
      production({
        STRIPE_API_KEY: undefined,
        STRIPE_WEBHOOK_SECRET: undefined,
        FRAUD_API_KEY: undefined,
        OPS_CONSOLE_SESSION_SECRET: undefined,
      }),
    );
    expect(message).toContain("STRIPE_API_KEY must be set in production");
    expect(message).toContain("STRIPE_WEBHOOK_SECRET(S) must be set in production");
    expect(message).toContain("FRAUD_API_KEY must be set in production");
    expect(message).toContain("OPS_CONSOLE_SESSION_SECRET must be set in production");
  });

  it.each([
    ["DATABASE_URL", { DATABASE_URL: DEV_DATABASE_URL }],
    [
      "STRIPE_WEBHOOK_SECRETS",
      { STRIPE_WEBHOOK_SECRETS: `whsec_prodSigningSecret,${DEV_STRIPE_WEBHOOK_SECRET}` },
    ],
    ["ADYEN_HMAC_KEYS", { ADYEN_HMAC_KEY_HEX: DEV_ADYEN_HMAC_KEY_HEX.toLowerCase() }],
    ["ADYEN_MERCHANT_ACCOUNT", { ADYEN_MERCHANT_ACCOUNT: "PaymentServiceECOM" }],
    ["FRAUD_API_KEY", { FRAUD_API_KEY: DEV_FRAUD_API_KEY }],
    ["STRIPE_API_KEY", { STRIPE_API_KEY: "sk_live_dev_only" }],
    ["OPS_CONSOLE_SESSION_SECRET", { OPS_CONSOLE_SESSION_SECRET: DEV_OPS_CONSOLE_SESSION_SECRET }],
  ])("refuses the known dev value of %s", (name, over) => {
    expect(refusal(production(over))).toContain(`${name} holds a known development value`);
  });

  it("refuses the local stack's database password", () => {
    const url = "postgres://payments:payments@db.payments.internal:5432/payments?sslmode=verify-full";
    expect(refusal(production({ DATABASE_URL: url }))).toContain("development password");
  });

  it("never prints a secret's value in its refusal", () => {
    const message = refusal(
      production({ STRIPE_API_KEY: "sk_test_TOPSECRET", ADYEN_HMAC_KEY_HEX: "TOPSECRET" }),
    );
    expect(message).toContain("STRIPE_API_KEY");
    expect(message).not.toContain("TOPSECRET");
  });
});

describe("secret formats", () => {
  it("requires a 64-hex-character Adyen HMAC key", () => {
    expect(refusal({ ADYEN_HMAC_KEY_HEX: "44782DEF" })).toContain("64 hexadecimal characters");
    expect(refusal({ ADYEN_HMAC_KEYS: `${HMAC_KEY},${"g".repeat(64)}` })).toContain(
      "64 hexadecimal characters",
    );
  });

  it("requires Stripe's prefixes: a secret or restricted key, and whsec_ webhook secrets", () => {
    expect(refusal({ STRIPE_API_KEY: "pk_test_publishable" })).toContain(
      "STRIPE_API_KEY must be a Stripe secret",
    );
    expect(refusal({ STRIPE_WEBHOOK_SECRET: "not-a-secret" })).toContain("whsec_");
    expect(loadConfig({ STRIPE_API_KEY: "rk_test_restricted" }).STRIPE_API_KEY).toBe("rk_test_restricted");
  });

  it("keeps live keys to live PSP accounts, and live accounts to production", () => {
    expect(refusal(production({ STRIPE_API_KEY: "sk_test_staging" }))).toContain(
      "STRIPE_API_KEY is a test key but PSP_ENVIRONMENT is live",
    );
    expect(
      loadConfig(production({ STRIPE_API_KEY: "sk_test_staging", PSP_ENVIRONMENT: "test" })).production,
    ).toBe(true);
    expect(refusal({ NODE_ENV: "development", STRIPE_API_KEY: "rk_live_abc" })).toContain(
      "STRIPE_API_KEY is a live key but PSP_ENVIRONMENT is test",
    );
    expect(refusal({ NODE_ENV: "test", PSP_ENVIRONMENT: "live", STRIPE_API_KEY: "sk_live_abc" })).toContain(
      "PSP_ENVIRONMENT=live requires NODE_ENV=production",
    );
  });
});

describe("several webhook secrets during a rotation", () => {
  const env = {
    NODE_ENV: "test",
    STRIPE_WEBHOOK_SECRET: "whsec_current",
    STRIPE_WEBHOOK_SECRETS: " whsec_next , whsec_current",
    ADYEN_HMAC_KEYS: `${HMAC_KEY},${NEXT_HMAC_KEY}`,
  };

  it("joins the single and the list variables, without duplicates", () => {
    expect(loadConfig(env)).toMatchObject({
      STRIPE_WEBHOOK_SECRETS: ["whsec_current", "whsec_next"],
      ADYEN_HMAC_KEYS: [HMAC_KEY, NEXT_HMAC_KEY],
    });
  });

  it("lets the configured connectors accept a webhook signed with any active secret", () => {
    const connectors = connectorsFromConfig(loadConfig(env));
    const body = JSON.stringify({
      id: "evt_rotation",
      type: "payment_intent.succeeded",
      created: Math.floor(Date.now() / 1000),
      data: { object: { id: "pi_1", object: "payment_intent" } },
    });
    const header = stripeSignatureHeader("whsec_next", body, Math.floor(Date.now() / 1000));
    expect(connectors.stripe.verifyWebhook(Buffer.from(body), { "stripe-signature": header }).ok).toBe(true);
    const item = {
      pspReference: "PSP1",
      merchantAccountCode: "PaymentServiceECOM",
      merchantReference: "ref",
      amount: { value: 100, currency: "EUR" },
      eventCode: "AUTHORISATION",
      success: "true",
    };
    const signed = { ...item, additionalData: { hmacSignature: adyenHmacSignature(NEXT_HMAC_KEY, item) } };
    const adyenBody = JSON.stringify({
      live: "false",
      notificationItems: [{ NotificationRequestItem: signed }],
    });
    expect(connectors.adyen.verifyWebhook(Buffer.from(adyenBody), {})).toMatchObject({
      ok: true,
      events: [{ pspReference: "PSP1" }],
    });
  });
});

describe("the key-encryption keys of the encryption at rest", () => {
  const key = Buffer.alloc(32, 9).toString("base64");

  it.each([
    ["the DEV DEFAULT key", { DATA_KEK: DEV_DATA_KEK }],
    ["the DEV DEFAULT id", { DATA_KEK_ID: undefined, DATA_KEK: undefined, DATA_KEKS: `dev_only_kek:${key}` }],
  ])("refuses %s in production", (_what, over) => {
    expect(refusal(production(over))).toContain("DATA_KEKS holds a known development value");
  });

  it("keeps older KEKs readable and seals with the newest", () => {
    const config = loadConfig(production({ DATA_KEKS: `kek_2024_07:${key}` }));
    expect(config.DATA_KEKS.map((k) => k.id)).toEqual(["kek_2024_07", "kek_2025_01"]);
  });

  it("refuses a key that is not 32 bytes, without echoing it", () => {
    const message = refusal(production({ DATA_KEK: "c2hvcnQ=" }));
    expect(message).toContain("KEK kek_2025_01 must be 32 bytes");
    expect(message).not.toContain("c2hvcnQ=");
  });
});

describe("connections in production", () => {
  it.each([
    [undefined, false],
    ["disable", false],
    ["prefer", false],
    ["no-verify", false],
    ["require", true],
    ["verify-ca", true],
    ["verify-full", true],
  ])("DATABASE_URL with sslmode=%s is %s", (sslmode, accepted) => {
    const url = `postgres://svc_payments:Vq8-rT2@db.payments.internal:5432/payments${sslmode ? `?sslmode=${sslmode}` : ""}`;
    if (accepted) expect(loadConfig(production({ DATABASE_URL: url })).DATABASE_URL).toBe(url);
    else
      expect(refusal(production({ DATABASE_URL: url }))).toContain(
        "sslmode=require, verify-ca or verify-full",
      );
  });

  it.each(["STRIPE_API_BASE", "ADYEN_API_BASE", "FRAUD_API_BASE", "SCHEMA_REGISTRY_URL"])(
    "requires https for %s",
    (name) => {
      expect(refusal(production({ [name]: "http://service.payments.internal" }))).toContain(
        `${name} must be an https URL`,
      );
    },
  );
});
