import { createServer, type Server } from "node:http";
import Router from "@koa/router";
import Koa from "koa";
import { errors, PaymentError } from "../../core/domain/errors.ts";
import type { Logger } from "../../core/infra/logger.ts";
import { register } from "../../core/infra/metrics.ts";
import { ApiKeyAuthenticator } from "../../core/security/api-key-authenticator.ts";
import type { Principal } from "../../core/security/api-keys.ts";
import { authorize } from "../../core/security/authorize.ts";
import { appendAudit } from "../../db/repositories/audit-repo.ts";
import { findRun, listExceptions, listRuns } from "../../db/repositories/recon-repo.ts";
import { listReviews } from "../../db/repositories/reviews-repo.ts";
import type { ProcessorContext } from "../context.ts";
import { REVIEW_ACTIONS, type ReviewAction, resolveReviewAction } from "./resolve-review.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The processor's ops listener (loopback by default): health, metrics and the manual review queue.
 * Reviews are resolved here because a processor owns every state change.
 */
export interface ProcessorHealth {
  /** Why the consumers are stuck (processors/ops/consumer-health.ts); empty when they are not. */
  stalled(): Promise<string[]>;
  /** Resolves when Kafka answers. */
  kafka(): Promise<void>;
}

export function startOpsServer(
  ctx: ProcessorContext,
  o: { port: number; host: string; logger: Logger; health?: ProcessorHealth },
): Promise<Server> {
  const app = new Koa();
  const router = new Router();
  app.use(async (kctx, next) => {
    try {
      await next();
    } catch (err) {
      const known = err instanceof PaymentError ? err : null;
      if (!known) o.logger.error({ err }, "ops request failed");
      const e = known ?? errors.internal();
      kctx.status = e.status;
      kctx.body = e.toBody();
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
  const authenticator = new ApiKeyAuthenticator(ctx.pool);
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
    kctx.body = { data: await listRuns(ctx.pool, 100) };
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
    const audit = (outcome: number, paymentId: string | null, errorCode: string | null) =>
      appendAudit(ctx.pool, {
        merchantId: principal.merchantId,
        keyId: principal.keyId,
        clientIp: kctx.ip || null,
        action: "ops.review.resolve",
        paymentId,
        requestId: null,
        outcome,
        errorCode,
      }).catch((err: Error) => o.logger.error({ err: err.message }, "audit row not written"));
    try {
      const resolved = await resolveFromRequest(kctx, principal);
      kctx.body = resolved;
      await audit(200, resolved.review.paymentId, null);
    } catch (err) {
      const known = err instanceof PaymentError ? err : null;
      await audit(known?.status ?? 500, null, known?.code ?? "internal_error");
      throw err;
    }
  });
  const resolveFromRequest = async (kctx: Koa.ParameterizedContext, principal: Principal) => {
    const reviewId = String((kctx as { params?: Record<string, string> }).params?.id ?? "");
    if (!UUID.test(reviewId)) throw errors.notFound("review");
    const body = await readJson(kctx.req);
    const action = body.action as ReviewAction;
    if (!REVIEW_ACTIONS.includes(action)) {
      throw errors.validation(
        "invalid_action",
        `action must be one of ${REVIEW_ACTIONS.join(", ")}`,
        "action",
      );
    }
    if (body.note !== undefined && (typeof body.note !== "string" || body.note.length > 1000)) {
      throw errors.validation("invalid_note", "note must be a string of at most 1000 characters", "note");
    }
    // Who pressed the button: the key always, and the person's name when the console sends one.
    const name = String(kctx.get("x-ops-actor") || "").slice(0, 38);
    const result = await resolveReviewAction(ctx, {
      reviewId,
      action,
      note: (body.note as string | undefined) ?? null,
      actor: name ? `${name} (${principal.keyId})` : principal.keyId,
    });
    if (!result.ok) throw result.error;
    return { review: result.review, payment: result.payment };
  };
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
