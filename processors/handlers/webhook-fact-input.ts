import type { Payment } from "../../core/domain/payment.ts";
import type { PspEventRefs } from "../../core/domain/psp-facts.ts";
import type { VerifiedWebhookEvent } from "../../core/ports/payment-connector.ts";
import type { PoolClient } from "../../db/pool.ts";
import type { ProcessorContext } from "../context.ts";

/** What applying one fact needs: the payment is locked in `client`'s transaction. */
export interface FactInput {
  ctx: ProcessorContext;
  client: PoolClient;
  payment: Payment;
  refs: PspEventRefs;
  event: VerifiedWebhookEvent;
  traceparent: string | null;
}

/** What an attempt row records when a webhook, not the PSP call's own answer, settled it. */
export const webhookDiagnostics = (event: VerifiedWebhookEvent) => ({
  requests: 0,
  rawStatus: `webhook ${event.type}`.slice(0, 64),
});

/** finishAttempt's fields for an attempt a webhook settled. */
export const webhookSettled = (event: VerifiedWebhookEvent, status: "succeeded" | "failed") => ({
  status,
  requests: 0,
  pspStatus: `webhook ${event.type}`.slice(0, 64),
});
