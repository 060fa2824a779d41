import { pino } from "pino";

const REDACTED_KEYS = [
  "pan",
  "card_number",
  "cardNumber",
  "number",
  "cvv",
  "cvc",
  "password",
  "secret",
  "authorization",
  "api_key",
  "apiKey",
  "hmacKey",
  "signature",
  "client_secret",
  "clientSecret",
];

const redactPaths = REDACTED_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]).concat([
  'req.headers["stripe-signature"]',
  'req.headers["x-api-key"]',
]);

/** Keeps a token recognisable in logs without revealing it: pm_card_visa -> pm_c…visa. */
export function maskToken(token: string | undefined | null): string | undefined {
  if (!token) return undefined;
  if (token.length <= 8) return "****";
  return `${token.slice(0, 4)}…${token.slice(-4)}`;
}

export const redactOptions = { paths: redactPaths, censor: "[REDACTED]" };

export const logger = pino({
  level: process.env.LOG_LEVEL ?? "info",
  base: { service: process.env.SERVICE_NAME ?? "payment-service" },
  redact: redactOptions,
  formatters: { level: (label) => ({ level: label }) },
  timestamp: pino.stdTimeFunctions.isoTime,
});

export type Logger = typeof logger;
