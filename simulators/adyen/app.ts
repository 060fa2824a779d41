import type { RouterContext } from "@koa/router";
import { ApiKeys } from "../shared/api-keys.ts";
import { simConfig } from "../shared/dev-secrets.ts";
import { IdempotencyStore } from "../shared/idempotency.ts";
import { FirstSeen } from "../shared/idempotent-route.ts";
import { canonical, parseJsonObject } from "../shared/json.ts";
import { simLogger } from "../shared/log.ts";
import { bodyText, createSimApp } from "../shared/serve.ts";
import { sendSim } from "../shared/sim-response.ts";
import { WebhookSender } from "../shared/webhook-sender.ts";
import { adyenErrors } from "./errors.ts";
import { AdyenLedger } from "./ledger.ts";
import { AdyenNotifications } from "./notifications.ts";
import { modificationRoutes } from "./routes/modifications.ts";
import { paymentRoutes } from "./routes/payments.ts";
import { simRoutes } from "./routes/sim.ts";
import type { AdyenSim } from "./sim-context.ts";

export function createAdyenSimulator() {
  const log = simLogger("adyen");
  const { app, router } = createSimApp(log, () => adyenErrors.serverError().body);
  const webhooks = new WebhookSender(simConfig.webhookUrl, simConfig.webhookMaxAttempts, log);
  const apiKeys = new ApiKeys(simConfig.adyenApiKey);
  const sim: AdyenSim = {
    ledger: new AdyenLedger(),
    notifications: new AdyenNotifications(webhooks, simConfig.adyenHmacKeyHex),
    firstSeen: new FirstSeen(),
    idempotency: {
      store: new IdempotencyStore(),
      scope: () => simConfig.adyenApiKey,
      fingerprint: (ctx: RouterContext) => `${ctx.method} ${ctx.path} ${canonical(ctx.state.json ?? {})}`,
      mismatch: adyenErrors.idempotencyMismatch,
      inFlight: adyenErrors.idempotencyInFlight,
      replayHeaders: {},
    },
  };

  // Every /v71 call needs the API key; bodies are JSON objects.
  app.use(async (ctx, next) => {
    if (!ctx.path.startsWith("/v71/")) return next();
    if (!apiKeys.allows(ctx.get("X-API-Key"))) return sendSim(ctx, adyenErrors.unauthorized());
    const key = ctx.get("Idempotency-Key");
    if (key !== "") ctx.set("Idempotency-Key", key);
    const raw = bodyText(ctx);
    ctx.state.json = raw === "" ? {} : parseJsonObject(raw);
    if (ctx.state.json === undefined) throw adyenErrors.unparseable();
    await next();
  });

  paymentRoutes(router, sim);
  modificationRoutes(router, sim);
  simRoutes(router, sim, webhooks);
  apiKeys.routes(router);
  return { app, router, log };
}
