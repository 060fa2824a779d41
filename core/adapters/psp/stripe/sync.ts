import { type AuthorizeResult, indeterminate, type Mapped } from "../outcomes.ts";
import type { HttpReply } from "../resilient-http.ts";
import { parseJson } from "../wire-json.ts";
import { errorOutcome, intentOutcome } from "./transformers.ts";
import { paymentIntent, searchResult } from "./wire.ts";

type SyncResult = AuthorizeResult | { kind: "not_found" };

/** A retrieve (one intent) or a search (a list, newest first) answer → what the attempt became. */
export function syncReply(reply: HttpReply): Mapped<SyncResult> {
  if (reply.status === 404) return { rawStatus: "not_found", outcome: { kind: "not_found" } };
  if (reply.status >= 300) return errorOutcome(reply);
  const body = parseJson(reply.text);
  const single = paymentIntent.safeParse(body);
  if (single.success) return intentOutcome(single.data);
  const found = searchResult.safeParse(body);
  if (!found.success) return { outcome: indeterminate("unreadable Stripe sync answer") };
  const newest = [...found.data.data].sort((a, b) => (b.created ?? 0) - (a.created ?? 0))[0];
  return newest ? intentOutcome(newest) : { rawStatus: "not_found", outcome: { kind: "not_found" } };
}
