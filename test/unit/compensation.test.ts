import { describe, expect, it } from "vitest";
import { compensationFor } from "../../core/domain/compensation.ts";
import type { Currency } from "../../core/domain/currency.ts";
import type { Payment } from "../../core/domain/payment.ts";
import type { PaymentStatus } from "../../core/domain/payment-status.ts";

const payment = (status: PaymentStatus, pspReference: string | null = "pi_ours") =>
  ({ paymentId: "p1", status, pspReference, currency: "USD" as Currency }) as Payment;
const success = (pspReference: string, captured: boolean) => ({ pspReference, captured, amountMinor: 1000n });

describe("compensation of a late PSP success", () => {
  it("voids an authorization, or refunds a capture, the PSP holds for a payment the ledger failed", () => {
    expect(compensationFor(payment("failed"), success("pi_ours", false))).toEqual({
      action: "void",
      amountMinor: 1000n,
      reason: "late_success_after_failed",
    });
    expect(compensationFor(payment("failed"), success("pi_other", true))?.action).toBe("refund");
  });

  it("undoes an authorization a canceled payment never knew, but not the one it voided itself", () => {
    expect(compensationFor(payment("canceled"), success("pi_other", false))?.action).toBe("void");
    expect(compensationFor(payment("canceled", null), success("pi_new", false))?.action).toBe("void");
    expect(compensationFor(payment("canceled"), success("pi_ours", false))).toBeNull();
  });

  it("leaves live payments alone: a late success there is only late", () => {
    for (const status of [
      "processing",
      "requires_capture",
      "succeeded",
      "refunded",
      "partially_refunded",
    ] as const)
      expect(compensationFor(payment(status), success("pi_ours", true))).toBeNull();
  });
});
