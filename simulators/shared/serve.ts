import type { Server } from "node:http";
import Router from "@koa/router";
import Koa, { type Context, type Next } from "koa";
import type { SimLogger } from "./log.ts";
import { SimHttpError, sendSim } from "./sim-response.ts";

const MAX_BODY_BYTES = 1_000_000;

/** Reads the raw request body once; PSP routes parse it their own way (form or JSON). */
async function rawBody(ctx: Context, next: Next): Promise<void> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) ctx.throw(413, "body too large");
    chunks.push(chunk as Buffer);
  }
  ctx.state.rawBody = Buffer.concat(chunks).toString("utf8");
  await next();
}

export function bodyText(ctx: Context): string {
  return typeof ctx.state.rawBody === "string" ? ctx.state.rawBody : "";
}

/** A Koa app with health, raw-body reading and rendering of SimHttpError / unexpected errors. */
export function createSimApp(log: SimLogger, internalError: () => unknown): { app: Koa; router: Router } {
  const app = new Koa();
  const router = new Router();
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      if (error instanceof SimHttpError) return sendSim(ctx, error.response);
      log.error({ err: error, path: ctx.path }, "simulator route failed");
      sendSim(ctx, { status: 500, body: internalError() });
    }
  });
  app.use(rawBody);
  router.get("/health", (ctx) => {
    ctx.body = { status: "ok" };
  });
  return { app, router };
}

/** Listens on PORT and shuts down promptly on SIGTERM/SIGINT, even with answers held back. */
export function listen(app: Koa, router: Router, port: number, log: SimLogger): Server {
  app.use(router.routes()).use(router.allowedMethods());
  const host = process.env.HOST ?? "127.0.0.1";
  const server = app.listen(port, host, () => log.info({ host, port }, "simulator listening"));
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  return server;
}
