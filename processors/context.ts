import type { CommandReply } from "../core/domain/commands.ts";
import type { PaymentError } from "../core/domain/errors.ts";
import type { FraudPolicy } from "../core/domain/fraud-policy.ts";
import { type Payment, type Refund, toPaymentResponse, toRefundResponse } from "../core/domain/payment.ts";
import type { PspName } from "../core/domain/payment-status.ts";
import type { PspRouting } from "../core/domain/psp-routing.ts";
import type { Logger } from "../core/infra/logger.ts";
import type { FraudScorer } from "../core/ports/fraud-scorer.ts";
import type { PaymentConnector } from "../core/ports/payment-connector.ts";
import type { Pool } from "../db/pool.ts";
import type { AttemptLifecycle } from "./attempts/lifecycle.ts";
import type { CommandClaims } from "./command-claims.ts";
import type { OutcomeEvents } from "./outcome-events.ts";

export interface ProcessorContext {
  pool: Pool;
  connectors: Record<PspName, PaymentConnector>;
  fraud: FraudScorer;
  fraudPolicy: FraudPolicy;
  events: OutcomeEvents;
  logger: Logger;
  lifecycle: AttemptLifecycle;
  claims: CommandClaims;
  routing: PspRouting;
}

export const reply = {
  payment: (httpStatus: number, p: Payment): CommandReply => ({ httpStatus, body: toPaymentResponse(p) }),
  refund: (httpStatus: number, r: Refund): CommandReply => ({ httpStatus, body: toRefundResponse(r) }),
  error: (err: PaymentError): CommandReply => ({ httpStatus: err.status, body: err.toBody() }),
};
