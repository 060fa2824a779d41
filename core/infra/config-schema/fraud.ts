import { z } from "zod";
import { positiveInt, secret, section, setting } from "./setting.ts";

export const fraudSection = section({
  title: "Fraud scoring",
  intro:
    "ADR 0007: a payment is scored before authorization; the policy decides what an unavailable scorer means.",
  shape: {
    FRAUD_API_BASE: setting(z.string().url().default("http://127.0.0.1:12113"), {
      description: "The fraud service (the simulator in the stack).",
      production: "must be https",
    }),
    FRAUD_API_KEY: setting(secret, {
      description: "Sent as `Authorization: Bearer` to the fraud service.",
      production: "required",
      secret: true,
    }),
    FRAUD_TIMEOUT_MS: setting(positiveInt.default(800), { description: "Per scoring request." }),
    FRAUD_RETRIES: setting(z.coerce.number().int().min(0).default(1), {
      description: "Retries of a scoring request after a retryable answer or a connection failure.",
    }),
    FRAUD_BREAKER_VOLUME_THRESHOLD: setting(positiveInt.default(5), {
      description: "Requests in the rolling window before the fraud breaker may open.",
    }),
    FRAUD_BREAKER_ERROR_PERCENT: setting(positiveInt.max(100).default(50), {
      description: "Failure percentage in the window that opens the fraud breaker.",
    }),
    FRAUD_BREAKER_RESET_MS: setting(positiveInt.default(5_000), {
      description: "How long the open fraud breaker refuses calls before it tests the service again.",
    }),
    FRAUD_BLOCK_SCORE: setting(positiveInt.max(100).default(80), {
      description: "Risk score (0–100) from which a payment is blocked (402 fraud_blocked).",
    }),
    FRAUD_FALLBACK_MAX_MINOR: setting(positiveInt.default(50_000), {
      description:
        "While the fraud service is unavailable, payments up to this amount (minor units) go on unscored; larger ones are refused.",
    }),
  },
});
