import type { Principal, Scope } from "../../core/security/api-keys.ts";
import { authorize } from "../../core/security/authorize.ts";
import type { IngressDeps, IngressMiddleware, IngressState } from "../context.ts";

/**
 * Builds the per-route guard: the request's API key must be valid and hold `scope` (401 / 403), and
 * have budget left (429), before its body is read. The principal's merchant scopes everything the
 * route then reads or writes.
 */
export function apiKeyGuard(deps: IngressDeps): (scope: Scope) => IngressMiddleware {
  const authenticator = deps.authenticator;
  if (!authenticator) throw new Error("apiKeyGuard needs deps.authenticator (createIngressApp sets it)");
  return (scope) => async (ctx, next) => {
    const principal = await authorize(authenticator, ctx.get("authorization") || undefined, scope);
    ctx.state.principal = principal;
    await deps.limits?.perKey(principal.keyId);
    ctx.state.log = ctx.state.log.child({ merchant_id: principal.merchantId, key_id: principal.keyId });
    await next();
  };
}

/** The caller apiKeyGuard admitted; a route without the guard in front of it is a bug. */
export function principalOf(ctx: { state: IngressState }): Principal {
  const principal = ctx.state.principal;
  if (!principal) throw new Error("route needs the apiKeyGuard middleware");
  return principal;
}
