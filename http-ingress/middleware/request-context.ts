import { randomUUID } from "node:crypto";
import { Counter, Histogram, register } from "prom-client";
import { containsCardNumber } from "../../core/domain/pan-guard.ts";
import { randomHex } from "../../core/infra/secure-random.ts";
import { activeTraceparent, tracing } from "../../core/infra/tracing/spans.ts";
import { accessLogSampler } from "../access-log.ts";
import type { AppMiddleware, IngressDeps } from "../context.ts";

const QUIET_ROUTES = new Set(["/healthz", "/readyz", "/metrics"]);
/** A UUID or up to 64 hex digits: anything else could carry text we must not log or echo. */
const REQUEST_ID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{1,64})$/i;
const TRACEPARENT = /^00-([0-9a-f]{32})-[0-9a-f]{16}-([0-9a-f]{2})$/;

export const httpDuration =
  (register.getSingleMetric("http_request_duration_seconds") as
    | Histogram<"method" | "route" | "status">
    | undefined) ??
  new Histogram({
    name: "http_request_duration_seconds",
    help: "HTTP request duration by method, route template and status",
    labelNames: ["method", "route", "status"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15],
  });

export const idempotentReplays =
  (register.getSingleMetric("http_idempotent_replays_total") as Counter<"route"> | undefined) ??
  new Counter({
    name: "http_idempotent_replays_total",
    help: "Responses replayed from a stored Idempotency-Key",
    labelNames: ["route"],
  });

/**
 * Outermost middleware: request id, W3C trace context, a per-request pino child, the access log
 * line (sampled at info: http-ingress/access-log.ts) and the duration metric. Only the route template
 * is logged, never the raw path or body: a path or body may hold data we must not write down.
 */
export function requestContext(deps: IngressDeps): AppMiddleware {
  const accessLevel = accessLogSampler(deps.config.ACCESS_LOG_SAMPLE);
  return async (ctx, next) => {
    const started = performance.now();
    const inbound = ctx.get("x-request-id");
    // Hex can spell a card number; such an id is replaced too (a rare false positive costs nothing).
    const requestId = REQUEST_ID.test(inbound) && !containsCardNumber(inbound) ? inbound : randomUUID();
    const trace = TRACEPARENT.exec(activeTraceparent() ?? ctx.get("traceparent"));
    const traceId =
      trace?.[1] && !/^0+$/.test(trace[1]) && !containsCardNumber(trace[1]) ? trace[1] : randomHex(16);
    // With tracing on, the HTTP server span (already a child of the caller's); otherwise our own span
    // id, child of the caller's span when there was one.
    ctx.state.traceparent = activeTraceparent() ?? `00-${traceId}-${randomHex(8)}-${trace?.[2] ?? "01"}`;
    ctx.state.requestId = requestId;
    // With tracing on, every line inside the request's span carries trace_id already (core/infra/logger.ts).
    ctx.state.log = deps.logger.child(
      tracing() ? { request_id: requestId } : { request_id: requestId, trace_id: traceId },
    );
    ctx.set("Request-Id", requestId);
    try {
      await next();
    } finally {
      const route = routeOf(ctx);
      const seconds = (performance.now() - started) / 1000;
      httpDuration.observe({ method: ctx.method, route, status: String(ctx.status) }, seconds);
      if (!QUIET_ROUTES.has(route)) {
        ctx.state.log[accessLevel(ctx.status, seconds)](
          { method: ctx.method, route, status: ctx.status, duration_ms: Math.round(seconds * 1000) },
          "request",
        );
      }
    }
  };
}

/** The route template (`/payments/:id/confirm`), which keeps metric label cardinality bounded. */
export function routeOf(ctx: object): string {
  const matched = (ctx as { _matchedRoute?: unknown })._matchedRoute;
  return typeof matched === "string" ? matched : "unmatched";
}
