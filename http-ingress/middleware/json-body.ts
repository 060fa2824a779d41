import type { AppMiddleware } from "../context.ts";
import { httpErrors } from "../http-errors.ts";
import { findCardData } from "../pan-guard.ts";
import { readBody } from "./raw-body.ts";

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
    const raw = hasBody ? (await readBody(ctx.req, limitBytes)).toString("utf8") : "";
    ctx.state.body = raw.trim() === "" ? {} : parseJson(raw);
    const finding = findCardData(ctx.state.body);
    if (finding) throw httpErrors.panNotAllowed(finding.field, finding.reason);
    await next();
  };
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    // The parser's message quotes the input, which may hold card data: it is dropped here.
    throw httpErrors.invalidJson();
  }
}
