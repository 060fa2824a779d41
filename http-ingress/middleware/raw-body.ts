import type { IncomingMessage } from "node:http";
import type Koa from "koa";
import type { AppMiddleware, IngressState } from "../context.ts";
import { httpErrors } from "../http-errors.ts";
import { checkJsonShape, JSON_LIMITS } from "../json-limits.ts";

/**
 * Keeps a JSON request body as the exact bytes received, in ctx.state.rawBody, for routes that verify
 * a signature over them (webhooks): nothing parses or re-serializes it first. The same edge checks as
 * jsonBody apply: Content-Type, size, then depth and key count.
 */
export function rawBody(limitBytes: number = JSON_LIMITS.bytes): AppMiddleware {
  return async (ctx, next) => {
    ctx.state.rawBody = await readJsonBytes(ctx, limitBytes);
    await next();
  };
}

/**
 * The body's bytes once its media type, size and shape are within bounds; nothing is parsed yet.
 * Content-Type is required even on an empty body: a browser's cross-site form post cannot send
 * application/json, so this closes the CSRF path.
 */
export async function readJsonBytes(
  ctx: Koa.ParameterizedContext<IngressState>,
  limitBytes: number,
): Promise<Buffer> {
  if (!isJsonMediaType(ctx.request.type)) {
    ctx.req.resume();
    throw httpErrors.unsupportedMediaType();
  }
  const declared = Number(ctx.get("content-length") || "0");
  if (declared > limitBytes) {
    ctx.req.resume();
    throw httpErrors.payloadTooLarge(limitBytes);
  }
  const bytes = await readBody(ctx.req, limitBytes);
  const shape = checkJsonShape(bytes.toString("utf8"));
  if (shape?.problem === "depth") throw httpErrors.jsonTooDeep(shape.limit);
  if (shape?.problem === "keys") throw httpErrors.jsonTooManyKeys(shape.limit);
  return bytes;
}

/** application/json or any application/…+json type, parameters (charset) aside. */
export const isJsonMediaType = (mediaType: string): boolean =>
  mediaType === "application/json" || /^application\/[\w.-]+\+json$/.test(mediaType);

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
