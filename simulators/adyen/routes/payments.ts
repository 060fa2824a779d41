import type Router from "@koa/router";
import { onceKey, preflightFault } from "../../shared/faults.ts";
import { idempotent } from "../../shared/idempotent-route.ts";
import { cardProfile } from "../../shared/test-tokens.ts";
import { authorisePayment, newPayment } from "../authorise.ts";
import { adyenErrors } from "../errors.ts";
import { jsonBody, paymentParams } from "../params.ts";
import type { AdyenSim } from "../sim-context.ts";

export function paymentRoutes(router: Router, sim: AdyenSim): void {
  router.post(
    "/v71/payments",
    idempotent(sim.idempotency, async (ctx) => {
      const params = paymentParams(jsonBody(ctx));
      const profile = cardProfile(params.token);
      if (profile === undefined) throw adyenErrors.unknownStoredMethod(params.token);
      const key = onceKey(ctx.state, `${params.token}:${params.reference}`);
      const early = await preflightFault(profile, key, sim.firstSeen, adyenErrors.preflight());
      if (early) return early;
      return authorisePayment(sim.ledger.add(newPayment(params, profile)), sim.notifications);
    }),
  );
}
