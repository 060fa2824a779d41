import { formatAmount } from "../../../core/domain/money.ts";
import { holdsCardNumber } from "../../../core/domain/pan-guard.ts";
import type { Payment } from "../../../core/domain/payment.ts";
import { maskToken } from "../../../core/infra/log-sanitizer.ts";
import { type Html, href, html } from "./html.ts";

/** What every page's frame needs besides its body: the operator (null before login) and the form token. */
export interface Frame {
  title: string;
  operator: { name: string; keyId: string; csrf: string } | null;
  /** Reloads the page every so many seconds (the metrics page). */
  refreshSeconds?: number;
}

const NAV = [
  ["/console/payments", "Payments"],
  ["/console/reviews", "Reviews"],
  ["/console/recon", "Reconciliation"],
  ["/console/metrics", "Metrics"],
] as const;

export function page(frame: Frame, body: Html): Html {
  const who = frame.operator;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${frame.refreshSeconds ? html`<meta http-equiv="refresh" content="${frame.refreshSeconds}">` : null}
<title>${frame.title} · Payments ops</title>
<link rel="stylesheet" href="/console/assets/console.css">
</head>
<body>
<header>
<strong>Payments ops</strong>
${who ? html`<nav>${NAV.map(([path, label]) => html`<a href="${path}">${label}</a>`)}</nav>` : null}
${
  who
    ? html`<form method="post" action="/console/logout" class="who">
<span>${who.name} (${who.keyId})</span>
<input type="hidden" name="csrf" value="${who.csrf}">
<button type="submit">Log out</button>
</form>`
    : null
}
</header>
<main>
<h1>${frame.title}</h1>
${body}
</main>
</body>
</html>`;
}

export const when = (at: Date | string | null | undefined): string =>
  at
    ? new Date(at)
        .toISOString()
        .replace("T", " ")
        .replace(/\.\d+Z$/, "Z")
    : "";

export const money = (p: Pick<Payment, "currency">, minor: bigint): string =>
  `${formatAmount(minor, p.currency)} ${p.currency}`;

/**
 * A payment method as an operator may see it: type, brand, and the token masked to its prefix and
 * last four (which are the card's last four for our tokens); never the whole token.
 */
export function paymentMethod(p: Payment): string {
  if (!p.paymentMethodType) return "none";
  const last4 = p.cardLast4 ? `…${p.cardLast4}` : null;
  return [p.paymentMethodType, p.cardBrand, maskToken(p.paymentMethodToken) ?? last4]
    .filter(Boolean)
    .join(" ");
}

/**
 * Text we did not write (PSP messages, notes, details). Card numbers are refused at every entry, so
 * none should be stored; if one ever is, the console still does not show it.
 */
export const freeText = (text: string | null | undefined): string =>
  text && holdsCardNumber(text) ? "[hidden: looks like a card number]" : (text ?? "");

export const paymentLink = (paymentId: string): Html =>
  html`<a class="mono" href="${href(`/console/payments/${encodeURIComponent(paymentId)}`)}">${paymentId}</a>`;

export function table(headers: readonly string[], rows: readonly Html[], empty: string): Html {
  if (rows.length === 0) return html`<p class="empty">${empty}</p>`;
  return html`<table>
<thead><tr>${headers.map((h) => html`<th>${h}</th>`)}</tr></thead>
<tbody>${rows}</tbody>
</table>`;
}

/** Fixed messages after an action, chosen by a code in the query: nothing the caller sends is shown. */
const NOTICES: Record<string, string> = {
  review_resolved: "Review resolved.",
};

export const notice = (code: string | undefined): Html | null => {
  const text = code ? NOTICES[code] : undefined;
  return text ? html`<p class="notice" role="status">${text}</p>` : null;
};
