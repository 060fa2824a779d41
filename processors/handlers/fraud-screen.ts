import { step } from "../../core/domain/attempt-outcome.ts";
import { applyFraudPolicy, type FraudVerdict } from "../../core/domain/fraud-policy.ts";
import type { Payment } from "../../core/domain/payment.ts";
import { fraudConfigurationErrors } from "../../core/infra/metrics.ts";
import type { PoolClient } from "../../db/pool.ts";
import { insertOutboxEvents } from "../../db/repositories/outbox-repo.ts";
import { updatePayment } from "../../db/repositories/payments-repo.ts";
import type { ProcessorContext } from "../context.ts";

/** Scores the payment before authorization and applies the fraud policy (ADR 0007). */
export async function screen(ctx: ProcessorContext, p: Payment, token: string): Promise<FraudVerdict> {
  const assessment = await ctx.fraud.evaluate({
    paymentId: p.paymentId,
    orderId: p.orderId,
    amount: { minor: p.amount, currency: p.currency },
    paymentMethodToken: token,
    psp: p.psp,
    ...(p.customerId ? { customerId: p.customerId } : {}),
  });
  if (!assessment.available && assessment.configurationError) {
    fraudConfigurationErrors.inc();
    ctx.logger.error(
      { payment_id: p.paymentId, reason: assessment.reason },
      "fraud service refused our credentials; the payment is not confirmed until FRAUD_API_KEY is fixed",
    );
  }
  return applyFraudPolicy(assessment, p.amount, ctx.fraudPolicy);
}

/** The payment carrying the verdict's score; the status is left to the caller. */
export function withVerdict(p: Payment, verdict: Exclude<FraudVerdict, { action: "refuse" }>): Payment {
  return {
    ...p,
    riskScore: verdict.riskScore,
    riskDecision: verdict.decision,
    needsReview: p.needsReview || (verdict.action === "proceed" && verdict.needsReview),
  };
}

/**
 * A blocked payment fails with its payment.failed.v1 in the caller's transaction: the status and the
 * event commit together, so a crash can never leave one without the other.
 */
export async function failBlocked(
  ctx: ProcessorContext,
  client: PoolClient,
  p: Payment,
  verdict: Extract<FraudVerdict, { action: "block" }>,
  traceparent: string | null,
): Promise<Payment> {
  const from = p.status === "processing" ? p : step(p, ["confirm"]);
  const failed = { ...step(withVerdict(from, verdict), ["fraud_blocked"]), failureReason: "fraud_blocked" };
  const saved = await updatePayment(client, failed);
  await insertOutboxEvents(client, [ctx.events.failed(saved, traceparent)]);
  return saved;
}
