import { z } from "zod";
import type { FraudAssessment, FraudRequest, FraudScorer } from "../../ports/fraud-scorer.ts";
import { type ResilienceSettings, ResilientHttp } from "../psp/resilient-http.ts";
import { successBody } from "../psp/wire-json.ts";

const verdict = z.object({
  risk_score: z.int().min(0).max(100),
  decision: z.enum(["approve", "review", "block"]),
  reasons: z.array(z.string()),
});

export interface HttpFraudScorerOptions extends Partial<ResilienceSettings> {
  baseUrl: string;
  /** Sent as `Authorization: Bearer` (FRAUD_API_KEY). */
  apiKey: string;
}

// The service refused who we are, not the payment: a configuration error, not a fraud decision.
const CREDENTIALS_REFUSED = new Set([401, 403]);

/**
 * POST /fraud/evaluate with a short timeout, one retry and a circuit breaker. Never throws: any
 * failure is `available: false`, and the fraud policy decides what that means for the payment.
 */
export class HttpFraudScorer implements FraudScorer {
  private readonly http: ResilientHttp;
  private readonly apiKey: string;

  constructor(options: HttpFraudScorerOptions) {
    this.apiKey = options.apiKey;
    this.http = new ResilientHttp({
      name: "fraud",
      retries: 1,
      ...options,
      timeoutMs: options.timeoutMs ?? 800,
      breaker: { volumeThreshold: 5, resetTimeoutMs: 5_000, ...options.breaker },
    });
  }

  async evaluate(req: FraudRequest): Promise<FraudAssessment> {
    const body = JSON.stringify({
      payment_id: req.paymentId,
      order_id: req.orderId,
      amount: { value: req.amount.minor.toString(), currency: req.amount.currency },
      payment_method_token: req.paymentMethodToken,
      ...(req.customerId === undefined ? {} : { customer_id: req.customerId }),
      psp: req.psp,
    });
    try {
      const result = await this.http.send({
        method: "POST",
        path: "/fraud/evaluate",
        headers: { "content-type": "application/json", authorization: `Bearer ${this.apiKey}` },
        body,
      });
      if (result.kind !== "reply")
        return { available: false, reason: `fraud service ${result.kind}: ${result.reason}` };
      if (CREDENTIALS_REFUSED.has(result.reply.status))
        return {
          available: false,
          configurationError: true,
          reason: `fraud service refused our credentials (HTTP ${result.reply.status}); check FRAUD_API_KEY`,
        };
      const parsed = successBody(result.reply, verdict);
      if (parsed === undefined)
        return { available: false, reason: `fraud service answered HTTP ${result.reply.status}` };
      return {
        available: true,
        riskScore: parsed.risk_score,
        decision: parsed.decision,
        reasons: parsed.reasons,
      };
    } catch (error) {
      return { available: false, reason: `fraud call failed: ${(error as Error).message}` };
    }
  }
}
