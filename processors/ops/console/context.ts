import type Router from "@koa/router";
import type { RouterContext, RouterMiddleware } from "@koa/router";
import type { Logger } from "../../../core/infra/logger.ts";
import type { ApiKeyAuthenticator } from "../../../core/security/api-key-authenticator.ts";
import type { Principal } from "../../../core/security/api-keys.ts";
import type { ProcessorContext } from "../../context.ts";
import type { Html } from "./html.ts";
import { type Frame, page } from "./layout.ts";
import type { ConsoleSession, SessionCodec } from "./session.ts";

/** From the config: OPS_CONSOLE_SESSION_SECRET, OPS_CONSOLE_SESSION_TTL_MS, Secure cookies in production. */
export interface ConsoleSettings {
  sessionSecret: string;
  sessionTtlMs: number;
  secureCookies: boolean;
}

export interface ConsoleDeps extends ConsoleSettings {
  ctx: ProcessorContext;
  authenticator: ApiKeyAuthenticator;
  logger: Logger;
}

export interface ConsoleTools extends ConsoleDeps {
  sessions: SessionCodec;
}

/** The operator behind a request: a valid session whose ops key still holds the ops scope. */
export interface Operator {
  session: ConsoleSession;
  principal: Principal;
  csrf: string;
}

export interface ConsoleState {
  operator?: Operator;
  /** A POSTed form, read once its origin and size were checked. */
  form?: URLSearchParams;
}

export type ConsoleContext = RouterContext<ConsoleState>;
export type ConsoleMiddleware = RouterMiddleware<ConsoleState>;
/** A page's routes: `operator` (requireOperator) goes first on every one of them. */
export type PageRoutes = (router: Router<ConsoleState>, t: ConsoleTools, operator: ConsoleMiddleware) => void;

export function operatorOf(kctx: ConsoleContext): Operator {
  const operator = kctx.state.operator;
  if (!operator) throw new Error("a console route ran without requireOperator");
  return operator;
}

/** Sends a full page, framed for the operator when there is one. */
export function render(kctx: ConsoleContext, frame: Omit<Frame, "operator">, body: Html, status = 200): void {
  const op = kctx.state.operator;
  const operator = op ? { name: op.session.operator, keyId: op.session.keyId, csrf: op.csrf } : null;
  kctx.status = status;
  kctx.type = "text/html; charset=utf-8";
  kctx.body = page({ ...frame, operator }, body).value;
}
