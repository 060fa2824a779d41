import { Counter, Gauge, register } from "prom-client";
import { errors } from "../../core/domain/errors.ts";
import type { AdmissionClass, AdmissionControl } from "../admission.ts";
import type { AppMiddleware } from "../context.ts";
import { errorBody } from "../presentation/error-response.ts";

const shedTotal =
  (register.getSingleMetric("ingress_shed_total") as Counter<"class"> | undefined) ??
  new Counter({
    name: "ingress_shed_total",
    help: "Mutating requests answered 503 overloaded by admission control, by class (new, continuation)",
    labelNames: ["class"],
  });

const limitGauge =
  (register.getSingleMetric("ingress_admission_limit") as Gauge | undefined) ??
  new Gauge({
    name: "ingress_admission_limit",
    help: "Mutating requests for new payments this ingress admits at once (adaptive; twice this for work on existing payments)",
  });

const admittedGauge =
  (register.getSingleMetric("ingress_admitted_requests") as Gauge | undefined) ??
  new Gauge({ name: "ingress_admitted_requests", help: "Mutating requests admitted and not finished" });

/** POST /payments is new work; POST /payments/{id}/… continues a payment that exists. Others pass. */
function classOf(method: string, path: string): AdmissionClass | null {
  if (method !== "POST" || !path.startsWith("/payments")) return null;
  return path === "/payments" || path === "/payments/" ? "new" : "continuation";
}

/**
 * Sheds what is past the admission limit (http-ingress/admission.ts) with 503 `overloaded` and
 * Retry-After, before authentication, body parsing or any I/O: a shed answer costs microseconds, and
 * nothing was done, so the client retries it as is (with its Idempotency-Key, if it sent one).
 */
export function admission(control: AdmissionControl): AppMiddleware {
  const shedBody = errorBody(errors.overloaded());
  return async (ctx, next) => {
    const kind = classOf(ctx.method, ctx.path);
    if (!kind) return next();
    const ticket = control.tryEnter(kind);
    limitGauge.set(control.limit);
    if (!ticket) {
      shedTotal.inc({ class: kind });
      ctx.state.shed = true;
      ctx.status = 503;
      ctx.set("Retry-After", "1");
      ctx.body = shedBody;
      return;
    }
    admittedGauge.set(control.admitted);
    try {
      await next();
    } finally {
      control.leave(ticket);
      admittedGauge.set(control.admitted);
    }
  };
}
