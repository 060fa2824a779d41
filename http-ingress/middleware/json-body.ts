import { findCardData } from "../../core/domain/pan-guard.ts";
import type { AppMiddleware } from "../context.ts";
import { httpErrors } from "../http-errors.ts";
import { JSON_LIMITS } from "../json-limits.ts";
import { readJsonBytes } from "./raw-body.ts";

/**
 * Reads the body as JSON into ctx.state.body and refuses card data before anything else sees it.
 * In order: Content-Type (required even on an empty body), size, depth and key count on the raw
 * text, JSON.parse, then the PAN guard. An empty body is `{}` (confirm, capture, cancel and refund
 * take optional fields only). The raw text lives only inside this function: it is never logged,
 * stored or echoed.
 */
export function jsonBody(limitBytes: number = JSON_LIMITS.bytes): AppMiddleware {
  return async (ctx, next) => {
    const raw = (await readJsonBytes(ctx, limitBytes)).toString("utf8");
    ctx.state.body = raw.trim() === "" ? {} : parseJson(raw);
    const finding = findCardData(ctx.state.body);
    if (finding) throw httpErrors.panNotAllowed(finding.field, finding.reason);
    await next();
  };
}

export function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    // The parser's message quotes the input, which may hold card data: it is dropped here.
    throw httpErrors.invalidJson();
  }
}
