import { timingSafeEqual } from "node:crypto";
import { simConfig } from "../shared/dev-secrets.ts";
import { sleep } from "../shared/ids.ts";
import { parseJsonObject } from "../shared/json.ts";
import { simLogger } from "../shared/log.ts";
import { bodyText, createSimApp } from "../shared/serve.ts";
import { sendSim } from "../shared/sim-response.ts";
import { parseFraudRequest } from "./request.ts";
import { score } from "./scoring.ts";

const error = (code: string, message: string, field?: string) => ({ error: { code, message, field } });

/** With FRAUD_API_KEY set, only `Authorization: Bearer <that key>` is let in. */
function authorized(header: string): boolean {
  const expected = simConfig.fraudApiKey;
  if (expected === "") return true;
  const given = Buffer.from(header.replace(/^Bearer /, ""));
  const wanted = Buffer.from(expected);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

export function createFraudSimulator() {
  const log = simLogger("fraud");
  const { app, router } = createSimApp(log, () => error("internal_error", "unexpected error"));
  const evaluations = new Map<string, number>();

  router.post("/fraud/evaluate", async (ctx) => {
    if (!authorized(ctx.get("Authorization")))
      return sendSim(ctx, { status: 401, body: error("unauthorized", "missing or invalid API key") });
    const parsed = parseFraudRequest(parseJsonObject(bodyText(ctx)));
    if (!parsed.ok)
      return sendSim(ctx, { status: 422, body: error("invalid_request", parsed.message, parsed.field) });
    const { input } = parsed;
    if (input.payment_method_token === "pm_sim_fraud_down") {
      return sendSim(ctx, {
        status: 503,
        body: error("service_unavailable", "fraud service down (simulated)"),
      });
    }
    if (input.payment_method_token === "pm_sim_fraud_timeout") await sleep(simConfig.hangMs);
    evaluations.set(input.payment_id, (evaluations.get(input.payment_id) ?? 0) + 1);
    sendSim(ctx, { status: 200, body: score(input) });
  });

  router.get("/_sim/evaluations", (ctx) => {
    const paymentId = typeof ctx.query.payment_id === "string" ? ctx.query.payment_id : "";
    sendSim(ctx, {
      status: 200,
      body: { payment_id: paymentId, evaluations: evaluations.get(paymentId) ?? 0 },
    });
  });

  router.post("/_sim/reset", (ctx) => {
    evaluations.clear();
    sendSim(ctx, { status: 200, body: { reset: true } });
  });
  return { app, router, log };
}
