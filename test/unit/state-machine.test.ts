import { describe, expect, it } from "vitest";
import { PAYMENT_STATUSES, type PaymentStatus } from "../../core/domain/payment-status.ts";
import { PAYMENT_EVENTS, type PaymentEvent, transition } from "../../core/domain/state-machine.ts";

// The expected table, written out independently of the implementation: every pair not listed is refused.
const ALLOWED: Record<PaymentStatus, Partial<Record<PaymentEvent, PaymentStatus>>> = {
  requires_payment_method: { confirm: "processing", cancel: "canceled" },
  requires_confirmation: { confirm: "processing", cancel: "canceled" },
  processing: {
    fraud_blocked: "failed",
    psp_authorized: "requires_capture",
    psp_captured: "succeeded",
    psp_requires_action: "requires_action",
    psp_declined: "failed",
    psp_indeterminate: "processing",
    psp_not_sent: "requires_confirmation",
  },
  requires_action: {
    action_completed: "requires_capture",
    psp_captured: "succeeded",
    action_failed: "failed",
    cancel: "requires_action",
    psp_canceled: "canceled",
  },
  requires_capture: {
    capture: "requires_capture",
    psp_captured: "succeeded",
    cancel: "requires_capture",
    psp_canceled: "canceled",
  },
  succeeded: { refund: "succeeded", refund_partial: "partially_refunded", refund_full: "refunded" },
  partially_refunded: {
    refund: "partially_refunded",
    refund_partial: "partially_refunded",
    refund_full: "refunded",
  },
  failed: {},
  canceled: {},
  refunded: {},
};

describe("payment state machine", () => {
  const pairs = PAYMENT_STATUSES.flatMap((status) => PAYMENT_EVENTS.map((event) => [status, event] as const));

  it("covers all status × event pairs", () => {
    expect(pairs).toHaveLength(PAYMENT_STATUSES.length * PAYMENT_EVENTS.length);
  });

  it.each(pairs)("%s + %s", (status, event) => {
    const expected = ALLOWED[status][event];
    const result = transition(status, event);
    if (expected === undefined) {
      expect(result).toEqual({ ok: false, from: status, event });
    } else {
      expect(result).toEqual({ ok: true, to: expected });
    }
  });

  it("never leaves a terminal status", () => {
    for (const status of ["failed", "canceled", "refunded"] as const) {
      for (const event of PAYMENT_EVENTS) expect(transition(status, event).ok).toBe(false);
    }
  });

  it("cannot confirm twice: processing refuses confirm", () => {
    expect(transition("processing", "confirm").ok).toBe(false);
    expect(transition("requires_capture", "confirm").ok).toBe(false);
    expect(transition("succeeded", "confirm").ok).toBe(false);
  });
});
