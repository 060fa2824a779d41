import { readFileSync } from "node:fs";
import Router from "@koa/router";
import { collectDefaultMetrics, register } from "prom-client";
import type { IngressDeps, IngressState, ReadinessCheck } from "../context.ts";
import type { HealthResponse, ReadinessResponse } from "./schema.ts";

const OPENAPI = readFileSync(new URL("../openapi.json", import.meta.url), "utf8");

// The default register is shared with processors running in the same process; register once.
if (!register.getSingleMetric("process_cpu_user_seconds_total")) collectDefaultMetrics();

/** Public: liveness, bare readiness (up or down, nothing about our dependencies), the API contract. */
export function publicOpsRoutes(deps: IngressDeps): Router<IngressState> {
  const router = new Router<IngressState>();
  const checks = deps.readinessChecks ?? defaultChecks(deps);

  router.get("/healthz", (ctx) => {
    ctx.body = { status: "alive" } satisfies HealthResponse;
  });

  router.get("/readyz", async (ctx) => {
    const { ready } = await readiness(checks, deps.config.READINESS_CHECK_TIMEOUT_MS);
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? "ready" : "not_ready" } satisfies ReadinessResponse;
  });

  router.get("/openapi.json", (ctx) => {
    ctx.type = "application/json";
    ctx.body = OPENAPI;
  });

  return router;
}

/** The ops listener (INGRESS_OPS_PORT, loopback by default): readiness per dependency and /metrics. */
export function privateOpsRoutes(deps: IngressDeps): Router<IngressState> {
  const router = new Router<IngressState>();
  const checks = deps.readinessChecks ?? defaultChecks(deps);

  router.get("/healthz", (ctx) => {
    ctx.body = { status: "alive" };
  });

  router.get("/readyz", async (ctx) => {
    const { ready, report } = await readiness(checks, deps.config.READINESS_CHECK_TIMEOUT_MS);
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? "ready" : "not_ready", checks: report };
  });

  router.get("/metrics", async (ctx) => {
    ctx.type = register.contentType;
    ctx.body = await register.metrics();
  });

  return router;
}

async function readiness(checks: Record<string, ReadinessCheck>, timeoutMs: number) {
  const names = Object.keys(checks);
  const results = await Promise.allSettled(
    names.map((name) => withTimeout(checks[name] as ReadinessCheck, timeoutMs)),
  );
  const report: Record<string, { status: "up" | "down"; error?: string }> = {};
  results.forEach((result, i) => {
    report[names[i] as string] =
      result.status === "fulfilled" ? { status: "up" } : { status: "down", error: errorText(result.reason) };
  });
  return { ready: results.every((r) => r.status === "fulfilled"), report };
}

function defaultChecks(deps: IngressDeps): Record<string, ReadinessCheck> {
  const timeoutMs = deps.config.READINESS_CHECK_TIMEOUT_MS;
  return {
    postgres: () => deps.pool.query("SELECT 1"),
    kafka: () => deps.commandBus.ping(timeoutMs),
    schema_registry: async () => {
      const res = await fetch(`${deps.config.SCHEMA_REGISTRY_URL}/subjects`, {
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      await res.body?.cancel();
    },
  };
}

/** A check that does not bound itself is cut half a second after the bound the default checks use. */
async function withTimeout(check: ReadinessCheck, timeoutMs: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error("timed out")), timeoutMs + 500);
  });
  try {
    return await Promise.race([check(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function errorText(reason: unknown): string {
  const message = reason instanceof Error ? reason.message : String(reason);
  return message.slice(0, 200);
}
