import { randomHex } from "./secure-random.ts";

/** A new W3C traceparent (sampled), for work that did not arrive with one (janitor, replays). */
export function newTraceparent(): string {
  return `00-${randomHex(16)}-${randomHex(8)}-01`;
}
