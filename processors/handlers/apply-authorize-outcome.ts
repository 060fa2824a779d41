import type { CommandReply } from "../../core/domain/commands.ts";
import { errors } from "../../core/domain/errors.ts";
import type { Payment } from "../../core/domain/payment.ts";
import { type PaymentEvent, transition } from "../../core/domain/state-machine.ts";
import { authorizedTotal, recordAuthorizationOutcome } from "../../core/infra/metrics.ts";
import type { AuthorizeOutcome, SyncOutcome } from "../../core/ports/payment-connector.ts";
import type { PoolClient } from "../../db/pool.ts";
import { finishAttempt, lockAttempt } from "../../db/repositories/attempts-repo.ts";
import { insertOutboxEvents, type OutboxEvent } from "../../db/repositories/outbox-repo.ts";
import { lockPayment, updatePayment } from "../../db/repositories/payments-repo.ts";
import { type ProcessorContext, reply } from "../context.ts";
import { declineMessage, replyForPayment } from "./payment-reply.ts";

interface Input {
  paymentId: string;
  attemptId: string;
  outcome: AuthorizeOutcome | SyncOutcome;
  traceparent: string | null;
}

/**
 * Applies an authorization outcome (from the confirm handler or the janitor's sync) inside the caller's
 * transaction. An attempt already closed means someone else applied it: the current state is replied.
 */
export async function applyAuthorizeOutcome(
  ctx: ProcessorContext,
  client: PoolClient,
  input: Input,
): Promise<CommandReply> {
  const { outcome, traceparent } = input;
  const payment = await lockPayment(client, input.paymentId);
  const attempt = await lockAttempt(client, input.attemptId);
  if (!payment || !attempt)
    throw new Error(`authorize outcome for unknown payment/attempt ${input.attemptId}`);
  if (attempt.status === "succeeded" || attempt.status === "failed" || payment.status !== "processing") {
    return replyForPayment(payment);
  }
  const d = outcome.diagnostics;
  const base = { requests: d.requests, pspStatus: d.rawStatus ?? null, httpStatus: d.httpStatus ?? null };
  recordAuthorizationOutcome(payment.psp, outcome.kind);

  switch (outcome.kind) {
    case "authorized": {
      const next = move(payment, outcome.captured ? ["psp_authorized", "psp_captured"] : ["psp_authorized"]);
      next.pspReference = outcome.pspReference;
      next.amountCapturable = outcome.amountCapturable;
      next.amountCaptured = outcome.amountCaptured;
      await finishAttempt(client, input.attemptId, {
        ...base,
        status: "succeeded",
        pspReference: outcome.pspReference,
      });
      const saved = await updatePayment(client, next);
      const events: OutboxEvent[] = [ctx.events.authorized(saved, traceparent)];
      if (outcome.captured) events.push(ctx.events.captured(saved, traceparent));
      await insertOutboxEvents(client, events);
      authorizedTotal.inc({ psp: saved.psp, capture_method: saved.captureMethod });
      return reply.payment(200, saved);
    }
    case "requires_action": {
      const next = move(payment, ["psp_requires_action"]);
      next.pspReference = outcome.pspReference;
      await finishAttempt(client, input.attemptId, {
        ...base,
        status: "succeeded",
        pspReference: outcome.pspReference,
      });
      return reply.payment(200, await updatePayment(client, next));
    }
    case "declined":
    case "rejected": {
      const next = move(payment, ["psp_declined"]);
      next.failureReason = outcome.kind === "declined" ? outcome.declineCode : "processing_error";
      next.pspCode = outcome.pspCode;
      next.pspReference = outcome.pspReference ?? null;
      await finishAttempt(client, input.attemptId, {
        ...base,
        status: "failed",
        pspReference: outcome.pspReference ?? null,
        pspCode: outcome.pspCode,
        pspMessage: outcome.message,
      });
      const saved = await updatePayment(client, next);
      await insertOutboxEvents(client, [ctx.events.failed(saved, traceparent)]);
      return reply.error(errors.declined(next.failureReason, declineMessage(next.failureReason)));
    }
    case "indeterminate": {
      await finishAttempt(client, input.attemptId, {
        ...base,
        status: "unknown",
        pspReference: outcome.pspReference ?? null,
        pspMessage: outcome.reason,
      });
      return reply.payment(202, payment);
    }
    case "unavailable":
    case "not_found": {
      // The request provably never reached the PSP: undo the confirmation so the caller can retry.
      const reason = outcome.kind === "unavailable" ? outcome.reason : "no record at the PSP";
      await finishAttempt(client, input.attemptId, { ...base, status: "failed", pspMessage: reason });
      await updatePayment(client, move(payment, ["psp_not_sent"]));
      return reply.error(
        errors.unavailable(`The ${payment.psp} payment processor is unavailable; retry later`),
      );
    }
  }
}

function move(p: Payment, steps: PaymentEvent[]): Payment {
  let status = p.status;
  for (const step of steps) {
    const result = transition(status, step);
    if (!result.ok) throw new Error(`illegal transition ${status} --${step}--> for payment ${p.paymentId}`);
    status = result.to;
  }
  return { ...p, status };
}
