import type { RouterContext, RouterMiddleware } from "@koa/router";
import type Koa from "koa";
import type { Payment } from "../core/domain/payment.ts";
import type { Config } from "../core/infra/config.ts";
import type { Logger } from "../core/infra/logger.ts";
import type { Authenticator } from "../core/security/api-key-authenticator.ts";
import type { Principal } from "../core/security/api-keys.ts";
import type { Pool } from "../db/pool.ts";
import type { AdmissionControl } from "./admission.ts";
import type { CommandBus } from "./command-bus.ts";
import type { RateLimits } from "./rate-limits.ts";
import type { WebhookIntake } from "./webhooks/intake.ts";

export type ReadinessCheck = () => Promise<unknown>;

export interface IngressDeps {
  config: Config;
  pool: Pool;
  commandBus: CommandBus;
  logger: Logger;
  /** Resolves API keys; createIngressApp makes one over `pool` (one cache for every route) if absent. */
  authenticator?: Authenticator;
  /** Overrides the default Postgres / Kafka / registry checks of /readyz. */
  readinessChecks?: Record<string, ReadinessCheck>;
  rateLimit?: { perSecond: number; burst: number };
  /** Per-key budgets and confirm velocity (PostgreSQL-backed); none: unlimited (unit tests). */
  limits?: RateLimits;
  /** Load shedding of the mutating routes; none: everything is admitted (unit tests). */
  admission?: AdmissionControl;
  /** PSP webhook verification and publishing; without it the webhook routes answer 503. */
  webhooks?: WebhookIntake;
}

/** The ids a mutation runs under: fresh ones, or those stored with its Idempotency-Key. */
export interface CommandIds {
  commandId: string;
  paymentId: string;
  /** True when this request resumed a key whose previous holder died mid-request. */
  takeover: boolean;
}

export interface IngressState {
  log: Logger;
  /** The caller, once its API key was checked; every read and write is scoped to its merchant. */
  principal?: Principal;
  requestId: string;
  traceparent: string;
  /** The body bytes exactly as received (webhook routes only: signatures cover the raw bytes). */
  rawBody?: Buffer;
  /** The parsed JSON body, already screened for card data. */
  body: unknown;
  /** The body after zod validation (type known to the route that chose the schema). */
  input: unknown;
  /** The payment a /payments/{id}/… route acts on, read before anything is published. */
  payment?: Payment;
  ids?: CommandIds;
  /** Answered 503 overloaded by admission control: nothing was done (and nothing is audited). */
  shed?: boolean;
}

export type IngressContext = RouterContext<IngressState>;
export type IngressMiddleware = RouterMiddleware<IngressState>;
export type AppMiddleware = Koa.Middleware<IngressState>;
