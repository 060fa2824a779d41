import { describe, expect, it } from "vitest";
import { PAYMENT_STATUSES, TERMINAL_STATUSES } from "../../core/domain/payment-status.ts";
import { PAYMENT_EVENTS, transition } from "../../core/domain/state-machine.ts";
import { FORWARD_RANK as RANK } from "../helpers/status-order.ts";

// Properties of the table rather than a copy of it; what each PSP answer does with it is covered by
// decide-outcome.property.test.ts.

const pairs = PAYMENT_STATUSES.flatMap((status) => PAYMENT_EVENTS.map((event) => [status, event] as const));

describe("payment state machine", () => {
  it.each(pairs)(
    "%s + %s never moves backwards (except a request that never reached the PSP)",
    (status, event) => {
      const result = transition(status, event);
      if (!result.ok) return expect(result).toEqual({ ok: false, from: status, event });
      if (event === "psp_not_sent")
        return expect([status, result.to]).toEqual(["processing", "requires_confirmation"]);
      expect(RANK[result.to]).toBeGreaterThanOrEqual(RANK[status]);
    },
  );

  it("never leaves a terminal status", () => {
    for (const status of TERMINAL_STATUSES)
      for (const event of PAYMENT_EVENTS) expect(transition(status, event).ok).toBe(false);
  });

  it("cannot confirm twice", () => {
    for (const status of PAYMENT_STATUSES) {
      const confirmable = status === "requires_payment_method" || status === "requires_confirmation";
      expect(transition(status, "confirm").ok).toBe(confirmable);
    }
  });

  it("lets money move only where it exists: capture needs an authorization, refunds need a capture", () => {
    for (const status of PAYMENT_STATUSES) {
      expect(transition(status, "capture").ok).toBe(status === "requires_capture");
      expect(transition(status, "refund").ok).toBe(status === "succeeded" || status === "partially_refunded");
    }
  });

  it("a parked authorization that never reached the PSP can only fail from processing", () => {
    for (const status of PAYMENT_STATUSES)
      expect(transition(status, "abandoned").ok).toBe(status === "processing");
    expect(transition("processing", "abandoned")).toEqual({ ok: true, to: "failed" });
  });
});
