import { randomUUID } from "node:crypto";
import { step } from "../../core/domain/attempt-outcome.ts";
import { commandResult } from "../../core/domain/command-result.ts";
import type { PaymentCommand } from "../../core/domain/commands.ts";
import { errors } from "../../core/domain/errors.ts";
import type { FraudVerdict } from "../../core/domain/fraud-policy.ts";
import type { Payment } from "../../core/domain/payment.ts";
import type { PspName } from "../../core/domain/payment-status.ts";
import { transition } from "../../core/domain/state-machine.ts";
import {
  findAttemptForCommand,
  insertAttempt,
  insertAttemptStatement,
  keepAttemptOpen,
} from "../../db/repositories/attempts-repo.ts";
import { saveCommandResult } from "../../db/repositories/commands-repo.ts";
import {
  findPayment,
  lockPayment,
  updatePayment,
  updatePaymentIfUnchanged,
} from "../../db/repositories/payments-repo.ts";
import { completeCommand } from "../command-transaction.ts";
import type { ProcessorContext } from "../context.ts";
import { cardSummary } from "./card-summary.ts";
import { failBlocked, screen, withVerdict } from "./fraud-screen.ts";
import { ownedPayment } from "./owned-payment.ts";
import { callPsp } from "./psp-call.ts";
import { rerouteUnsent } from "./reroute.ts";
import { fromAttempt, type Started, settleCommand } from "./start-psp-operation.ts";

type ConfirmCommand = Extract<PaymentCommand, { type: "confirm" }>;
type Traced = { traceparent: string | null; mayHaveAttempt?: boolean; paymentAsRead?: Payment | null };

/** Payments with nobody to retry them (autopay): what cannot proceed now is parked, never refused. */
export const hasNoCaller = (p: Payment) => p.metadata?.source === "order.created.v1";

/**
 * Phases, none holding a transaction across a network call:
 * fraud score → (tx) processing + pending attempt → PSP authorize → (tx) outcome + outbox + reply.
 * A redelivered command finds its own attempt and resumes it with the same PSP idempotency key.
 */
export async function confirmPayment(ctx: ProcessorContext, cmd: ConfirmCommand & Traced): Promise<void> {
  const resumed =
    cmd.mayHaveAttempt === false ? null : await findAttemptForCommand(ctx.pool, cmd.commandId, "authorize");
  const read = () =>
    cmd.paymentAsRead !== undefined
      ? Promise.resolve(cmd.paymentAsRead)
      : findPayment(ctx.pool, cmd.paymentId);
  if (resumed) {
    const payment = await read();
    if (!payment) throw new Error(`attempt ${resumed.attemptId} without payment`);
    return authorize(ctx, cmd, fromAttempt(payment, resumed));
  }

  const current = ownedPayment(await read(), cmd);
  const refusal = current ? confirmRefusal(current, cmd) : errors.notFound("payment");
  if (refusal || !current) {
    await completeCommand(ctx, cmd, async () =>
      commandResult.rejected(refusal ?? errors.notFound("payment")),
    );
    return;
  }
  const token = cmd.body.payment_method?.token ?? current.paymentMethodToken ?? "";
  const verdict = await screen(ctx, current, token);
  if (verdict.action === "refuse" && !hasNoCaller(current)) {
    await completeCommand(ctx, cmd, async () =>
      commandResult.rejected(
        errors.unavailable("Fraud scoring is unavailable; the payment was not confirmed, retry later"),
      ),
    );
    return;
  }
  if (verdict.action === "block") return block(ctx, cmd, verdict);

  const attemptId = randomUUID();
  const attempt = (payment: Payment) => ({
    attemptId,
    paymentId: payment.paymentId,
    commandId: cmd.commandId,
    operation: "authorize" as const,
    psp: payment.psp,
    amount: payment.amount,
    currency: payment.currency,
    firstCheckMs: ctx.lifecycle.pendingCheckMs,
  });
  if (verdict.action === "proceed") {
    // The payment as read before scoring, if nobody moved it since: one statement, no lock.
    const opened = confirmed(current, cmd, verdict);
    const saved = await ctx.commits.statement(cmd.paymentId, (db) =>
      updatePaymentIfUnchanged(db, opened, [insertAttemptStatement(attempt(opened))]),
    );
    if (saved)
      return authorize(ctx, cmd, {
        payment: saved,
        attemptId,
        amount: saved.amount,
        refundId: null,
        firstRequest: true,
      });
  }
  const started = await ctx.commits.transaction(cmd.paymentId, async (client) => {
    const locked = ownedPayment(await lockPayment(client, cmd.paymentId), cmd);
    if (!locked || confirmRefusal(locked, cmd)) return null;
    const saved = await updatePayment(client, confirmed(locked, cmd, verdict));
    await insertAttempt(client, attempt(saved));
    if (verdict.action === "refuse") {
      // Autopay with fraud scoring down: parked unscored; the janitor scores and sends it later.
      await keepAttemptOpen(client, attemptId, {
        status: "parked",
        requests: 0,
        pspMessage: `fraud scoring unavailable: ${verdict.reason}`,
        nextCheckMs: ctx.lifecycle.parkRetryMs,
        giveUpAfterMs: ctx.lifecycle.parkDeadlineMs,
      });
      await saveCommandResult(client, cmd, commandResult.payment("pending", saved));
      return "parked" as const;
    }
    return { payment: saved, attemptId, amount: saved.amount, refundId: null, firstRequest: true };
  });
  if (started === "parked") return;
  if (!started) return confirmPayment(ctx, cmd);
  return authorize(ctx, cmd, started);
}

/** The payment moved to processing by this confirm: its payment method, and the fraud score if it has one. */
function confirmed(p: Payment, cmd: ConfirmCommand, verdict: FraudVerdict): Payment {
  const withMethod = { ...p, ...(cmd.body.payment_method ? cardSummary(cmd.body.payment_method) : {}) };
  return step(verdict.action === "proceed" ? withVerdict(withMethod, verdict) : withMethod, ["confirm"]);
}

/** Blocked by fraud scoring: the failure, its event and the decline result commit together. */
async function block(
  ctx: ProcessorContext,
  cmd: ConfirmCommand & Traced,
  verdict: Extract<FraudVerdict, { action: "block" }>,
) {
  await completeCommand(ctx, cmd, async (client) => {
    const locked = ownedPayment(await lockPayment(client, cmd.paymentId), cmd);
    const refusal = locked ? confirmRefusal(locked, cmd) : errors.notFound("payment");
    if (refusal || !locked) return commandResult.rejected(refusal ?? errors.notFound("payment"));
    const withMethod = {
      ...locked,
      ...(cmd.body.payment_method ? cardSummary(cmd.body.payment_method) : {}),
    };
    await failBlocked(ctx, client, withMethod, verdict, cmd.traceparent);
    return commandResult.rejected(
      errors.declined("fraud_blocked", "The payment was blocked by fraud screening"),
    );
  });
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

/** Sends the authorization; one whose first request could not leave goes to the next PSP, if routed. */
async function authorize(ctx: ProcessorContext, cmd: ConfirmCommand & Traced, started: Started) {
  const tried: PspName[] = [];
  let current = started;
  for (;;) {
    const { payment, attemptId } = current;
    const outcome = await callPsp(payment.psp, "authorize", () => authorizeRequest(ctx, payment, attemptId));
    if (outcome.kind === "unavailable" && current.firstRequest) {
      tried.push(payment.psp);
      const rerouted = await rerouteUnsent(ctx, cmd, current, outcome, tried);
      if (rerouted) {
        current = rerouted;
        continue;
      }
    }
    return settleCommand(ctx, cmd, current, outcome);
  }
}

/** The authorization request of an attempt; re-sent unchanged (same idempotency key) on every retry. */
export function authorizeRequest(ctx: ProcessorContext, p: Payment, attemptId: string) {
  return ctx.connectors[p.psp].authorize({
    paymentId: p.paymentId,
    orderId: p.orderId,
    attemptId,
    amount: { minor: p.amount, currency: p.currency },
    paymentMethodToken: p.paymentMethodToken ?? "",
    captureMethod: p.captureMethod,
    ...(p.customerId ? { customerId: p.customerId } : {}),
    ...(p.description ? { description: p.description } : {}),
  });
}
