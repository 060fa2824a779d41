import type { IncomingMessage } from "node:http";
import type { AppMiddleware } from "../context.ts";
import { httpErrors } from "../http-errors.ts";
import { findCardData } from "../pan-guard.ts";

export const BODY_LIMIT_BYTES = 1_048_576;

/**
 * Reads the body as JSON into ctx.state.body and refuses card data before anything else sees it.
 * An empty body is `{}` (confirm, capture, cancel and refund take optional fields only).
 * The raw text lives only inside this function: it is never logged, stored or echoed.
 */
export function jsonBody(limitBytes = BODY_LIMIT_BYTES): AppMiddleware {
  return async (ctx, next) => {
    const declared = Number(ctx.get("content-length") || "0");
    if (declared > limitBytes) {
      ctx.req.resume();
      throw httpErrors.payloadTooLarge(limitBytes);
    }
    const hasBody = declared > 0 || ctx.get("transfer-encoding") !== "";
    if (hasBody && !ctx.is("application/json", "+json")) {
      ctx.req.resume();
      throw httpErrors.unsupportedMediaType();
    }
    const raw = hasBody ? await readText(ctx.req, limitBytes) : "";
    ctx.state.body = raw.trim() === "" ? {} : parseJson(raw);
    const finding = findCardData(ctx.state.body);
    if (finding) throw httpErrors.panNotAllowed(finding.field, finding.reason);
    await next();
  };
}

/** Keeps draining past the limit (rather than destroying the socket) so the 413 reaches the client. */
function readText(req: IncomingMessage, limitBytes: number): Promise<string> {
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
      resolve(Buffer.concat(chunks).toString("utf8"));
    });
    req.on("error", fail);
    req.on("close", () => fail(new Error("client closed the connection before the body was read")));
  });
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    // The parser's message quotes the input, which may hold card data: it is dropped here.
    throw httpErrors.invalidJson();
  }
}
