import type { FraudAssessment } from "../ports/fraud-scorer.ts";

export interface FraudPolicy {
  /** Scores at or above this block the payment, whatever the service's own decision. */
  blockScore: number;
  /** When the fraud service is down, payments up to this many minor units continue, flagged for review. */
  fallbackMaxMinor: bigint;
}

export type FraudVerdict =
  | { action: "proceed"; riskScore: number | null; decision: string; needsReview: boolean }
  | { action: "block"; riskScore: number; decision: string }
  | { action: "refuse"; reason: string };

/**
 * Runs before authorization. With the fraud service down we neither guess a score nor fail open
 * for large amounts: small payments continue flagged for manual review, larger ones are refused
 * (503) and left untouched so the caller can retry. With our credentials refused, every payment is.
 */
export function applyFraudPolicy(
  assessment: FraudAssessment,
  amountMinor: bigint,
  policy: FraudPolicy,
): FraudVerdict {
  if (!assessment.available) {
    // A credential the fraud service refuses would wave every small payment through unscored: refused.
    if (assessment.configurationError) return { action: "refuse", reason: assessment.reason };
    return amountMinor <= policy.fallbackMaxMinor
      ? { action: "proceed", riskScore: null, decision: "unavailable", needsReview: true }
      : { action: "refuse", reason: assessment.reason };
  }
  if (assessment.decision === "block" || assessment.riskScore >= policy.blockScore) {
    return { action: "block", riskScore: assessment.riskScore, decision: "block" };
  }
  return {
    action: "proceed",
    riskScore: assessment.riskScore,
    decision: assessment.decision,
    needsReview: assessment.decision === "review",
  };
}
