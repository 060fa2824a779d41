import type {
  AuthorizeOutcome,
  CancelOutcome,
  CaptureOutcome,
  RefundOutcome,
  SyncOutcome,
} from "../ports/payment-connector.ts";
import type { Payment, Refund } from "./payment.ts";
import { type PaymentEvent, transition } from "./state-machine.ts";

export type AttemptOperation = "authorize" | "capture" | "cancel" | "refund";
export type AttemptStatus = "pending" | "unknown" | "parked" | "accepted" | "succeeded" | "failed";
export const OPEN_ATTEMPT_STATUSES: readonly AttemptStatus[] = ["pending", "unknown", "parked", "accepted"];
export type EventKind = "authorized" | "captured" | "failed" | "canceled" | "refunded";

/** What the decision needs to know about the attempt the outcome belongs to. */
export interface AttemptView {
  operation: AttemptOperation;
  status: AttemptStatus;
  /** Minor units the attempt asked for (capture / refund); null when the whole amount. */
  amount: bigint | null;
  /**
   * Whether an earlier request of this attempt may have reached the PSP. A first call in the process
   * that recorded the attempt is the only case where it is false; a resumed or re-sent attempt is true
   * unless every earlier call provably never left (status `parked`).
   */
  mayHaveReachedPsp: boolean;
}

type Outcome = AuthorizeOutcome | SyncOutcome | CaptureOutcome | CancelOutcome | RefundOutcome;
type Bare<T> = T extends unknown ? Omit<T, "diagnostics"> : never;
export type AnyOutcome = Bare<Outcome>;

/** How the attempt row ends (or stays open) after the outcome. */
export type AttemptEnd =
  | { status: "succeeded"; pspReference?: string; pspStatus?: string }
  | { status: "failed"; pspReference?: string; pspCode?: string; message?: string }
  | { status: "unknown"; reason: string; pspReference?: string }
  | { status: "parked"; reason: string }
  | { status: "accepted"; pspReference: string };

/** The typed answer to the caller; the processor presents it (HTTP status and body). */
export type OperationResult =
  | { kind: "payment"; final: boolean }
  | { kind: "refund"; final: boolean }
  | { kind: "declined"; code: string }
  | { kind: "refused"; code: "capture_refused" | "cancel_refused"; message: string }
  | { kind: "unavailable"; code: "psp_unavailable" | "psp_configuration_error" };

export interface Decision {
  payment: Payment;
  refund: { status: "succeeded" | "failed" } | null;
  attempt: AttemptEnd;
  events: EventKind[];
  result: OperationResult;
  /** Opens a manual review with this reason. */
  review?: string;
}

export interface DecideOptions {
  /** No caller is waiting to retry (autopay): an authorization that could not be sent is parked, never refused. */
  noCaller?: boolean;
}

const unchanged = (p: Payment, attempt: AttemptEnd, result: OperationResult): Decision => ({
  payment: p,
  refund: null,
  attempt,
  events: [],
  result,
});

/**
 * What a PSP outcome means for a payment whose attempt is open. Pure: the same payment, attempt and
 * outcome always give the same decision. An outcome that cannot be an answer for this request
 * (unavailable or configuration error on an attempt that may already have reached the PSP) never
 * ends the attempt: only the PSP can say what happened to the earlier request.
 */
export function decideOutcome(
  p: Payment,
  attempt: AttemptView,
  refund: Refund | null,
  outcome: AnyOutcome,
  options: DecideOptions = {},
): Decision {
  if (outcome.kind === "unavailable" || outcome.kind === "configuration_error") {
    return notSent(p, attempt, refund, outcome, options);
  }
  if (outcome.kind === "indeterminate") {
    const end: AttemptEnd = outcome.pspReference
      ? { status: "unknown", reason: outcome.reason, pspReference: outcome.pspReference }
      : { status: "unknown", reason: outcome.reason };
    return unchanged(p, end, pending(attempt));
  }
  switch (attempt.operation) {
    case "authorize":
      return authorizeOutcome(p, outcome);
    case "capture":
      return captureOutcome(p, attempt, outcome);
    case "cancel":
      return cancelOutcome(p, outcome);
    case "refund":
      return refundOutcome(p, refund, outcome);
  }
}

const STILL_PROCESSING: OperationResult = { kind: "payment", final: false };

function pending(attempt: AttemptView): OperationResult {
  return attempt.operation === "refund"
    ? { kind: "refund", final: false }
    : { kind: "payment", final: false };
}

function notSent(
  p: Payment,
  attempt: AttemptView,
  refund: Refund | null,
  outcome: Extract<AnyOutcome, { kind: "unavailable" | "configuration_error" }>,
  options: DecideOptions,
): Decision {
  const reason = outcome.kind === "unavailable" ? outcome.reason : `${outcome.pspCode}: ${outcome.message}`;
  if (attempt.mayHaveReachedPsp) return unchanged(p, { status: "unknown", reason }, pending(attempt));
  const code = outcome.kind === "unavailable" ? "psp_unavailable" : "psp_configuration_error";
  // Nothing reached the PSP: the authorization waits (parked) and is re-sent when the PSP is back. One
  // already parked stays parked whatever refused it: its caller was told 202 and is not retrying.
  const park = outcome.kind === "unavailable" || options.noCaller || attempt.status === "parked";
  if (attempt.operation === "authorize" && park) {
    return unchanged(p, { status: "parked", reason }, { kind: "payment", final: false });
  }
  const failed: AttemptEnd = { status: "failed", message: reason };
  if (attempt.operation === "authorize") {
    return { ...unchanged(p, failed, { kind: "unavailable", code }), payment: step(p, ["psp_not_sent"]) };
  }
  if (attempt.operation === "refund" && refund) {
    return {
      ...unchanged(p, failed, { kind: "unavailable", code }),
      payment: releaseReservation(p, refund),
      refund: { status: "failed" },
    };
  }
  return unchanged(p, failed, { kind: "unavailable", code });
}

function authorizeOutcome(p: Payment, outcome: AnyOutcome): Decision {
  switch (outcome.kind) {
    case "authorized": {
      const steps: PaymentEvent[] = outcome.captured
        ? ["psp_authorized", "psp_captured"]
        : ["psp_authorized"];
      const next = {
        ...step(p, steps),
        pspReference: outcome.pspReference,
        amountCapturable: outcome.amountCapturable,
        amountCaptured: outcome.amountCaptured,
      };
      return {
        payment: next,
        refund: null,
        attempt: { status: "succeeded", pspReference: outcome.pspReference },
        events: outcome.captured ? ["authorized", "captured"] : ["authorized"],
        result: { kind: "payment", final: true },
      };
    }
    case "requires_action":
      return {
        ...unchanged(
          p,
          { status: "succeeded", pspReference: outcome.pspReference },
          { kind: "payment", final: true },
        ),
        payment: {
          ...step(p, ["psp_requires_action"]),
          pspReference: outcome.pspReference,
          nextAction: outcome.nextAction ?? null,
        },
      };
    case "declined":
    case "rejected": {
      const failureReason = outcome.kind === "declined" ? outcome.declineCode : "processing_error";
      const next = {
        ...step(p, ["psp_declined"]),
        failureReason,
        pspCode: outcome.pspCode,
        pspReference: outcome.pspReference ?? p.pspReference,
      };
      const end: AttemptEnd = { status: "failed", pspCode: outcome.pspCode, message: outcome.message };
      if (outcome.pspReference) end.pspReference = outcome.pspReference;
      return {
        payment: next,
        refund: null,
        attempt: end,
        events: ["failed"],
        result: { kind: "declined", code: failureReason },
      };
    }
    case "not_found":
      // A replay under the attempt's key found nothing: inconclusive, the janitor asks again.
      return unchanged(p, { status: "unknown", reason: "no record at the PSP yet" }, STILL_PROCESSING);
    default:
      throw new Error(`${outcome.kind} is no authorization outcome`);
  }
}

function captureOutcome(p: Payment, attempt: AttemptView, outcome: AnyOutcome): Decision {
  switch (outcome.kind) {
    case "captured":
      return {
        payment: {
          ...step(p, ["psp_captured"]),
          amountCaptured: outcome.amountCaptured,
          amountCapturable: 0n,
          pspReference: p.pspReference ?? outcome.pspReference,
        },
        refund: null,
        attempt: { status: "succeeded", pspStatus: "captured" },
        events: ["captured"],
        result: { kind: "payment", final: true },
      };
    case "capture_pending":
      return unchanged(p, { status: "accepted", pspReference: outcome.pspReference }, pending(attempt));
    case "declined":
    case "rejected":
      return refusedByPsp(p, outcome, "capture");
    default:
      throw new Error(`${outcome.kind} is no capture outcome`);
  }
}

function cancelOutcome(p: Payment, outcome: AnyOutcome): Decision {
  switch (outcome.kind) {
    case "canceled":
      return {
        payment: { ...step(p, ["psp_canceled"]), amountCapturable: 0n },
        refund: null,
        attempt: { status: "succeeded", pspStatus: "canceled" },
        events: ["canceled"],
        result: { kind: "payment", final: true },
      };
    case "cancel_pending":
      return unchanged(p, { status: "accepted", pspReference: outcome.pspReference }, STILL_PROCESSING);
    case "declined":
    case "rejected":
      return refusedByPsp(p, outcome, "cancellation");
    default:
      throw new Error(`${outcome.kind} is no cancel outcome`);
  }
}

function refundOutcome(p: Payment, refund: Refund | null, outcome: AnyOutcome): Decision {
  if (!refund) throw new Error(`refund outcome for payment ${p.paymentId} without its refund`);
  switch (outcome.kind) {
    case "refund_succeeded":
      return {
        payment: refundSucceeded(p, refund),
        refund: { status: "succeeded" },
        attempt: { status: "succeeded", pspReference: outcome.pspRefundReference },
        events: ["refunded"],
        result: { kind: "refund", final: true },
      };
    case "refund_pending":
      return unchanged(
        p,
        { status: "accepted", pspReference: outcome.pspRefundReference },
        { kind: "refund", final: true },
      );
    case "refund_failed":
    case "declined":
    case "rejected": {
      const end: AttemptEnd = { status: "failed", pspCode: outcome.pspCode, message: outcome.message };
      const reference = "pspRefundReference" in outcome ? outcome.pspRefundReference : undefined;
      if (reference) end.pspReference = reference;
      return {
        payment: releaseReservation(p, refund),
        refund: { status: "failed" },
        attempt: end,
        events: [],
        result: { kind: "refund", final: true },
      };
    }
    default:
      throw new Error(`${outcome.kind} is no refund outcome`);
  }
}

/** The PSP refused a capture or void: nothing moved there, the payment stays as it is. */
function refusedByPsp(
  p: Payment,
  outcome: { pspCode: string; message: string },
  what: "capture" | "cancellation",
): Decision {
  return unchanged(
    p,
    { status: "failed", pspCode: outcome.pspCode, message: outcome.message },
    {
      kind: "refused",
      code: what === "capture" ? "capture_refused" : "cancel_refused",
      message: `The payment processor refused the ${what}: ${outcome.message}`,
    },
  );
}

/** The payment after a pending refund succeeded: the reservation becomes refunded money. */
export function refundSucceeded(p: Payment, refund: Refund): Payment {
  const amountRefunded = p.amountRefunded + refund.amount;
  return {
    ...step(p, [amountRefunded === p.amountCaptured ? "refund_full" : "refund_partial"]),
    amountRefunded,
    amountRefundPending: p.amountRefundPending - refund.amount,
  };
}

export function releaseReservation(p: Payment, refund: Refund): Payment {
  return { ...p, amountRefundPending: p.amountRefundPending - refund.amount };
}

/** Applies transition-table steps; an illegal step is a bug, never silently ignored. */
export function step(p: Payment, steps: readonly PaymentEvent[]): Payment {
  let status = p.status;
  for (const event of steps) {
    const next = transition(status, event);
    if (!next.ok) throw new Error(`illegal transition ${status} --${event}--> for payment ${p.paymentId}`);
    status = next.to;
  }
  // The shopper's next step means something only while the payment waits for it.
  return { ...p, status, nextAction: status === "requires_action" ? p.nextAction : null };
}
