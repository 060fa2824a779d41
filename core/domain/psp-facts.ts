import type { CaptureMethod, PaymentStatus } from "./payment-status.ts";
import { type PaymentEvent, transition } from "./state-machine.ts";

/** Our ids and the PSP's payment reference, as far as a PSP event names them. */
export interface PspEventRefs {
  /** The PSP's reference of the payment (Stripe PaymentIntent id, Adyen payment pspReference). */
  pspReference: string;
  paymentId?: string;
  /** The attempt that started the PSP operation (authorize or capture), when the PSP echoes it. */
  attemptId?: string;
  refundId?: string;
}

/**
 * What a PSP event says happened, in our vocabulary. Whether it changes anything depends on the
 * payment it is applied to (paymentEventsFor); PSP wire formats never reach the processor.
 */
export type PspFact =
  /** `captured: null`: the PSP reports the authorization only; capture follows the payment's capture method. */
  | { kind: "authorized"; captured: boolean | null; amountMinor: bigint }
  | { kind: "requires_action" }
  | { kind: "authorization_failed"; declineCode: string; pspCode: string; message: string }
  | { kind: "captured"; amountMinor: bigint }
  /** The PSP refused a capture it had accepted for processing (Adyen CAPTURE success=false). */
  | { kind: "capture_failed"; pspCode: string; message: string }
  | { kind: "canceled" }
  /** The PSP refused a cancel it had accepted for processing (Adyen CANCELLATION success=false). */
  | { kind: "cancel_failed"; pspCode: string; message: string }
  | { kind: "refund_succeeded"; pspRefundReference: string }
  | { kind: "refund_failed"; pspRefundReference: string; pspCode: string; message: string }
  | {
      kind: "dispute";
      disputeReference: string;
      stage: string;
      reason: string | null;
      amountMinor: bigint;
      currency: string;
    }
  /** Nothing for the ledger (an event type we do not act on, or a status still in flux). */
  | { kind: "informational"; note: string };

export interface InterpretedWebhook {
  refs: PspEventRefs;
  fact: PspFact;
}

export type PaymentFact = Extract<
  PspFact,
  { kind: "authorized" | "requires_action" | "authorization_failed" | "captured" | "canceled" }
>;

export const isPaymentFact = (fact: PspFact): fact is PaymentFact =>
  ["authorized", "requires_action", "authorization_failed", "captured", "canceled"].includes(fact.kind);

/** Whether an authorized fact means the money was captured too. */
export function capturedBy(fact: Extract<PspFact, { kind: "authorized" }>, captureMethod: CaptureMethod) {
  return fact.captured ?? captureMethod === "automatic";
}

type Plan = (fact: PaymentFact, captureMethod: CaptureMethod) => PaymentEvent[] | null;

// The state-machine events each fact stands for, by the status it finds. A status missing here means
// the fact is about an earlier stage (a late or re-delivered event) and must not move the payment.
const PLANS: Partial<Record<PaymentStatus, Plan>> = {
  processing: (fact, method) => {
    switch (fact.kind) {
      case "authorized":
        return capturedBy(fact, method) ? ["psp_authorized", "psp_captured"] : ["psp_authorized"];
      case "requires_action":
        return ["psp_requires_action"];
      case "authorization_failed":
        return ["psp_declined"];
      default:
        return null;
    }
  },
  requires_action: (fact, method) => {
    switch (fact.kind) {
      case "authorized":
        return capturedBy(fact, method) ? ["action_completed", "psp_captured"] : ["action_completed"];
      case "authorization_failed":
        return ["action_failed"];
      case "canceled":
        return ["psp_canceled"];
      default:
        return null;
    }
  },
  // Stripe reports a capture as payment_intent.succeeded (an authorized fact with captured: true).
  requires_capture: (fact) => {
    if (fact.kind === "captured" || (fact.kind === "authorized" && fact.captured === true))
      return ["psp_captured"];
    return fact.kind === "canceled" ? ["psp_canceled"] : null;
  },
};

/**
 * The events a PSP fact means for a payment in `status`, or null when it does not apply there: out of
 * order, duplicated, or about a stage the payment has left. Every step is checked against the
 * transition table, so a fact can never move a payment backwards.
 */
export function paymentEventsFor(
  status: PaymentStatus,
  fact: PaymentFact,
  captureMethod: CaptureMethod,
): PaymentEvent[] | null {
  const steps = PLANS[status]?.(fact, captureMethod) ?? null;
  if (steps === null) return null;
  let at = status;
  for (const step of steps) {
    const next = transition(at, step);
    if (!next.ok) return null;
    at = next.to;
  }
  return steps;
}

/** The status the steps lead to from `status` (steps from paymentEventsFor). */
export function statusAfter(status: PaymentStatus, steps: readonly PaymentEvent[]): PaymentStatus {
  return steps.reduce((at, step) => {
    const next = transition(at, step);
    if (!next.ok) throw new Error(`illegal transition ${at} --${step}-->`);
    return next.to;
  }, status);
}
