import { listReviews, type Review } from "../../../../db/repositories/reviews-repo.ts";
import { resolveAsOperator } from "../../operator-resolve.ts";
import { REVIEW_ACTIONS } from "../../resolve-review.ts";
import { requireForm } from "../console-auth.ts";
import { operatorOf, type PageRoutes, render } from "../context.ts";
import { href, html } from "../html.ts";
import { freeText, paymentLink, table, when } from "../layout.ts";

const LIST_LIMIT = 200;

/** The decision form of an open review: the existing resolve path, a CSRF token, a note for the audit. */
export const resolveForm = (
  r: Review,
  csrf: string,
) => html`<form method="post" action="/console/reviews/${encodeURIComponent(r.reviewId)}/resolve" class="resolve">
<input type="hidden" name="csrf" value="${csrf}">
<select name="action" aria-label="Decision">${REVIEW_ACTIONS.map((a) => html`<option value="${a}">${a}</option>`)}</select>
<input type="text" name="note" maxlength="1000" placeholder="note for the audit trail" aria-label="Note">
<button type="submit">Resolve</button>
</form>`;

export const reviewRoutes: PageRoutes = (router, t, op) => {
  router.get("/reviews", op, async (kctx) => {
    const open = kctx.query.status !== "resolved";
    const reviews = await listReviews(t.ctx.pool, { open, limit: LIST_LIMIT });
    const csrf = operatorOf(kctx).csrf;
    const rows = reviews.map(
      (r) => html`<tr>
<td class="at">${when(r.openedAt)}</td><td>${paymentLink(r.paymentId)}</td><td>${r.merchantId}</td><td>${r.reason}</td><td>${freeText(r.detail)}</td>
<td>${open ? resolveForm(r, csrf) : html`${r.resolution} by ${r.resolvedBy} at ${when(r.resolvedAt)}${r.note ? html`<br>${freeText(r.note)}` : null}`}</td></tr>`,
    );
    const body = html`<p class="tabs">
<a href="${href("/console/reviews")}"${open ? html` aria-current="page"` : null}>Open</a>
<a href="${href("/console/reviews", { status: "resolved" })}"${open ? null : html` aria-current="page"`}>Resolved</a></p>
${table(["Opened", "Payment", "Merchant", "Reason", "Detail", open ? "Decision" : "Resolution"], rows, open ? "No open review." : "No resolved review.")}
${reviews.length === LIST_LIMIT ? html`<p class="hint">The ${LIST_LIMIT} oldest are shown.</p>` : null}`;
    render(kctx, { title: open ? "Open reviews" : "Resolved reviews" }, body);
  });

  router.post("/reviews/:id/resolve", op, requireForm(t), async (kctx) => {
    const operator = operatorOf(kctx);
    const form = kctx.state.form ?? new URLSearchParams();
    const { review } = await resolveAsOperator(
      t.ctx,
      operator.principal,
      {
        reviewId: kctx.params.id ?? "",
        action: form.get("action") ?? undefined,
        note: form.get("note") ?? undefined,
        operatorName: operator.session.operator,
        clientIp: kctx.ip || null,
      },
      t.logger,
    );
    kctx.status = 303;
    kctx.redirect(
      href(`/console/payments/${encodeURIComponent(review.paymentId)}`, { notice: "review_resolved" }),
    );
  });
};
