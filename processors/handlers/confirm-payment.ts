import { randomUUID } from "node:crypto";
import type { PaymentCommand } from "../../core/domain/commands.ts";
import { errors } from "../../core/domain/errors.ts";
import { applyFraudPolicy } from "../../core/domain/fraud-policy.ts";
import type { Payment } from "../../core/domain/payment.ts";
import { transition } from "../../core/domain/state-machine.ts";
import { transaction } from "../../db/pool.ts";
import { findAttemptForCommand, insertAttempt } from "../../db/repositories/attempts-repo.ts";
import { insertOutboxEvents } from "../../db/repositories/outbox-repo.ts";
import { findPayment, lockPayment, updatePayment } from "../../db/repositories/payments-repo.ts";
import { completeCommand } from "../command-transaction.ts";
import { type ProcessorContext, reply } from "../context.ts";
import { applyAuthorizeOutcome } from "./apply-authorize-outcome.ts";
import { cardSummary } from "./card-summary.ts";
import { callPsp } from "./psp-call.ts";

type ConfirmCommand = Extract<PaymentCommand, { type: "confirm" }>;
type Traced = { traceparent: string | null };

/**
 * Phases, none holding a transaction across a network call:
 * fraud score → (tx) processing + pending attempt → PSP authorize → (tx) outcome + outbox + reply.
 * A redelivered command finds its own pending attempt and resumes it with the same PSP idempotency key.
 */
export async function confirmPayment(ctx: ProcessorContext, cmd: ConfirmCommand & Traced): Promise<void> {
  const resumed = await findAttemptForCommand(ctx.pool, cmd.commandId, "authorize");
  if (resumed) {
    const payment = await findPayment(ctx.pool, cmd.paymentId);
    if (!payment) throw new Error(`attempt ${resumed.attemptId} without payment`);
    return authorize(ctx, cmd, payment, resumed.attemptId);
  }

  const current = await findPayment(ctx.pool, cmd.paymentId);
  const refusal = current ? confirmRefusal(current, cmd) : errors.notFound("payment");
  if (refusal || !current) {
    await completeCommand(ctx, cmd, async () => reply.error(refusal ?? errors.notFound("payment")));
    return;
  }
  const token = cmd.body.payment_method?.token ?? current.paymentMethodToken ?? "";

  const assessment = await ctx.fraud.evaluate({
    paymentId: current.paymentId,
    orderId: current.orderId,
    amount: { minor: current.amount, currency: current.currency },
    paymentMethodToken: token,
    psp: current.psp,
    ...(current.customerId ? { customerId: current.customerId } : {}),
  });
  const verdict = applyFraudPolicy(assessment, current.amount, ctx.fraudPolicy);
  if (verdict.action === "refuse") {
    await completeCommand(ctx, cmd, async () =>
      reply.error(
        errors.unavailable("Fraud scoring is unavailable; the payment was not confirmed, retry later"),
      ),
    );
    return;
  }

  const attemptId = randomUUID();
  const started = await transaction(ctx.pool, async (client) => {
    const locked = await lockPayment(client, cmd.paymentId);
    if (!locked || confirmRefusal(locked, cmd)) return null;
    const next: Payment = {
      ...locked,
      ...(cmd.body.payment_method ? cardSummary(cmd.body.payment_method) : {}),
    };
    next.riskScore = verdict.riskScore;
    next.riskDecision = verdict.decision;
    next.needsReview = verdict.action === "proceed" && verdict.needsReview;
    if (verdict.action === "block") {
      next.status = "failed";
      next.failureReason = "fraud_blocked";
      const saved = await updatePayment(client, next);
      return { kind: "blocked" as const, payment: saved };
    }
    next.status = "processing";
    const saved = await updatePayment(client, next);
    await insertAttempt(client, {
      attemptId,
      paymentId: saved.paymentId,
      commandId: cmd.commandId,
      operation: "authorize",
      psp: saved.psp,
      amount: saved.amount,
      currency: saved.currency,
    });
    return { kind: "processing" as const, payment: saved };
  });

  if (!started) return confirmPayment(ctx, cmd);
  if (started.kind === "blocked") {
    await completeCommand(ctx, cmd, async (client) => {
      await insertOutboxEvents(client, [ctx.events.failed(started.payment, cmd.traceparent)]);
      return reply.error(errors.declined("fraud_blocked", "The payment was blocked by fraud screening"));
    });
    return;
  }
  return authorize(ctx, cmd, started.payment, attemptId);
}

function confirmRefusal(p: Payment, cmd: ConfirmCommand) {
  if (!transition(p.status, "confirm").ok) {
    return errors.invalidState(`Payment in status ${p.status} cannot be confirmed`);
  }
  if (!cmd.body.payment_method && !p.paymentMethodToken) {
    return errors.validation(
      "payment_method_required",
      "A payment method is required to confirm",
      "payment_method",
    );
  }
  return null;
}

async function authorize(ctx: ProcessorContext, cmd: ConfirmCommand & Traced, p: Payment, attemptId: string) {
  const connector = ctx.connectors[p.psp];
  const outcome = await callPsp(p.psp, "authorize", () =>
    connector.authorize({
      paymentId: p.paymentId,
      orderId: p.orderId,
      attemptId,
      amount: { minor: p.amount, currency: p.currency },
      paymentMethodToken: p.paymentMethodToken ?? "",
      captureMethod: p.captureMethod,
      ...(p.customerId ? { customerId: p.customerId } : {}),
      ...(p.description ? { description: p.description } : {}),
    }),
  );
  await completeCommand(ctx, cmd, (client) =>
    applyAuthorizeOutcome(ctx, client, {
      paymentId: p.paymentId,
      attemptId,
      outcome,
      traceparent: cmd.traceparent,
    }),
  );
}
