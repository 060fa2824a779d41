import type Router from "@koa/router";
import { parseJsonObject } from "./json.ts";
import { bodyText } from "./serve.ts";
import { sendSim } from "./sim-response.ts";

/**
 * The API key a simulator accepts, and keys revoked at runtime: a revoked key is refused with 401 as
 * a rotated or deleted key is at the PSP. POST /_sim/revoked-keys `{"keys": [...]}` sets the list
 * (`[]` restores access); GET shows it.
 */
export class ApiKeys {
  private revoked = new Set<string>();

  constructor(private readonly accepted: string) {}

  allows(key: string): boolean {
    return key === this.accepted && !this.revoked.has(key);
  }

  routes(router: Router): void {
    router.get("/_sim/revoked-keys", (ctx) =>
      sendSim(ctx, { status: 200, body: { keys: [...this.revoked] } }),
    );
    router.post("/_sim/revoked-keys", (ctx) => {
      const keys = parseJsonObject(bodyText(ctx))?.keys;
      if (!Array.isArray(keys) || !keys.every((k) => typeof k === "string"))
        return sendSim(ctx, { status: 400, body: { error: "keys must be an array of strings" } });
      this.revoked = new Set(keys);
      sendSim(ctx, { status: 200, body: { keys } });
    });
  }

  clear(): void {
    this.revoked.clear();
  }
}

/** As PSPs echo a refused key: all but the last four characters masked. */
export function maskedKey(key: string): string {
  return key.length <= 4 ? "****" : `${key.slice(0, Math.min(8, key.length - 4))}****${key.slice(-4)}`;
}
