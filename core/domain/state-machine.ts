import type { PaymentStatus } from "./payment-status.ts";

/**
 * Everything that can move a payment: commands from callers and outcomes reported by the PSP.
 * Guards that need amounts (refund limits, capture limits) live in the handlers; this table only
 * says which status may follow which.
 */
export const PAYMENT_EVENTS = [
  "confirm",
  "capture",
  "cancel",
  "refund",
  "fraud_blocked",
  "psp_authorized",
  "psp_captured",
  "psp_requires_action",
  "psp_declined",
  "psp_indeterminate",
  "psp_not_sent",
  "abandoned",
  "psp_canceled",
  "action_completed",
  "action_failed",
  "refund_partial",
  "refund_full",
] as const;

export type PaymentEvent = (typeof PAYMENT_EVENTS)[number];

type Table = { readonly [S in PaymentStatus]: Partial<Record<PaymentEvent, PaymentStatus>> };

// A command accepted while a PSP call is pending keeps the current status (e.g. cancel from
// requires_capture); the PSP outcome (psp_canceled) then moves it. Cancelling before
// confirmation needs no PSP call, so it lands in canceled at once.
const TRANSITIONS: Table = {
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
    // A parked authorization that never reached the PSP before its deadline (psp_unavailable).
    abandoned: "failed",
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

export type Transition =
  | { ok: true; to: PaymentStatus }
  | { ok: false; from: PaymentStatus; event: PaymentEvent };

export function transition(from: PaymentStatus, event: PaymentEvent): Transition {
  const to = TRANSITIONS[from][event];
  return to === undefined ? { ok: false, from, event } : { ok: true, to };
}

export function canApply(from: PaymentStatus, event: PaymentEvent): boolean {
  return TRANSITIONS[from][event] !== undefined;
}
