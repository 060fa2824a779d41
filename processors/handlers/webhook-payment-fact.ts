import { commandResult } from "../../core/domain/command-result.ts";
import type { CaptureMethod } from "../../core/domain/payment-status.ts";
import { capturedBy, type PaymentFact, paymentEventsFor, statusAfter } from "../../core/domain/psp-facts.ts";
import type { PaymentEvent } from "../../core/domain/state-machine.ts";
import { authorizedTotal } from "../../core/infra/metrics.ts";
import type { AuthorizeOutcome } from "../../core/ports/payment-connector.ts";
import {
  type AttemptOperation,
  findOpenAttempts,
  finishAttempt,
} from "../../db/repositories/attempts-repo.ts";
import { replacePendingResult } from "../../db/repositories/commands-repo.ts";
import { insertOutboxEvents, type OutboxEvent } from "../../db/repositories/outbox-repo.ts";
import { updatePayment } from "../../db/repositories/payments-repo.ts";
import type { PspEventOutcome } from "../../db/repositories/psp-events-repo.ts";
import { settleAttempt } from "../attempts/settle-attempt.ts";
import { scheduleCompensation } from "./schedule-compensation.ts";
import { type FactInput, webhookDiagnostics, webhookSettled } from "./webhook-fact-input.ts";

/**
 * Authorization, capture and cancellation facts. A fact the state machine does not allow from the
 * payment's status is stale (an earlier stage delivered late, or a duplicate) and changes nothing.
 */
export async function applyPaymentFact(input: FactInput, fact: PaymentFact): Promise<PspEventOutcome> {
  const steps = paymentEventsFor(input.payment.status, fact, input.payment.captureMethod);
  if (!steps && fact.kind === "authorized") return scheduleCompensation(input, fact);
  if (!steps) return "stale";
  return input.payment.status === "processing" ? settleAuthorization(input, fact) : move(input, fact, steps);
}

/**
 * A payment left `processing`: its authorize attempt's outcome was unknown. The fact settles it exactly
 * as the janitor's sync would (the attempt row lock lets only the first of the two write), and the
 * pending result becomes the final one.
 */
async function settleAuthorization(input: FactInput, fact: PaymentFact): Promise<PspEventOutcome> {
  const { ctx, client, payment, refs, event } = input;
  const open = (await findOpenAttempts(client, payment.paymentId)).filter((a) => a.operation === "authorize");
  const attempt = refs.attemptId ? open.find((a) => a.attemptId === refs.attemptId) : open.at(-1);
  if (!attempt) return "stale";
  const outcome = {
    ...authorizeOutcomeOf(fact, refs.pspReference, payment.captureMethod),
    diagnostics: webhookDiagnostics(event),
  } as AuthorizeOutcome;
  const settled = await settleAttempt(ctx, client, {
    paymentId: payment.paymentId,
    attemptId: attempt.attemptId,
    outcome,
    traceparent: input.traceparent,
    firstRequest: false,
  });
  await replacePendingResult(client, attempt.commandId, settled.reply);
  return "applied";
}

type BareAuthorizeOutcome = AuthorizeOutcome extends infer T
  ? T extends unknown
    ? Omit<T, "diagnostics">
    : never
  : never;

export function authorizeOutcomeOf(
  fact: PaymentFact,
  pspReference: string,
  captureMethod: CaptureMethod,
): BareAuthorizeOutcome {
  switch (fact.kind) {
    case "authorized": {
      const captured = capturedBy(fact, captureMethod);
      return {
        kind: "authorized",
        pspReference,
        captured,
        amountCapturable: captured ? 0n : fact.amountMinor,
        amountCaptured: captured ? fact.amountMinor : 0n,
      };
    }
    case "requires_action":
      return { kind: "requires_action", pspReference };
    case "authorization_failed":
      return {
        kind: "declined",
        declineCode: fact.declineCode,
        pspCode: fact.pspCode,
        message: fact.message,
        pspReference,
      };
    default:
      throw new Error(`${fact.kind} is no authorization outcome`);
  }
}

const OPERATION_OF: Partial<Record<PaymentEvent, AttemptOperation>> = {
  psp_captured: "capture",
  psp_canceled: "cancel",
};

/** requires_action → authentication result; requires_capture → capture or void reported by the PSP. */
async function move(input: FactInput, fact: PaymentFact, steps: PaymentEvent[]): Promise<PspEventOutcome> {
  const { ctx, client, payment, refs, event, traceparent } = input;
  const next = {
    ...payment,
    nextAction: null,
    status: statusAfter(payment.status, steps),
    pspReference: payment.pspReference ?? refs.pspReference,
  };
  if (fact.kind === "authorized" || fact.kind === "captured") {
    if (steps.includes("psp_captured")) {
      next.amountCaptured = fact.amountMinor;
      next.amountCapturable = 0n;
    } else next.amountCapturable = fact.amountMinor;
  } else if (fact.kind === "authorization_failed") {
    next.failureReason = fact.declineCode;
    next.pspCode = fact.pspCode;
  } else if (fact.kind === "canceled") next.amountCapturable = 0n;
  const saved = await updatePayment(client, next);

  const events: OutboxEvent[] = [];
  if (steps.includes("action_completed")) {
    events.push(ctx.events.authorized(saved, traceparent));
    authorizedTotal.inc({ psp: saved.psp, capture_method: saved.captureMethod });
  }
  if (steps.includes("psp_captured")) events.push(ctx.events.captured(saved, traceparent));
  if (steps.includes("action_failed")) events.push(ctx.events.failed(saved, traceparent));
  if (steps.includes("psp_canceled")) events.push(ctx.events.canceled(saved, null, traceparent));
  await insertOutboxEvents(client, events);

  // A capture or void whose answer never came (unknown, or its handler died) is answered by the fact.
  const operations = new Set(steps.map((s) => OPERATION_OF[s]).filter((o) => o !== undefined));
  for (const attempt of await findOpenAttempts(client, payment.paymentId)) {
    if (!operations.has(attempt.operation)) continue;
    await finishAttempt(client, attempt.attemptId, webhookSettled(event, "succeeded"));
    await replacePendingResult(client, attempt.commandId, commandResult.payment("settled", saved));
  }
  return "applied";
}
