import { readFileSync } from "node:fs";
import Router from "@koa/router";
import type Koa from "koa";
import { PaymentError } from "../../../core/domain/errors.ts";
import { httpStatusOf } from "../../../http-ingress/presentation/error-response.ts";
import { authRoutes, requireOperator } from "./console-auth.ts";
import { type ConsoleContext, type ConsoleDeps, type ConsoleState, render } from "./context.ts";
import { html } from "./html.ts";
import { metricsRoutes } from "./pages/metrics.ts";
import { paymentSearchRoutes } from "./pages/payments.ts";
import { reconRoutes } from "./pages/recon.ts";
import { reviewRoutes } from "./pages/reviews.ts";
import { timelineRoutes } from "./pages/timeline.ts";
import { SessionCodec } from "./session.ts";

export type { ConsoleSettings } from "./context.ts";

const STYLESHEET = readFileSync(new URL("./console.css", import.meta.url), "utf8");

/**
 * Nothing but this origin's stylesheet and forms: no script at all, no frame, no plugin. An injected
 * tag could not run even if escaping ever failed.
 */
const SECURITY_HEADERS: Record<string, string> = {
  "Content-Security-Policy":
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  // Not no-referrer: under it a browser sends `Origin: null` on form posts, and requireForm checks Origin.
  "Referrer-Policy": "same-origin",
  "Cache-Control": "no-store",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
};

/**
 * The ops console (docs/operations-console.md): server-rendered pages under /console on the processor's
 * ops listener. Requests elsewhere go on to the listener's JSON routes.
 */
export function opsConsole(deps: ConsoleDeps): Koa.Middleware {
  const t = { ...deps, sessions: new SessionCodec(deps.sessionSecret, deps.sessionTtlMs) };
  const router = new Router<ConsoleState>({ prefix: "/console" });
  const operator = requireOperator(t);
  router.get("/assets/console.css", (kctx) => {
    kctx.type = "text/css; charset=utf-8";
    kctx.body = STYLESHEET;
  });
  authRoutes(router, t);
  paymentSearchRoutes(router, t, operator);
  timelineRoutes(router, t, operator);
  reviewRoutes(router, t, operator);
  reconRoutes(router, t, operator);
  metricsRoutes(router, t, operator);
  const routes = router.routes() as unknown as Koa.Middleware;

  return async (kctx, next) => {
    if (kctx.path !== "/console" && !kctx.path.startsWith("/console/")) return next();
    kctx.set(SECURITY_HEADERS);
    const c = kctx as unknown as ConsoleContext;
    try {
      await routes(kctx, async () => {
        render(
          c,
          { title: "Not found" },
          html`<p>No such page. <a href="/console/payments">Payments</a></p>`,
          404,
        );
      });
    } catch (err) {
      const known = err instanceof PaymentError ? err : null;
      if (!known) deps.logger.error({ err }, "ops console request failed");
      const message = known?.message ?? "Something went wrong; it has been logged.";
      const back = html`<p><a href="/console/payments">Back to the console</a></p>`;
      render(
        c,
        { title: known ? "Refused" : "Error" },
        html`<p class="problem" role="alert">${message}</p>${back}`,
        known ? httpStatusOf(known) : 500,
      );
    }
  };
}
