import type { Currency } from "../../../../core/domain/currency.ts";
import { formatAmount } from "../../../../core/domain/money.ts";
import { type AttemptHistory, listAttemptsOfPayment } from "../../../../db/repositories/attempts-repo.ts";
import { listOutboxOfPayment, type OutboxRecord } from "../../../../db/repositories/outbox-repo.ts";
import { findPayment } from "../../../../db/repositories/payments-repo.ts";
import { listPspEventsOfPayment, type PspEventRecord } from "../../../../db/repositories/psp-events-repo.ts";
import { listReviewsOfPayment, type Review } from "../../../../db/repositories/reviews-repo.ts";
import { UUID } from "../../operator-resolve.ts";
import { operatorOf, type PageRoutes, render } from "../context.ts";
import { html } from "../html.ts";
import { freeText, money, notice, paymentMethod, table, when } from "../layout.ts";
import { resolveForm } from "./reviews.ts";

export type TimelineSource = "attempt" | "psp" | "webhook" | "event" | "review";

export interface TimelineEntry {
  at: Date;
  source: TimelineSource;
  what: string;
  detail: string;
}

const OPEN = new Set(["pending", "unknown", "parked", "accepted"]);
/** Outbox rows may be stamped by another processor's clock: look a little before the payment. */
const CLOCK_SLACK_MS = 60_000;

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

export const timelineRoutes: PageRoutes = (router, t, op) => {
  router.get("/payments/:id", op, async (kctx) => {
    const id = kctx.params.id ?? "";
    const p = UUID.test(id) ? await findPayment(t.ctx.pool, id.toLowerCase()) : null;
    if (!p) return render(kctx, { title: "Payment not found" }, html`<p>No such payment.</p>`, 404);
    const db = t.ctx.pool;
    const [attempts, webhooks, events, reviews] = await Promise.all([
      listAttemptsOfPayment(db, p.paymentId),
      listPspEventsOfPayment(db, p.paymentId),
      listOutboxOfPayment(db, p.paymentId, new Date(p.createdAt.getTime() - CLOCK_SLACK_MS)),
      listReviewsOfPayment(db, p.paymentId),
    ]);
    const open = reviews.find((r) => !r.resolvedAt);
    const timeline = buildTimeline({ attempts, webhooks, events, reviews });
    const facts: Array<[string, string]> = [
      ["Status", p.status],
      ["Merchant", p.merchantId],
      ["Order", p.orderId],
      ["Amount", money(p, p.amount)],
      ["Captured", money(p, p.amountCaptured)],
      ["Refunded", money(p, p.amountRefunded)],
      ["Capture", p.captureMethod],
      ["PSP", `${p.psp}${p.pspReference ? ` · ${p.pspReference}` : ""}`],
      ["Payment method", paymentMethod(p)],
      ["Risk score", p.riskScore === null ? "none" : String(p.riskScore)],
      ["Failure", [p.failureReason, p.pspCode].filter(Boolean).join(" · ") || "none"],
      ["Created", when(p.createdAt)],
      ["Updated", when(p.updatedAt)],
    ];
    const body = html`
${notice(typeof kctx.query.notice === "string" ? kctx.query.notice : undefined)}
<p class="mono">${p.paymentId}</p>
<dl class="facts">${facts.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>
${open ? html`<section class="review"><h2>Open review: ${open.reason}</h2><p>${freeText(open.detail)}</p>${resolveForm(open, operatorOf(kctx).csrf)}</section>` : null}
<h2>Timeline</h2>
${table(
  ["When", "Source", "What", "Detail"],
  timeline.map(
    (e) =>
      html`<tr class="src-${e.source}"><td class="at">${when(e.at)}</td><td>${e.source}</td><td>${e.what}</td><td>${e.detail}</td></tr>`,
  ),
  "Nothing recorded yet.",
)}`;
    render(kctx, { title: `Payment for order ${p.orderId}` }, body);
  });
};
