import type { RouterContext } from "@koa/router";
import type { IdempotencyStore } from "./idempotency.ts";
import { sleep } from "./ids.ts";
import { toJson } from "./json.ts";
import { type SimResponse, send, sendSim } from "./sim-response.ts";

export interface IdempotencyPolicy {
  store: IdempotencyStore;
  /** The account the key belongs to (API key), so two accounts may reuse a key. */
  scope(ctx: RouterContext): string;
  /** Everything that must match for a replay: endpoint and parsed parameters. */
  fingerprint(ctx: RouterContext): string;
  mismatch(key: string): SimResponse;
  inFlight(key: string): SimResponse;
  replayHeaders: Record<string, string>;
}

export type SimHandler = (ctx: RouterContext) => Promise<SimResponse> | SimResponse;

/** Runs a POST handler under the PSP's Idempotency-Key semantics. */
export function idempotent(policy: IdempotencyPolicy, handler: SimHandler) {
  return async (ctx: RouterContext): Promise<void> => {
    const key = ctx.get("Idempotency-Key");
    if (key === "") return finish(ctx, await handler(ctx));
    const scopedKey = `${policy.scope(ctx)}\u0000${key}`;
    ctx.state.idempotencyKey = scopedKey;
    const check = policy.store.begin(scopedKey, policy.fingerprint(ctx));
    if (check.kind === "replay") {
      const { response } = check;
      return send(ctx, { ...response, headers: { ...response.headers, ...policy.replayHeaders } });
    }
    if (check.kind === "mismatch") return sendSim(ctx, policy.mismatch(key));
    if (check.kind === "in_flight") return sendSim(ctx, policy.inFlight(key));

    let response: SimResponse;
    try {
      response = await handler(ctx);
    } catch (error) {
      policy.store.abandon(scopedKey);
      throw error;
    }
    if (response.remember === false) policy.store.abandon(scopedKey);
    else {
      const headers = response.headers ?? {};
      policy.store.complete(scopedKey, { status: response.status, body: toJson(response.body), headers });
    }
    await finish(ctx, response);
  };
}

async function finish(ctx: RouterContext, response: SimResponse): Promise<void> {
  // The work is recorded before the wait: this is the "charged, but the answer never arrived" case.
  if (response.delayMs) await sleep(response.delayMs);
  sendSim(ctx, response);
}

/** Faults that fire once per idempotency key (pm_sim_psp_error_once). */
export class FirstSeen {
  private readonly seen = new Set<string>();

  /** True the first time a key is offered, false afterwards. */
  first(key: string): boolean {
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    return true;
  }

  clear(): void {
    this.seen.clear();
  }
}
