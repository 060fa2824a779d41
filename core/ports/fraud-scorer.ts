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

export type FraudAssessment =
  | { available: true; riskScore: number; decision: FraudDecision; reasons: string[] }
  | { available: false; reason: string };

export interface FraudScorer {
  evaluate(req: FraudRequest): Promise<FraudAssessment>;
}
