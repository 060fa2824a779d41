import type Router from "@koa/router";
import { PaymentError } from "../../../core/domain/errors.ts";
import { hashSecret } from "../../../core/security/api-keys.ts";
import { appendAudit } from "../../../db/repositories/audit-repo.ts";
import { readBody } from "../../../http-ingress/middleware/raw-body.ts";
import { MAX_OPERATOR_NAME } from "../operator-resolve.ts";
import {
  type ConsoleContext,
  type ConsoleMiddleware,
  type ConsoleState,
  type ConsoleTools,
  render,
} from "./context.ts";
import { html } from "./html.ts";
import { SESSION_COOKIE } from "./session.ts";

const FORM_LIMIT_BYTES = 8_192;

const consoleError = (status: 401 | 403 | 415, code: string, message: string) =>
  new PaymentError(
    status === 401 ? "unauthenticated" : status === 403 ? "forbidden" : "unsupported_media_type",
    status === 401 ? "authentication_error" : status === 403 ? "permission_error" : "invalid_request_error",
    code,
    message,
  );

function setSessionCookie(kctx: ConsoleContext, t: ConsoleTools, value: string, maxAgeSeconds: number) {
  const secure = t.secureCookies ? "; Secure" : "";
  kctx.set(
    "Set-Cookie",
    `${SESSION_COOKIE}=${value}; Path=/console; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Strict${secure}`,
  );
}

/**
 * Every console route but the login page and its stylesheet: a signed, unexpired session whose ops
 * key still exists, is not revoked and holds the ops scope (checked on every request, through the
 * authenticator's 2-second cache). Anything else clears the cookie and asks for a login.
 */
export function requireOperator(t: ConsoleTools): ConsoleMiddleware {
  return async (kctx, next) => {
    const session = t.sessions.read(kctx.cookies.get(SESSION_COOKIE));
    const principal = session
      ? await t.authenticator.authenticateHash(Buffer.from(session.keyHash, "base64url"))
      : null;
    if (!session || !principal || principal.keyId !== session.keyId || !principal.scopes.has("ops")) {
      if (session) setSessionCookie(kctx, t, "", 0);
      if (kctx.method === "GET") return kctx.redirect("/console/login");
      throw consoleError(
        401,
        "session_required",
        "Log in again: the session is missing, expired or revoked.",
      );
    }
    kctx.state.operator = { session, principal, csrf: t.sessions.csrfToken(session) };
    await next();
  };
}

/**
 * POSTs: a form from this origin only (Origin must name this host: a cross-site form is refused even
 * before SameSite=Strict would drop the cookie), within the size limit, carrying the session's CSRF
 * token when there is a session.
 */
export function requireForm(t: ConsoleTools): ConsoleMiddleware {
  return async (kctx, next) => {
    const origin = kctx.get("origin");
    let originHost: string | null = null;
    try {
      originHost = origin ? new URL(origin).host : null;
    } catch {
      originHost = null;
    }
    if (originHost === null || originHost !== kctx.host) {
      kctx.req.resume();
      throw consoleError(403, "cross_origin_form", "The form did not come from this console.");
    }
    if (kctx.request.type !== "application/x-www-form-urlencoded") {
      kctx.req.resume();
      throw consoleError(415, "unsupported_media_type", "Send the console's own form.");
    }
    kctx.state.form = new URLSearchParams((await readBody(kctx.req, FORM_LIMIT_BYTES)).toString("utf8"));
    const operator = kctx.state.operator;
    if (operator && !t.sessions.checkCsrf(operator.session, kctx.state.form.get("csrf") ?? undefined)) {
      throw consoleError(403, "csrf_token_invalid", "The form is stale or was not made by this console.");
    }
    await next();
  };
}

export function authRoutes(router: Router<ConsoleState>, t: ConsoleTools): void {
  const ttlMinutes = Math.round(t.sessions.ttlMs / 60_000);
  router.get("/login", (kctx) => render(kctx, { title: "Log in" }, loginForm(null, ttlMinutes)));

  router.post("/login", requireForm(t), async (kctx) => {
    const form = kctx.state.form ?? new URLSearchParams();
    const secret = (form.get("api_key") ?? "").trim();
    const name = (form.get("operator") ?? "").replace(/[^\p{L}\p{N} ._@-]/gu, "").slice(0, MAX_OPERATOR_NAME);
    const principal = secret ? await t.authenticator.authenticate(secret) : null;
    const allowed = principal?.scopes.has("ops") === true;
    await appendAudit(t.ctx.pool, {
      merchantId: principal?.merchantId ?? null,
      keyId: principal?.keyId ?? null,
      clientIp: kctx.ip || null,
      action: "ops.console.login",
      paymentId: null,
      requestId: null,
      outcome: allowed ? 200 : principal ? 403 : 401,
      errorCode: allowed ? null : principal ? "insufficient_scope" : "api_key_invalid",
    }).catch((err: Error) => t.logger.error({ err: err.message }, "audit row not written"));
    if (!principal || !allowed) {
      const why = "That key is unknown, revoked, or lacks the ops scope.";
      return render(kctx, { title: "Log in" }, loginForm(why, ttlMinutes), 401);
    }
    const { cookie } = t.sessions.issue({
      keyHash: hashSecret(secret).toString("base64url"),
      keyId: principal.keyId,
      operator: name || "operator",
    });
    setSessionCookie(kctx, t, cookie, Math.floor(t.sessions.ttlMs / 1000));
    kctx.status = 303;
    kctx.redirect("/console/payments");
  });

  router.post("/logout", requireOperator(t), requireForm(t), (kctx) => {
    setSessionCookie(kctx, t, "", 0);
    kctx.status = 303;
    kctx.redirect("/console/login");
  });
}

const loginForm = (problem: string | null, ttlMinutes: number) => html`
${problem ? html`<p class="problem" role="alert">${problem}</p>` : null}
<form method="post" action="/console/login" class="login">
<label>Ops API key <input type="password" name="api_key" autocomplete="off" required></label>
<label>Your name <input type="text" name="operator" maxlength="${MAX_OPERATOR_NAME}" autocomplete="username"></label>
<button type="submit">Log in</button>
</form>
<p class="hint">A key with the <code>ops</code> scope (<code>npm run apikey:create -- --merchant=operations --scopes=ops</code>).
The session lasts ${ttlMinutes} minutes and its cookie holds the key's hash, never the key; revoking the key ends it.</p>`;
