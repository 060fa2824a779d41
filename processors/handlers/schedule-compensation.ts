import { randomUUID } from "node:crypto";
import { compensationFor } from "../../core/domain/compensation.ts";
import { capturedBy, type PspFact } from "../../core/domain/psp-facts.ts";
import { compensationsScheduled } from "../../core/infra/metrics.ts";
import { insertCompensation } from "../../db/repositories/compensations-repo.ts";
import type { PspEventOutcome } from "../../db/repositories/psp-events-repo.ts";
import type { FactInput } from "./webhook-fact-input.ts";

/**
 * A success the PSP reports for a payment the ledger already failed or canceled: the money it holds is
 * given back (void, or refund when captured) by the janitor, recorded in payment_compensations and
 * announced on payment.compensated.v1. A success that is merely late (an earlier stage) is stale.
 */
export async function scheduleCompensation(
  input: FactInput,
  fact: Extract<PspFact, { kind: "authorized" }>,
): Promise<PspEventOutcome> {
  const { payment, refs, ctx } = input;
  const plan = compensationFor(payment, {
    pspReference: refs.pspReference,
    captured: capturedBy(fact, payment.captureMethod),
    amountMinor: fact.amountMinor,
  });
  if (!plan) return "stale";
  const recorded = await insertCompensation(input.client, {
    compensationId: randomUUID(),
    paymentId: payment.paymentId,
    psp: payment.psp,
    pspReference: refs.pspReference,
    action: plan.action,
    amountMinor: plan.amountMinor,
    currency: payment.currency,
    reason: plan.reason,
  });
  if (!recorded) return "stale";
  compensationsScheduled.inc({ psp: payment.psp, action: plan.action });
  ctx.logger.warn(
    {
      payment_id: payment.paymentId,
      psp: payment.psp,
      psp_reference: refs.pspReference,
      action: plan.action,
    },
    "the PSP reports a success for a payment the ledger already ended; compensating",
  );
  return "applied";
}
