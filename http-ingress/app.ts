import Koa from "koa";
import { ApiKeyAuthenticator } from "../core/security/api-key-authenticator.ts";
import type { IngressDeps, IngressState } from "./context.ts";
import { httpErrors } from "./http-errors.ts";
import { admission } from "./middleware/admission.ts";
import { auditTrail } from "./middleware/audit-trail.ts";
import { errorHandler } from "./middleware/error-handler.ts";
import { headerGuard } from "./middleware/header-guard.ts";
import { clientRateLimit, rateLimit } from "./middleware/rate-limit.ts";
import { requestContext } from "./middleware/request-context.ts";
import { privateOpsRoutes, publicOpsRoutes } from "./ops/routes.ts";
import { paymentRoutes } from "./payments/routes.ts";
import { refundRoutes } from "./refunds/routes.ts";
import { webhookRoutes } from "./webhooks/routes.ts";

/** requestContext → auditTrail → errorHandler → admission → headerGuard → rateLimit → routes → 405 / 404. No I/O happens at construction. */
export function createIngressApp(given: IngressDeps): Koa<IngressState> {
  // One authenticator (one key cache) for every router.
  const deps = { ...given, authenticator: given.authenticator ?? new ApiKeyAuthenticator(given.pool) };
  const app = new Koa<IngressState>({ proxy: false });
  const routers = [publicOpsRoutes(deps), paymentRoutes(deps), refundRoutes(deps), webhookRoutes(deps)];

  app.use(requestContext(deps));
  app.use(auditTrail(deps));
  app.use(errorHandler());
  if (deps.admission) app.use(admission(deps.admission));
  app.use(headerGuard());
  app.use(rateLimit(deps.rateLimit ?? clientRateLimit(deps.config)));
  for (const router of routers) app.use(router.routes());
  app.use((ctx) => {
    const allowed = new Set(
      routers.flatMap((r) => r.match(ctx.path, ctx.method).path.flatMap((l) => l.methods)),
    );
    if (allowed.size > 0) {
      ctx.set("Allow", [...allowed].join(", "));
      throw httpErrors.methodNotAllowed(ctx.method);
    }
    throw httpErrors.routeNotFound(ctx.method);
  });
  // Errors are answered by errorHandler; this only keeps Koa from printing stray ones to stderr.
  app.on("error", (err: Error) => deps.logger.warn({ err: err.message }, "koa error outside a request"));
  return app;
}

/** The ingress's ops listener: per-dependency readiness and /metrics, never on the public port. */
export function createIngressOpsApp(deps: IngressDeps): Koa<IngressState> {
  const app = new Koa<IngressState>({ proxy: false });
  const router = privateOpsRoutes(deps);
  app.use(requestContext(deps));
  app.use(errorHandler());
  app.use(router.routes());
  app.use(() => {
    throw httpErrors.routeNotFound("GET");
  });
  app.on("error", (err: Error) => deps.logger.warn({ err: err.message }, "koa error outside a request"));
  return app;
}
