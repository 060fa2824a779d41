import { z } from "zod";
import { parseRouting } from "../../domain/psp-routing.ts";
import { positiveInt, secret, secretList, section, setting } from "./setting.ts";

const list = "comma-separated list";

export const pspSection = section({
  title: "PSPs",
  intro:
    "Stripe and Adyen connectors (core/adapters/psp). PSP_ENVIRONMENT must match the keys: a live key with PSP_ENVIRONMENT=test is refused.",
  shape: {
    PSP_ENVIRONMENT: setting(z.enum(["test", "live"]).optional(), {
      description:
        "Which PSP accounts this deployment talks to. Unset: live in production, test elsewhere; live requires NODE_ENV=production.",
    }),
    DEFAULT_PSP: setting(z.enum(["stripe", "adyen"]).default("stripe"), {
      description: "The PSP of a payment created without one.",
    }),
    PSP_ROUTING: setting(
      z
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
      {
        description:
          'Fallback order per currency when a PSP cannot take an authorization (ADR 0008), e.g. "USD=stripe,adyen;*=stripe,adyen". Empty: no rerouting. Only for payment methods every listed PSP accepts (vault or network tokens; the simulators accept the same test tokens).',
      },
    ),
    STRIPE_API_BASE: setting(z.string().url().default("http://127.0.0.1:12111"), {
      description: "Stripe's API (the simulator in the stack).",
      production: "must be https",
    }),
    STRIPE_API_KEY: setting(secret, {
      description: "Secret or restricted key (sk_/rk_, test or live as PSP_ENVIRONMENT).",
      production: "required",
      secret: true,
    }),
    STRIPE_WEBHOOK_SECRET: setting(secret, {
      description: "Webhook signing secret (whsec_…).",
      production: "this or STRIPE_WEBHOOK_SECRETS",
      secret: true,
    }),
    STRIPE_WEBHOOK_SECRETS: setting(secretList, {
      description:
        "Several signing secrets during a rotation, added to STRIPE_WEBHOOK_SECRET; a signature made with any of them is accepted.",
      production: "this or STRIPE_WEBHOOK_SECRET",
      secret: true,
      type: list,
    }),
    STRIPE_RETURN_URL: setting(z.string().url().optional(), {
      description:
        "Where Stripe sends the shopper back after 3-D Secure (confirm's return_url). Unset: the client finishes the step with stripe.js from next_action and client_secret.",
    }),
    STRIPE_CALL_BUDGET_MS: setting(positiveInt.optional(), {
      description:
        "Wall-clock ceiling of one Stripe operation, retries included (a timed-out request is repeated under its idempotency key). Unset: twice PSP_TIMEOUT_MS.",
    }),
    ADYEN_API_BASE: setting(z.string().url().default("http://127.0.0.1:12112"), {
      description: "Adyen Checkout API (the simulator in the stack).",
      production: "must be https",
    }),
    ADYEN_API_KEY: setting(secret, { description: "X-API-Key.", production: "required", secret: true }),
    ADYEN_MERCHANT_ACCOUNT: setting(secret, {
      description: "Our merchant account; notifications for any other are acknowledged and ignored.",
      production: "required",
      secret: true,
    }),
    ADYEN_HMAC_KEY_HEX: setting(secret, {
      description: "Notification HMAC key, 64 hex characters.",
      production: "this or ADYEN_HMAC_KEYS",
      secret: true,
    }),
    ADYEN_HMAC_KEYS: setting(secretList, {
      description: "Several HMAC keys during a rotation, added to ADYEN_HMAC_KEY_HEX.",
      production: "this or ADYEN_HMAC_KEY_HEX",
      secret: true,
      type: list,
    }),
  },
});

export const pspResilienceSection = section({
  title: "PSP calls: timeouts, retries, circuit breakers",
  intro:
    "core/adapters/psp/resilient-http.ts. Each PSP has its own breaker; the janitor has its own connectors, hence its own breakers. A request that may have reached the PSP is never retried blindly: only throttling, 5xx the PSP marks retryable, and (Stripe) timeouts under the same idempotency key.",
  shape: {
    PSP_TIMEOUT_MS: setting(positiveInt.default(5_000), { description: "Per HTTP request to a PSP." }),
    PSP_RETRIES: setting(z.coerce.number().int().min(0).default(3), {
      description: "Retries of one PSP request after a retryable answer or a connection failure.",
    }),
    PSP_RETRY_MIN_BACKOFF_MS: setting(positiveInt.default(100), {
      description: "First wait between those retries (jittered, doubling).",
    }),
    PSP_RETRY_MAX_BACKOFF_MS: setting(positiveInt.default(2_000), {
      description: "Longest wait between those retries.",
    }),
    PSP_BREAKER_VOLUME_THRESHOLD: setting(positiveInt.default(10), {
      description: "Requests in the rolling window before the breaker may open.",
    }),
    PSP_BREAKER_ERROR_PERCENT: setting(positiveInt.max(100).default(50), {
      description: "Failure percentage in the window that opens the breaker (throttling does not count).",
    }),
    PSP_BREAKER_RESET_MS: setting(positiveInt.default(10_000), {
      description: "How long an open breaker refuses calls before it lets one through to test the PSP.",
    }),
  },
});
