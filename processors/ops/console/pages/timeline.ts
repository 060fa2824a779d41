import { listAttemptsOfPayment } from "../../../../db/repositories/attempts-repo.ts";
import { listOutboxOfPayment } from "../../../../db/repositories/outbox-repo.ts";
import { findPayment } from "../../../../db/repositories/payments-repo.ts";
import { listPspEventsOfPayment } from "../../../../db/repositories/psp-events-repo.ts";
import { listReviewsOfPayment } from "../../../../db/repositories/reviews-repo.ts";
import { UUID } from "../../operator-resolve.ts";
import { buildTimeline } from "../build-timeline.ts";
import { operatorOf, type PageRoutes, render } from "../context.ts";
import { html } from "../html.ts";
import { freeText, money, notice, paymentMethod, table, when } from "../layout.ts";
import { resolveForm } from "./reviews.ts";

/** Outbox rows may be stamped by another processor's clock: look a little before the payment. */
const CLOCK_SLACK_MS = 60_000;

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
