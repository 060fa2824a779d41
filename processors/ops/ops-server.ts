import { createServer, type Server } from "node:http";
import Router from "@koa/router";
import Koa from "koa";
import { errors, PaymentError } from "../../core/domain/errors.ts";
import type { Logger } from "../../core/infra/logger.ts";
import { register } from "../../core/infra/metrics.ts";
import { ApiKeyAuthenticator } from "../../core/security/api-key-authenticator.ts";
import { authorize } from "../../core/security/authorize.ts";
import { findRun, listExceptions, listRuns } from "../../db/repositories/recon-repo.ts";
import { listReviews } from "../../db/repositories/reviews-repo.ts";
import { errorBody, httpStatusOf } from "../../http-ingress/presentation/error-response.ts";
import { toPaymentResponse } from "../../http-ingress/presentation/resource-dto.ts";
import type { ProcessorContext } from "../context.ts";
import { type ConsoleSettings, opsConsole } from "./console/console-app.ts";
import { resolveAsOperator, UUID } from "./operator-resolve.ts";

/**
 * The processor's ops listener (loopback by default): health, metrics, the manual review queue and
 * the ops console (/console). Reviews are resolved here because a processor owns every state change.
 */
export interface ProcessorHealth {
  /** Why the consumers are stuck (processors/ops/consumer-health.ts); empty when they are not. */
  stalled(): Promise<string[]>;
  /** Resolves when Kafka answers. */
  kafka(): Promise<void>;
}

export function startOpsServer(
  ctx: ProcessorContext,
  /** Without console settings the listener serves the JSON API only (tests of that API). */
  o: { port: number; host: string; logger: Logger; console?: ConsoleSettings; health?: ProcessorHealth },
): Promise<Server> {
  const app = new Koa();
  const router = new Router();
  const authenticator = new ApiKeyAuthenticator(ctx.pool);
  // The console renders its own pages and errors, so it sits before the JSON error handler.
  if (o.console) app.use(opsConsole({ ctx, authenticator, logger: o.logger, ...o.console }));
  app.use(async (kctx, next) => {
    try {
      await next();
    } catch (err) {
      const known = err instanceof PaymentError ? err : null;
      if (!known) o.logger.error({ err }, "ops request failed");
      const e = known ?? errors.internal();
      kctx.status = httpStatusOf(e);
      kctx.body = errorBody(e);
    }
  });
  // Liveness: running is not enough, the consumers must make progress when they have work.
  router.get("/healthz", async (kctx) => {
    const problems = (await o.health?.stalled()) ?? [];
    kctx.status = problems.length === 0 ? 200 : 503;
    kctx.body = problems.length === 0 ? { status: "ok" } : { status: "stalled", problems };
  });
  // Readiness: PostgreSQL and Kafka answer.
  router.get("/readyz", async (kctx) => {
    const answers = (check: () => Promise<unknown>) =>
      check().then(
        () => "up" as const,
        () => "down" as const,
      );
    const checks = {
      postgres: await answers(() => ctx.pool.query("SELECT 1")),
      ...(o.health ? { kafka: await answers(() => (o.health as ProcessorHealth).kafka()) } : {}),
    };
    const ready = Object.values(checks).every((c) => c === "up");
    kctx.status = ready ? 200 : 503;
    kctx.body = { status: ready ? "ready" : "not_ready", checks };
  });
  router.get("/metrics", async (kctx) => {
    kctx.type = register.contentType;
    kctx.body = await register.metrics();
  });
  const opsKey = async (kctx: Koa.Context) =>
    authorize(authenticator, kctx.get("authorization") || undefined, "ops");

  router.get("/ops/reviews", async (kctx) => {
    await opsKey(kctx);
    const open = kctx.query.status !== "resolved";
    const reviews = await listReviews(ctx.pool, { open, limit: 200 });
    kctx.body = { data: reviews };
  });
  router.get("/ops/recon/runs", async (kctx) => {
    await opsKey(kctx);
    // ?superseded=true lists the runs that re-runs replaced, too.
    kctx.body = {
      data: await listRuns(ctx.pool, { limit: 100, superseded: kctx.query.superseded === "true" }),
    };
  });
  router.get("/ops/recon/runs/:id/exceptions", async (kctx) => {
    await opsKey(kctx);
    const runId = kctx.params.id ?? "";
    const run = UUID.test(runId) ? await findRun(ctx.pool, runId) : null;
    if (!run) throw errors.notFound("reconciliation run");
    kctx.body = { run, data: await listExceptions(ctx.pool, runId, 1000) };
  });
  router.post("/ops/reviews/:id/resolve", async (kctx) => {
    const principal = await opsKey(kctx);
    const reviewId = kctx.params.id ?? "";
    const body = UUID.test(reviewId) ? await readJson(kctx.req) : {};
    const resolved = await resolveAsOperator(
      ctx,
      principal,
      {
        reviewId,
        action: body.action,
        note: body.note,
        // Who pressed the button: the key always, and the person's name when the caller sends one.
        operatorName: String(kctx.get("x-ops-actor") || ""),
        clientIp: kctx.ip || null,
      },
      o.logger,
    );
    kctx.body = {
      review: resolved.review,
      payment: resolved.payment ? toPaymentResponse(resolved.payment) : null,
    };
  });
  app.use(router.routes()).use(router.allowedMethods());
  const server = createServer(app.callback());
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, o.host, () => resolve(server));
  });
}

async function readJson(req: NodeJS.ReadableStream): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 16_384) throw errors.validation("payload_too_large", "Request body too large");
    chunks.push(chunk as Buffer);
  }
  try {
    const parsed = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
      throw new Error("not an object");
    return parsed as Record<string, unknown>;
  } catch {
    throw errors.validation("invalid_json", "Request body is not a JSON object");
  }
}
