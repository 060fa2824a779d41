import { describe, expect, it } from "vitest";
import type { PaymentCommand } from "../../core/domain/commands.ts";
import { IdRewriter } from "../../scripts/replay/rewrite-ids.ts";

const base = { issuedAt: new Date(0), idempotencyKey: "k", merchantId: "mer_a" };
const create = (paymentId: string, commandId: string): PaymentCommand => ({
  ...base,
  paymentId,
  commandId,
  type: "create",
  body: {
    order_id: 1,
    amount: "1.00",
    amount_minor: 100,
    currency: "USD",
    psp: "stripe",
    capture_method: "automatic",
    payment_method: null,
    customer_id: null,
    description: null,
    metadata: {},
  },
});

describe("IdRewriter", () => {
  it("gives every command a fresh id and keeps one fresh payment id per original payment", () => {
    const rewriter = new IdRewriter();
    const a1 = rewriter.rewrite(create("p-a", "c1"));
    const a2 = rewriter.rewrite({
      ...base,
      paymentId: "p-a",
      commandId: "c2",
      type: "confirm",
      body: { payment_method: null },
    });
    const b = rewriter.rewrite(create("p-b", "c3"));
    expect(a1.paymentId).toBe(a2.paymentId);
    expect(a1.paymentId).not.toBe("p-a");
    expect(b.paymentId).not.toBe(a1.paymentId);
    expect(new Set([a1.commandId, a2.commandId, b.commandId, "c1", "c2", "c3"]).size).toBe(6);
    expect(a1.idempotencyKey).toBeNull();
    expect(rewriter.paymentIds()).toEqual([a1.paymentId, b.paymentId]);
  });

  it("gives replayed refunds new refund ids", () => {
    const rewriter = new IdRewriter();
    const refund = rewriter.rewrite({
      ...base,
      paymentId: "p",
      commandId: "c",
      type: "refund",
      body: { refund_id: "r-1", amount_minor: null, reason: null },
    });
    expect(refund.type === "refund" && refund.body.refund_id).not.toBe("r-1");
  });
});
