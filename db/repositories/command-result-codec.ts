import type { CommandResult } from "../../core/domain/command-result.ts";
import type { Currency } from "../../core/domain/currency.ts";
import { type ErrorKind, type ErrorType, PaymentError } from "../../core/domain/errors.ts";
import type { Payment, Refund } from "../../core/domain/payment.ts";

/** How a result is stored: `result` names it (`payment.pending`, `rejected.declined`, …), `body` holds it. */
export interface StoredResult {
  result: string;
  body: unknown;
}

/** Money as decimal strings of minor units, times as ISO strings; the payment method token is never kept. */
export function encodeResult(r: CommandResult): StoredResult {
  switch (r.kind) {
    case "payment":
      return { result: `payment.${r.disposition}`, body: encodePayment(r.payment) };
    case "refund":
      return { result: `refund.${r.disposition}`, body: encodeRefund(r.refund) };
    case "rejected": {
      const { kind, type, code, message, field } = r.error;
      return { result: `rejected.${kind}`, body: { kind, type, code, message, field: field ?? null } };
    }
    case "legacy":
      throw new Error("a legacy reply is only ever read, never written");
  }
}

export function decodeResult(row: {
  result: string | null;
  http_status: number | null;
  body: unknown;
}): CommandResult {
  if (row.result === null) return { kind: "legacy", httpStatus: row.http_status ?? 500, body: row.body };
  const [kind, disposition] = row.result.split(".");
  const body = row.body as Record<string, unknown>;
  if (
    kind === "payment" &&
    (disposition === "created" || disposition === "settled" || disposition === "pending")
  ) {
    return { kind, disposition, payment: decodePayment(body) };
  }
  if (kind === "refund" && (disposition === "settled" || disposition === "pending")) {
    return { kind, disposition, refund: decodeRefund(body) };
  }
  if (kind === "rejected") {
    const e = body as {
      kind: ErrorKind;
      type: ErrorType;
      code: string;
      message: string;
      field: string | null;
    };
    return { kind, error: new PaymentError(e.kind, e.type, e.code, e.message, e.field ?? undefined) };
  }
  throw new Error(`unknown stored command result ${row.result}`);
}

const AMOUNTS = [
  "amount",
  "amountCapturable",
  "amountCaptured",
  "amountRefunded",
  "amountRefundPending",
] as const;

function encodePayment(p: Payment): Record<string, unknown> {
  const out: Record<string, unknown> = { ...p, paymentMethodToken: null };
  for (const f of AMOUNTS) out[f] = p[f].toString();
  out.createdAt = p.createdAt.toISOString();
  out.updatedAt = p.updatedAt.toISOString();
  return out;
}

function decodePayment(b: Record<string, unknown>): Payment {
  const p = { ...b } as Record<string, unknown>;
  for (const f of AMOUNTS) p[f] = BigInt(b[f] as string);
  p.createdAt = new Date(b.createdAt as string);
  p.updatedAt = new Date(b.updatedAt as string);
  return p as unknown as Payment;
}

function encodeRefund(r: Refund): Record<string, unknown> {
  return {
    ...r,
    amount: r.amount.toString(),
    createdAt: r.createdAt.toISOString(),
    processedAt: r.processedAt?.toISOString() ?? null,
  };
}

function decodeRefund(b: Record<string, unknown>): Refund {
  return {
    refundId: b.refundId as string,
    paymentId: b.paymentId as string,
    amount: BigInt(b.amount as string),
    currency: b.currency as Currency,
    reason: (b.reason as string | null) ?? null,
    status: b.status as Refund["status"],
    createdAt: new Date(b.createdAt as string),
    processedAt: b.processedAt ? new Date(b.processedAt as string) : null,
  };
}
