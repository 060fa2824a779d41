import {
  PAYMENT_STATUSES,
  type PaymentStatus,
  PSP_NAMES,
  type PspName,
} from "../../../../core/domain/payment-status.ts";
import { type PaymentSearch, searchPayments } from "../../../../db/repositories/payments-repo.ts";
import { UUID } from "../../operator-resolve.ts";
import { type PageRoutes, render } from "../context.ts";
import { href, html } from "../html.ts";
import { money, paymentLink, paymentMethod, table, when } from "../layout.ts";

const PAGE_SIZE = 25;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MERCHANT = /^mer_[a-z0-9_]{1,60}$/;
const FIELDS = ["payment_id", "order_id", "merchant_id", "status", "psp", "from", "to"] as const;
type Query = Partial<Record<(typeof FIELDS)[number] | "after", string>>;

/** The query string as a search, or the first field that cannot be one (shown, never thrown). */
export function parseSearch(q: Query): { search: PaymentSearch } | { problem: string } {
  const s: PaymentSearch = {};
  if (q.payment_id) {
    if (!UUID.test(q.payment_id)) return { problem: "A payment id is a UUID." };
    s.paymentId = q.payment_id.toLowerCase();
  }
  if (q.order_id) {
    if (!/^\d{1,18}$/.test(q.order_id)) return { problem: "An order id is a whole number." };
    s.orderId = q.order_id;
  }
  if (q.merchant_id) {
    if (!MERCHANT.test(q.merchant_id)) return { problem: "A merchant id looks like mer_acme." };
    s.merchantId = q.merchant_id;
  }
  if (q.status) {
    if (!PAYMENT_STATUSES.includes(q.status as PaymentStatus)) return { problem: "Unknown status." };
    s.status = q.status as PaymentStatus;
  }
  if (q.psp) {
    if (!PSP_NAMES.includes(q.psp as PspName)) return { problem: "Unknown PSP." };
    s.psp = q.psp as PspName;
  }
  for (const [field, value] of [
    ["from", q.from],
    ["to", q.to],
  ] as const) {
    if (!value) continue;
    const day = DATE.test(value) ? new Date(`${value}T00:00:00Z`) : null;
    if (!day || Number.isNaN(day.getTime())) return { problem: "Dates are YYYY-MM-DD (UTC)." };
    if (field === "from") s.createdFrom = day;
    else s.createdBefore = new Date(day.getTime() + 86_400_000);
  }
  if (q.after) {
    if (!UUID.test(q.after)) return { problem: "That page link is broken; search again." };
    s.after = q.after;
  }
  return { search: s };
}

export const paymentSearchRoutes: PageRoutes = (router, t, op) => {
  router.get("/", op, (kctx) => kctx.redirect("/console/payments"));
  router.get("/payments", op, async (kctx) => {
    const q: Query = {};
    for (const f of [...FIELDS, "after"] as const) {
      const v = kctx.query[f];
      if (typeof v === "string" && v.trim()) q[f] = v.trim();
    }
    const parsed = parseSearch(q);
    const found = "search" in parsed ? await searchPayments(t.ctx.pool, parsed.search, PAGE_SIZE + 1) : [];
    const rows = found.slice(0, PAGE_SIZE);
    const last = rows.at(-1);
    const next =
      found.length > PAGE_SIZE && last ? href("/console/payments", { ...q, after: last.paymentId }) : null;
    const body = html`
${searchForm(q)}
${"problem" in parsed ? html`<p class="problem" role="alert">${parsed.problem}</p>` : null}
${table(
  ["Payment", "Created", "Merchant", "Order", "Amount", "Status", "PSP", "Payment method"],
  rows.map(
    (p) => html`<tr>
<td>${paymentLink(p.paymentId)}</td><td class="at">${when(p.createdAt)}</td><td>${p.merchantId}</td><td>${p.orderId}</td>
<td class="num">${money(p, p.amount)}</td><td><span class="status status-${p.status}">${p.status}</span>${p.needsReview ? html` <span class="flag">review</span>` : null}</td>
<td>${p.psp}</td><td>${paymentMethod(p)}</td></tr>`,
  ),
  "No payment matches.",
)}
<p class="pager">${q.after ? html`<a href="${href("/console/payments", { ...q, after: undefined })}">First page</a>` : null}
${next ? html`<a href="${next}" rel="next">Next page</a>` : null}</p>`;
    render(kctx, { title: "Payments" }, body);
  });
};

function searchForm(q: Query) {
  const options = (values: readonly string[], selected: string | undefined) => [
    html`<option value="">any</option>`,
    ...values.map((v) => html`<option value="${v}"${v === selected ? html` selected` : null}>${v}</option>`),
  ];
  return html`<form method="get" action="/console/payments" class="search">
<label>Payment id <input type="text" name="payment_id" value="${q.payment_id ?? ""}" size="34"></label>
<label>Order id <input type="text" name="order_id" value="${q.order_id ?? ""}" inputmode="numeric" size="14"></label>
<label>Merchant <input type="text" name="merchant_id" value="${q.merchant_id ?? ""}" size="16"></label>
<label>Status <select name="status">${options(PAYMENT_STATUSES, q.status)}</select></label>
<label>PSP <select name="psp">${options(PSP_NAMES, q.psp)}</select></label>
<label>From <input type="date" name="from" value="${q.from ?? ""}"></label>
<label>To <input type="date" name="to" value="${q.to ?? ""}"></label>
<button type="submit">Search</button>
</form>`;
}
