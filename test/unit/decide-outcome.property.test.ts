import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type AnyOutcome,
  type AttemptOperation,
  type AttemptView,
  decideOutcome,
  type EventKind,
} from "../../core/domain/attempt-outcome.ts";
import type { Payment, Refund } from "../../core/domain/payment.ts";
import { canApply } from "../../core/domain/state-machine.ts";
import { newDomainPayment } from "../helpers/factories.ts";
import { FORWARD_RANK as RANK } from "../helpers/status-order.ts";

// Drives random command/outcome sequences through the decision core and checks the ledger invariants
// after every step. The driver only opens operations the state machine allows; what each PSP answer
// does to the payment is entirely decideOutcome's.

const AMOUNT = 10_000n;

const newPayment = (captureMethod: "automatic" | "manual") =>
  newDomainPayment({ amount: AMOUNT, captureMethod, paymentId: "00000000-0000-4000-8000-000000000001" });

type OutcomeKind =
  | "success"
  | "pending"
  | "requires_action"
  | "declined"
  | "rejected"
  | "indeterminate"
  | "unavailable"
  | "configuration_error"
  | "not_found";

function outcomeFor(op: AttemptOperation, kind: OutcomeKind, p: Payment, amount: bigint): AnyOutcome | null {
  const fail = { pspCode: "x", message: "x" };
  switch (kind) {
    case "declined":
      return { kind, declineCode: "card_declined", ...fail };
    case "rejected":
      return { kind, ...fail };
    case "indeterminate":
      return { kind, reason: "timeout" };
    case "unavailable":
      return { kind, reason: "breaker open" };
    case "configuration_error":
      return { kind, ...fail };
    case "not_found":
      return op === "authorize" ? { kind } : null;
    case "requires_action":
      return op === "authorize" ? { kind, pspReference: "pi_1" } : null;
    case "pending":
      if (op === "capture") return { kind: "capture_pending", pspReference: "pi_1" };
      if (op === "cancel") return { kind: "cancel_pending", pspReference: "pi_1" };
      if (op === "refund") return { kind: "refund_pending", pspRefundReference: "re_1" };
      return null;
    case "success": {
      if (op === "authorize") {
        const captured = p.captureMethod === "automatic";
        return {
          kind: "authorized",
          pspReference: "pi_1",
          captured,
          amountCapturable: captured ? 0n : AMOUNT,
          amountCaptured: captured ? AMOUNT : 0n,
        };
      }
      if (op === "capture") return { kind: "captured", amountCaptured: amount, pspReference: "pi_1" };
      if (op === "cancel") return { kind: "canceled", pspReference: "pi_1" };
      return { kind: "refund_succeeded", pspRefundReference: "re_1" };
    }
  }
}

const step = fc.record({
  command: fc.constantFrom("confirm", "capture", "cancel", "refund"),
  amountPct: fc.integer({ min: 1, max: 100 }),
  outcomes: fc.array(
    fc.constantFrom<OutcomeKind>(
      "success",
      "pending",
      "requires_action",
      "declined",
      "rejected",
      "indeterminate",
      "unavailable",
      "configuration_error",
      "not_found",
    ),
    { minLength: 1, maxLength: 3 },
  ),
  firstRequest: fc.boolean(),
});

function eventsExpectedFor(before: Payment, after: Payment): EventKind[] {
  const expected: EventKind[] = [];
  if (before.status !== after.status) {
    if (
      after.status === "requires_capture" ||
      (before.status === "processing" && after.status === "succeeded")
    )
      expected.push("authorized");
    if (after.status === "succeeded") expected.push("captured");
    if (after.status === "failed") expected.push("failed");
    if (after.status === "canceled") expected.push("canceled");
  }
  if (after.amountRefunded > before.amountRefunded) expected.push("refunded");
  return expected;
}

describe("decideOutcome under random command and PSP-answer sequences", () => {
  it("keeps captured ≤ authorized, refunded ≤ captured, never moves back, one event per change", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("automatic", "manual"),
        fc.array(step, { maxLength: 12 }),
        (method, steps) => {
          let p = newPayment(method as "automatic" | "manual");
          for (const s of steps) {
            const op: AttemptOperation =
              s.command === "confirm" ? "authorize" : (s.command as AttemptOperation);
            if (!canApply(p.status, s.command as "confirm" | "capture" | "cancel" | "refund")) continue;
            // Before confirmation a cancel is local: no PSP call, no attempt.
            if (op === "cancel" && RANK[p.status] === 0) continue;
            let refund: Refund | null = null;
            let amount = 0n;
            if (op === "authorize") p = { ...p, status: "processing" };
            if (op === "capture") {
              amount = (p.amountCapturable * BigInt(s.amountPct)) / 100n;
              if (amount <= 0n) continue;
            }
            if (op === "refund") {
              const refundable = p.amountCaptured - p.amountRefunded - p.amountRefundPending;
              amount = (refundable * BigInt(s.amountPct)) / 100n;
              if (amount <= 0n) continue;
              refund = {
                refundId: "r",
                paymentId: p.paymentId,
                amount,
                currency: p.currency,
                reason: null,
                status: "pending",
                createdAt: new Date(0),
                processedAt: null,
              };
              p = { ...p, amountRefundPending: p.amountRefundPending + amount };
            }
            let view: AttemptView = {
              operation: op,
              status: "pending",
              amount,
              mayHaveReachedPsp: !s.firstRequest,
            };
            for (const kind of s.outcomes) {
              const outcome = outcomeFor(op, kind, p, amount);
              if (!outcome) continue;
              const before = p;
              const d = decideOutcome(p, view, refund, outcome);
              p = d.payment;

              expect(p.amountCaptured).toBeLessThanOrEqual(p.amount);
              expect(p.amountRefunded + p.amountRefundPending).toBeLessThanOrEqual(p.amountCaptured);
              for (const v of [p.amountCapturable, p.amountCaptured, p.amountRefunded, p.amountRefundPending])
                expect(v).toBeGreaterThanOrEqual(0n);
              const notSentBack =
                !view.mayHaveReachedPsp &&
                before.status === "processing" &&
                p.status === "requires_confirmation";
              if (!notSentBack) expect(RANK[p.status]).toBeGreaterThanOrEqual(RANK[before.status]);
              if (
                view.mayHaveReachedPsp &&
                ["unavailable", "configuration_error", "indeterminate"].includes(outcome.kind)
              )
                expect(["unknown"]).toContain(d.attempt.status);
              expect([...d.events].sort()).toEqual(eventsExpectedFor(before, p).sort());

              if (refund && d.refund) refund = { ...refund, status: d.refund.status };
              if (d.attempt.status === "succeeded" || d.attempt.status === "failed") break;
              view = { ...view, status: d.attempt.status, mayHaveReachedPsp: d.attempt.status !== "parked" };
            }
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
