import type { IncomingMessage } from "node:http";
import type { AppMiddleware } from "../context.ts";
import { httpErrors } from "../http-errors.ts";

/**
 * Keeps the request body as the exact bytes received, in ctx.state.rawBody, for routes that verify a
 * signature over them (webhooks): nothing parses or re-serializes it first. Bounded by `limitBytes`.
 */
export function rawBody(limitBytes: number): AppMiddleware {
  return async (ctx, next) => {
    const declared = Number(ctx.get("content-length") || "0");
    if (declared > limitBytes) {
      ctx.req.resume();
      throw httpErrors.payloadTooLarge(limitBytes);
    }
    ctx.state.rawBody = await readBody(ctx.req, limitBytes);
    await next();
  };
}

/** Keeps draining past the limit (rather than destroying the socket) so the 413 reaches the client. */
export function readBody(req: IncomingMessage, limitBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      chunks.length = 0;
      reject(err);
    };
    req.on("data", (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > limitBytes) fail(httpErrors.payloadTooLarge(limitBytes));
      else chunks.push(chunk);
    });
    req.on("end", () => {
      if (settled) return;
      settled = true;
      resolve(Buffer.concat(chunks));
    });
    req.on("error", fail);
    req.on("close", () => fail(new Error("client closed the connection before the body was read")));
  });
}
