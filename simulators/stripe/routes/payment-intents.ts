import type Router from "@koa/router";
import { simConfig } from "../../shared/dev-secrets.ts";
import { onceKey, preflightFault } from "../../shared/faults.ts";
import { formString } from "../../shared/form-encoding.ts";
import { idempotent } from "../../shared/idempotent-route.ts";
import { sendSim } from "../../shared/sim-response.ts";
import { type CardProfile, cardProfile } from "../../shared/test-tokens.ts";
import { confirmIntent } from "../confirm.ts";
import { stripeErrors } from "../errors.ts";
import type { Intent, StripeLedger } from "../ledger.ts";
import { form, isTrue, metadataClause, newIntentParams } from "../params.ts";
import { renderIntent } from "../render.ts";
import type { StripeSim } from "../sim-context.ts";

function profileOf(token: string): CardProfile {
  const profile = cardProfile(token);
  if (profile === undefined) throw stripeErrors.noSuch("PaymentMethod", token, "payment_method");
  return profile;
}

export function findIntent(ledger: StripeLedger, id: string | undefined): Intent {
  const intent = id === undefined ? undefined : ledger.intents.get(id);
  if (intent === undefined) throw stripeErrors.noSuch("payment_intent", id ?? "");
  return intent;
}

export function paymentIntentRoutes(router: Router, sim: StripeSim): void {
  router.post(
    "/v1/payment_intents",
    idempotent(sim.idempotency, async (ctx) => {
      const params = form(ctx);
      const fields = newIntentParams(params);
      const token = fields.paymentMethod;
      const profile = token === undefined ? undefined : profileOf(token);
      if (!isTrue(params, "confirm")) {
        return { status: 200, body: renderIntent(sim.ledger.createIntent({ ...fields, profile })) };
      }
      if (token === undefined || profile === undefined) throw stripeErrors.missingParam("payment_method");
      const key = onceKey(ctx.state, `${token}:${fields.metadata.attempt_id ?? ""}`);
      const early = await preflightFault(profile, key, sim.firstSeen, stripeErrors.preflight());
      if (early) return early;
      return confirmIntent(sim.ledger.createIntent({ ...fields, profile }), profile, sim.events);
    }),
  );

  router.post(
    "/v1/payment_intents/:id/confirm",
    idempotent(sim.idempotency, async (ctx) => {
      const intent = findIntent(sim.ledger, ctx.params.id);
      if (intent.status !== "requires_payment_method" && intent.status !== "requires_confirmation") {
        throw stripeErrors.unexpectedState("confirm", intent.status, renderIntent(intent));
      }
      const token = formString(form(ctx), "payment_method") ?? intent.paymentMethod;
      if (token === undefined) throw stripeErrors.missingParam("payment_method");
      const profile = profileOf(token);
      const key = onceKey(ctx.state, `${intent.id}:confirm`);
      const early = await preflightFault(profile, key, sim.firstSeen, stripeErrors.preflight());
      if (early) return early;
      Object.assign(intent, { paymentMethod: token, profile });
      return confirmIntent(intent, profile, sim.events);
    }),
  );

  // Registered before /:id so that "search" is not taken for an id.
  router.get("/v1/payment_intents/search", (ctx) => {
    const query = typeof ctx.query.query === "string" ? ctx.query.query : "";
    const clause = metadataClause(query);
    if (clause === undefined) throw stripeErrors.invalidParam("query", `Unsupported search query: ${query}`);
    const data = sim.ledger.searchIndexed(clause.key, clause.value, simConfig.searchLagMs).map(renderIntent);
    const body = {
      object: "search_result",
      data,
      has_more: false,
      next_page: null,
      url: "/v1/payment_intents/search",
    };
    sendSim(ctx, { status: 200, body });
  });

  router.get("/v1/payment_intents/:id", (ctx) => {
    sendSim(ctx, { status: 200, body: renderIntent(findIntent(sim.ledger, ctx.params.id)) });
  });
}
