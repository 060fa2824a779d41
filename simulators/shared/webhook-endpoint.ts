import type Router from "@koa/router";
import { parseJsonObject } from "./json.ts";
import { bodyText } from "./serve.ts";
import { sendSim } from "./sim-response.ts";
import type { WebhookSender } from "./webhook-sender.ts";

function httpUrl(value: unknown): value is string {
  if (typeof value !== "string") return false;
  try {
    const { protocol } = new URL(value);
    return protocol === "http:" || protocol === "https:";
  } catch {
    return false;
  }
}

/**
 * GET / POST /_sim/webhook-endpoint `{url}`: where signed events go, changeable at runtime (the test
 * suite points the stack's simulators at the service it starts). `{"url": null}` stops deliveries.
 */
export function webhookEndpointRoutes(router: Router, sender: WebhookSender): void {
  router.get("/_sim/webhook-endpoint", (ctx) =>
    sendSim(ctx, { status: 200, body: { url: sender.endpoint ?? null } }),
  );
  router.post("/_sim/webhook-endpoint", (ctx) => {
    const url = parseJsonObject(bodyText(ctx))?.url;
    if (url !== null && !httpUrl(url)) {
      return sendSim(ctx, { status: 400, body: { error: "url must be an http(s) URL, or null" } });
    }
    sender.setEndpoint(url ?? undefined);
    sendSim(ctx, { status: 200, body: { url } });
  });
}
