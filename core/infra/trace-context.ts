import { randomBytes } from "node:crypto";

/** A new W3C traceparent (sampled), for work that did not arrive with one (janitor, replays). */
export function newTraceparent(): string {
  return `00-${randomBytes(16).toString("hex")}-${randomBytes(8).toString("hex")}-01`;
}
