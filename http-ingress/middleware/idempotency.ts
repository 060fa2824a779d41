import { createHash, randomUUID } from "node:crypto";
import { type CommandResult, isRefusedUnavailable } from "../../core/domain/command-result.ts";
import { errors, PaymentError } from "../../core/domain/errors.ts";
import { findCommandResult } from "../../db/repositories/commands-repo.ts";
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  type IdempotencyRecord,
  type KeyRef,
  reassignKeyAfterRefusal,
  releaseIdempotencyKey,
} from "../../db/repositories/idempotency-repo.ts";
import type { IngressContext, IngressDeps, IngressMiddleware } from "../context.ts";
import { httpErrors } from "../http-errors.ts";
import { locationFor } from "../location.ts";
import { presentResult } from "../presentation/command-response.ts";
import { errorBody, httpStatusOf } from "../presentation/error-response.ts";
import { principalOf } from "./authenticate.ts";
import { idempotentReplays, routeOf } from "./request-context.ts";

const KEY_FORMAT = /^[\x20-\x7e]{1,255}$/;

/**
 * Stripe's Idempotency-Key semantics. Runs after parsing, validation and the payment lookup, so a
 * request refused before it could execute (400/404/413/415/422) leaves no trace under its key.
 * Always sets ctx.state.ids: the command and payment ids this request runs under.
 */
export function idempotency(deps: IngressDeps): IngressMiddleware {
  // Past this the holder of an in-flight key is presumed dead and the next retry resumes its command.
  const leaseMs = deps.config.REPLY_TIMEOUT_MS + deps.config.IDEMPOTENCY_LEASE_GRACE_MS;
  const ttlMs = deps.config.IDEMPOTENCY_KEY_TTL_MS;
  return async (ctx, next) => {
    const clientKey = ctx.get("idempotency-key");
    const freshPaymentId = ctx.state.payment?.paymentId ?? randomUUID();
    if (clientKey === "") {
      ctx.state.ids = { commandId: randomUUID(), paymentId: freshPaymentId, takeover: false };
      return next();
    }
    if (!KEY_FORMAT.test(clientKey)) throw httpErrors.idempotencyKeyInvalid();
    const key: KeyRef = { merchantId: principalOf(ctx).merchantId, key: clientKey };

    const path = canonicalPath(ctx.path);
    const claim = await claimIdempotencyKey(deps.pool, {
      ...key,
      method: ctx.method,
      path,
      requestHash: requestHash(ctx.method, path, ctx.state.body),
      commandId: randomUUID(),
      paymentId: freshPaymentId,
      leaseMs,
      ttlMs,
    });
    let ids: { commandId: string; paymentId: string; takeover: boolean };
    if (claim.kind === "existing") {
      const { record } = claim;
      // First answered 202, then refused by the processor (nothing done): the retry runs anew.
      const provisional = record.state === "completed" && record.responseStatus === 202;
      const reassigned =
        provisional && sameRequest(ctx, path, record)
          ? await newCommandAfterRefusal(
              deps,
              key,
              record.commandId,
              await findCommandResult(deps.pool, record.commandId),
              leaseMs,
            )
          : null;
      if (!reassigned) return replay(ctx, deps, key, path, record);
      ids = { commandId: reassigned, paymentId: record.paymentId ?? freshPaymentId, takeover: false };
    } else {
      ids = {
        commandId: claim.commandId,
        paymentId: claim.paymentId ?? freshPaymentId,
        takeover: claim.takeover,
      };
    }
    ctx.state.ids = ids;
    if (ids.takeover) {
      ctx.state.log.warn(
        { command_id: ids.commandId, payment_id: ids.paymentId },
        "resuming an idempotent request whose command may already have run",
      );
      // Applied already: its outcome is the answer (re-running the route could refuse a changed state),
      // unless the processor refused it with 503: then nothing happened and the retry runs anew.
      const reply = await findCommandResult(deps.pool, ids.commandId);
      const reassigned = await newCommandAfterRefusal(deps, key, ids.commandId, reply, leaseMs);
      if (reassigned) ids.commandId = reassigned;
      else if (reply) {
        const answer = presentResult(reply);
        await settleKey(deps, key, ids.commandId, answer);
        return answerStored(ctx, answer.status, answer.body, ids.paymentId);
      }
    }
    try {
      await next();
    } catch (err) {
      const response =
        err instanceof PaymentError
          ? { status: httpStatusOf(err), body: errorBody(err) }
          : { status: 500, body: null };
      await settleKey(deps, key, ids.commandId, response).catch(() => undefined);
      throw err;
    }
    await settleKey(deps, key, ids.commandId, { status: ctx.status, body: ctx.body });
  };
}

/**
 * A final answer (< 500) is stored and replayed. A 5xx keeps the key bound to its command id: the
 * command may have reached Kafka (or a processor answered 5xx for it), so a retry must resume that
 * command, never start another one (a second PSP attempt, a possible second charge). The retry finds
 * the processor's stored reply, or re-sends the same command, which processors apply at most once.
 */
async function settleKey(
  deps: IngressDeps,
  key: KeyRef,
  commandId: string,
  response: { status: number; body: unknown },
): Promise<void> {
  if (response.status < 500) await completeIdempotencyKey(deps.pool, key, commandId, response);
  else await releaseIdempotencyKey(deps.pool, key, commandId);
}

function answerStored(ctx: IngressContext, status: number, body: unknown, paymentId: string | null): void {
  idempotentReplays.inc({ route: routeOf(ctx) });
  ctx.set("Idempotent-Replayed", "true");
  const location = paymentId ? locationFor(status, paymentId) : undefined;
  if (location) ctx.set("Location", location);
  if (status === 503) ctx.set("Retry-After", "1");
  ctx.status = status;
  ctx.body = body;
}

async function replay(
  ctx: IngressContext,
  deps: IngressDeps,
  key: KeyRef,
  path: string,
  record: IdempotencyRecord,
): Promise<void> {
  if (record.method !== ctx.method || record.path !== path) {
    throw errors.idempotencyConflict(
      `This Idempotency-Key was already used for ${record.method} ${record.path}; use a new key for this request`,
    );
  }
  if (record.requestHash !== requestHash(ctx.method, path, ctx.state.body)) {
    throw errors.idempotencyConflict("This Idempotency-Key was already used with different parameters");
  }
  if (record.state === "in_flight") {
    throw errors.idempotencyKeyInUse();
  }
  let status = record.responseStatus ?? 500;
  let body = record.responseBody;
  if (status === 202) {
    // The outcome was not known when we answered; it may be by now. A 5xx outcome is shown but not
    // stored: the key stays on 202 and keeps looking, it is never handed to a new command.
    const reply = await findCommandResult(deps.pool, record.commandId);
    if (reply) {
      ({ status, body } = presentResult(reply));
      if (status < 500) await completeIdempotencyKey(deps.pool, key, record.commandId, { status, body });
    }
  }
  answerStored(ctx, status, body, record.paymentId);
}

const sameRequest = (ctx: IngressContext, path: string, record: IdempotencyRecord) =>
  record.method === ctx.method &&
  record.path === path &&
  record.requestHash === requestHash(ctx.method, path, ctx.state.body);

/**
 * The processor refused the key's command with 503 (dependency down, nothing sent): nothing was done,
 * so the key goes to a new command and the retry runs, instead of replaying the refusal forever.
 * Returns the new command id, or null when the command's reply is anything else (or none yet).
 */
async function newCommandAfterRefusal(
  deps: IngressDeps,
  key: KeyRef,
  commandId: string,
  reply: CommandResult | null,
  leaseMs: number,
): Promise<string | null> {
  if (!reply || !isRefusedUnavailable(reply)) return null;
  const fresh = randomUUID();
  return (await reassignKeyAfterRefusal(deps.pool, key, commandId, fresh, leaseMs)) ? fresh : null;
}

/** sha256 over method, path and the body with keys sorted: formatting and key order do not matter. */
export function requestHash(method: string, path: string, body: unknown): string {
  return createHash("sha256")
    .update(`${method}\n${path}\n${canonicalJson(body)}`)
    .digest("hex");
}

export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

function canonicalPath(path: string): string {
  return path.toLowerCase().replace(/\/+$/, "") || "/";
}
