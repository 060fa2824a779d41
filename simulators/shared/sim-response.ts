import type { Context } from "koa";
import { toJson } from "./json.ts";

/**
 * What a simulator route decides. `remember: false` keeps the answer out of the idempotency store
 * (the PSP failed before doing anything); `delayMs` holds the answer back after the work is done.
 */
export interface SimResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  remember?: boolean;
  delayMs?: number;
}

/** Thrown by routes for error answers; never remembered under an idempotency key. */
export class SimHttpError extends Error {
  constructor(readonly response: SimResponse) {
    super(`simulated HTTP ${response.status}`);
  }
}

export function send(
  ctx: Context,
  response: { status: number; body: string; headers?: Record<string, string> },
) {
  ctx.status = response.status;
  ctx.type = "application/json";
  for (const [name, value] of Object.entries(response.headers ?? {})) ctx.set(name, value);
  ctx.body = response.body;
}

export function sendSim(ctx: Context, response: SimResponse): void {
  send(ctx, { status: response.status, body: toJson(response.body), headers: response.headers ?? {} });
}
