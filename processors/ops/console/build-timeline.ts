import { OPEN_ATTEMPT_STATUSES } from "../../../core/domain/attempt-outcome.ts";
import type { Currency } from "../../../core/domain/currency.ts";
import { formatAmount } from "../../../core/domain/money.ts";
import type { AttemptHistory } from "../../../db/repositories/attempts-repo.ts";
import type { OutboxRecord } from "../../../db/repositories/outbox-repo.ts";
import type { PspEventRecord } from "../../../db/repositories/psp-events-repo.ts";
import type { Review } from "../../../db/repositories/reviews-repo.ts";
import { freeText, when } from "./layout.ts";

export type TimelineSource = "attempt" | "psp" | "webhook" | "event" | "review";

export interface TimelineEntry {
  at: Date;
  source: TimelineSource;
  what: string;
  detail: string;
}

const OPEN: ReadonlySet<string> = new Set(OPEN_ATTEMPT_STATUSES);

/** Everything that happened to a payment, oldest first (ties keep the order of the sources). */
export function buildTimeline(h: {
  attempts: readonly AttemptHistory[];
  webhooks: readonly PspEventRecord[];
  events: readonly OutboxRecord[];
  reviews: readonly Review[];
}): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  for (const a of h.attempts) {
    const amount =
      a.amount === null ? "" : ` for ${formatAmount(a.amount, a.currency as Currency)} ${a.currency}`;
    entries.push({
      at: a.startedAt,
      source: "attempt",
      what: `${a.operation} sent to ${a.psp}${amount}`,
      detail: `attempt ${a.attemptId}`,
    });
    const answer = [
      a.pspStatus && `PSP status ${a.pspStatus}`,
      a.pspCode && `code ${a.pspCode}`,
      a.httpStatus && `HTTP ${a.httpStatus}`,
      `${a.requests} request(s)`,
      a.durationMs !== null && `${a.durationMs} ms`,
      a.pspReference && `ref ${a.pspReference}`,
      a.pspMessage && freeText(a.pspMessage),
    ]
      .filter(Boolean)
      .join(" · ");
    if (OPEN.has(a.status)) {
      const checks = a.syncCount > 0 ? `, checked ${a.syncCount} time(s)` : "";
      entries.push({
        at: a.startedAt,
        source: "psp",
        what: `no final answer yet: ${a.status}${checks}`,
        detail: answer,
      });
    } else {
      entries.push({
        at: a.finishedAt ?? a.startedAt,
        source: "psp",
        what: `${a.psp} answered: ${a.status}`,
        detail: answer,
      });
    }
  }
  for (const w of h.webhooks) {
    const handled = w.processedAt
      ? `${w.outcome ?? "handled"} at ${when(w.processedAt)}`
      : `not handled yet (${w.outcome ?? "queued"})`;
    entries.push({
      at: w.receivedAt,
      source: "webhook",
      what: `${w.psp} webhook ${w.eventType}`,
      detail: `event ${w.eventId} · ${handled}`,
    });
  }
  for (const e of h.events) {
    const sent = e.publishedAt
      ? `published ${when(e.publishedAt)}`
      : e.publisher === "debezium"
        ? "published by Debezium"
        : "not published yet";
    entries.push({
      at: e.occurredAt,
      source: "event",
      what: `event ${e.type}`,
      detail: `${e.topic} · ${sent}`,
    });
  }
  for (const r of h.reviews) {
    entries.push({
      at: r.openedAt,
      source: "review",
      what: `review opened: ${r.reason}`,
      detail: freeText(r.detail),
    });
    if (r.resolvedAt) {
      const note = r.note ? ` · ${freeText(r.note)}` : "";
      entries.push({
        at: r.resolvedAt,
        source: "review",
        what: `review resolved: ${r.resolution}`,
        detail: `by ${r.resolvedBy}${note}`,
      });
    }
  }
  return entries
    .map((entry, i) => ({ entry, i }))
    .sort((x, y) => x.entry.at.getTime() - y.entry.at.getTime() || x.i - y.i)
    .map(({ entry }) => entry);
}
