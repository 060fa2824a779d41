import type { Money } from "../domain/money.ts";
import type { PspName } from "../domain/payment-status.ts";

export interface FraudRequest {
  paymentId: string;
  orderId: string;
  amount: Money;
  paymentMethodToken: string;
  customerId?: string;
  psp: PspName;
}

export type FraudDecision = "approve" | "review" | "block";

/**
 * `configurationError`: the fraud service refused our credentials (401/403). That is not a verdict on
 * the payment and does not heal by itself, so it is never treated like a passing outage.
 */
export type FraudAssessment =
  | { available: true; riskScore: number; decision: FraudDecision; reasons: string[] }
  | { available: false; reason: string; configurationError?: true };

export interface FraudScorer {
  evaluate(req: FraudRequest): Promise<FraudAssessment>;
}
