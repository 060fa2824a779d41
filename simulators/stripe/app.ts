import type { RouterContext } from "@koa/router";
import { ApiKeys } from "../shared/api-keys.ts";
import { simConfig } from "../shared/dev-secrets.ts";
import { parseForm } from "../shared/form-encoding.ts";
import { IdempotencyStore } from "../shared/idempotency.ts";
import { FirstSeen } from "../shared/idempotent-route.ts";
import { canonical } from "../shared/json.ts";
import { simLogger } from "../shared/log.ts";
import { bodyText, createSimApp } from "../shared/serve.ts";
import { sendSim } from "../shared/sim-response.ts";
import { WebhookSender } from "../shared/webhook-sender.ts";
import { stripeErrorResponse, stripeErrors } from "./errors.ts";
import { StripeLedger } from "./ledger.ts";
import { intentModificationRoutes } from "./routes/intent-modifications.ts";
import { paymentIntentRoutes } from "./routes/payment-intents.ts";
import { refundRoutes } from "./routes/refunds.ts";
import { simRoutes } from "./routes/sim.ts";
import type { StripeSim } from "./sim-context.ts";
import { StripeEvents } from "./webhooks.ts";

export function createStripeSimulator() {
  const log = simLogger("stripe");
  const internal = () => stripeErrorResponse(500, "api_error", "An unexpected error occurred.").body;
  const { app, router } = createSimApp(log, internal);
  const webhooks = new WebhookSender(simConfig.webhookUrl, simConfig.webhookMaxAttempts, log);
  const apiKeys = new ApiKeys(simConfig.stripeApiKey);
  const sim: StripeSim = {
    ledger: new StripeLedger(),
    events: new StripeEvents(webhooks, simConfig.stripeWebhookSecret),
    firstSeen: new FirstSeen(),
    idempotency: {
      store: new IdempotencyStore(),
      scope: () => simConfig.stripeApiKey,
      fingerprint: (ctx: RouterContext) => `${ctx.method} ${ctx.path} ${canonical(ctx.state.form ?? {})}`,
      mismatch: stripeErrors.idempotencyMismatch,
      inFlight: stripeErrors.idempotencyInFlight,
      replayHeaders: { "Idempotent-Replayed": "true" },
    },
  };

  // Every /v1 call needs the secret key; POST bodies are form-encoded with nested keys.
  app.use(async (ctx, next) => {
    if (!ctx.path.startsWith("/v1/")) return next();
    const key = ctx.get("Authorization").replace(/^Bearer /, "");
    if (!apiKeys.allows(key)) return sendSim(ctx, stripeErrors.unauthorized(key));
    ctx.state.form = parseForm(bodyText(ctx));
    ctx.set("Request-Id", `req_${Date.now().toString(36)}`);
    await next();
  });

  paymentIntentRoutes(router, sim);
  intentModificationRoutes(router, sim);
  refundRoutes(router, sim);
  simRoutes(router, sim, webhooks);
  apiKeys.routes(router);
  return { app, router, log };
}
