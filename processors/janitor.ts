import type { AnyOutcome } from "../core/domain/attempt-outcome.ts";
import type { Logger } from "../core/infra/logger.ts";
import { janitorChecks, reviewsOpened } from "../core/infra/metrics.ts";
import type { CallDiagnostics } from "../core/ports/payment-connector.ts";
import { transaction } from "../db/pool.ts";
import { type Attempt, claimDueAttempts, rescheduleCheck } from "../db/repositories/attempts-repo.ts";
import { replacePendingResult } from "../db/repositories/commands-repo.ts";
import { claimDueCompensations } from "../db/repositories/compensations-repo.ts";
import { findPayment } from "../db/repositories/payments-repo.ts";
import { findOpenReview, openReview } from "../db/repositories/reviews-repo.ts";
import { compensate } from "./attempts/compensate.ts";
import { giveUpParked } from "./attempts/give-up.ts";
import { resendAttempt } from "./attempts/resend-attempt.ts";
import { settleAttempt } from "./attempts/settle-attempt.ts";
import type { ProcessorContext } from "./context.ts";
import { runPeriodically } from "./periodic.ts";

export interface JanitorOptions {
  ctx: ProcessorContext;
  logger: Logger;
  intervalMs: number;
  /** Attempts (and, separately, compensations) claimed per round. */
  batch: number;
  /** Attempts checked at once. */
  parallel: number;
  /** Longer than a PSP call with its retries: a janitor that dies mid-check leaves the attempt due again after it. */
  checkLeaseMs: number;
}

/**
 * Kill Bill's Janitor, for every operation: attempts that are open (pending with a dead handler,
 * unknown, parked, accepted) are taken oldest-due first, whatever their operation, and asked again at
 * the PSP under their own idempotency key (ADR 0008). An answer settles them exactly as the live
 * handler would; no answer reschedules them with backoff, and past the review threshold a person is
 * asked. Several janitors share the work: a claimed attempt is invisible to the others for a lease.
 */
export function startJanitor(o: JanitorOptions): { stop(): Promise<void>; runOnce(): Promise<number> } {
  const runOnce = async () => {
    for (const c of await claimDueCompensations(o.ctx.pool, o.batch, o.checkLeaseMs)) {
      await compensate(o.ctx, c).catch((err) =>
        o.logger.error(
          { err, compensation_id: c.compensationId, payment_id: c.paymentId },
          "compensation failed",
        ),
      );
    }
    const due = await claimDueAttempts(o.ctx.pool, o.batch, o.checkLeaseMs);
    let settled = 0;
    const queue = [...due];
    await Promise.all(
      Array.from({ length: Math.min(o.parallel, queue.length) }, async () => {
        for (let a = queue.shift(); a; a = queue.shift()) {
          try {
            if (await check(o, a)) settled += 1;
          } catch (err) {
            o.logger.error({ err, attempt_id: a.attemptId, payment_id: a.paymentId }, "janitor check failed");
            // The database or the PSP call failed mid-check: look again soon, not after the whole lease.
            await rescheduleCheck(o.ctx.pool, a.attemptId, o.ctx.lifecycle.unknownCheckMs).catch(
              () => undefined,
            );
          }
        }
      }),
    );
    return settled;
  };
  const periodic = runPeriodically(o.intervalMs, runOnce, (err) =>
    o.logger.error({ err }, "janitor run failed"),
  );
  return { stop: () => periodic.stop(), runOnce };
}

/** One check of one attempt; true when it ended. */
async function check(o: JanitorOptions, attempt: Attempt): Promise<boolean> {
  const { ctx } = o;
  const payment = await findPayment(ctx.pool, attempt.paymentId);
  if (!payment) return false;
  const log = o.logger.child({
    payment_id: payment.paymentId,
    attempt_id: attempt.attemptId,
    psp: payment.psp,
    operation: attempt.operation,
  });
  if (attempt.status === "parked" && attempt.giveUpAt && attempt.giveUpAt.getTime() <= Date.now()) {
    await giveUpParked(ctx, attempt);
    janitorChecks.inc({ operation: attempt.operation, result: "gave_up" });
    log.warn("parked attempt passed its deadline; payment failed with psp_unavailable");
    return true;
  }
  const outcome: (AnyOutcome & { diagnostics: CallDiagnostics }) | null = await resendAttempt(
    ctx,
    attempt,
    payment,
  );
  if (!outcome) return true;
  const result = await transaction(ctx.pool, async (client) => {
    const settled = await settleAttempt(ctx, client, {
      paymentId: payment.paymentId,
      attemptId: attempt.attemptId,
      outcome,
      traceparent: null,
      firstRequest: false,
      janitorCheck: true,
    });
    await replacePendingResult(client, attempt.commandId, settled.reply);
    // A parked request has its own deadline (it never reached the PSP); only the others need a person.
    const waiting = settled.open && attempt.status !== "parked";
    if (waiting && needsPerson(ctx, attempt) && !(await findOpenReview(client, payment.paymentId))) {
      const reason = `${attempt.operation}_unresolved`;
      await openReview(client, {
        paymentId: payment.paymentId,
        attemptId: attempt.attemptId,
        reason,
        detail: `${attempt.syncCount + 1} checks since ${attempt.startedAt.toISOString()}; last: ${outcome.kind}`,
      });
      reviewsOpened.inc({ reason });
      log.warn({ reason }, "attempt still unresolved; manual review opened");
    }
    return settled;
  });
  janitorChecks.inc({ operation: attempt.operation, result: result.open ? "still_open" : "settled" });
  if (!result.open) log.info({ outcome: outcome.kind }, "janitor settled attempt");
  return !result.open;
}

function needsPerson(ctx: ProcessorContext, attempt: Attempt): boolean {
  const { reviewAfterChecks, reviewAfterMs } = ctx.lifecycle;
  return (
    attempt.syncCount + 1 >= reviewAfterChecks || Date.now() - attempt.startedAt.getTime() >= reviewAfterMs
  );
}
