import type { PspName } from "../../core/domain/payment-status.ts";
import type { Logger } from "../../core/infra/logger.ts";
import { webhooksReceived } from "../../core/infra/metrics.ts";
import type { WebhookDelivery } from "../../core/infra/webhook-codec.ts";
import type { PaymentConnector, VerifiedWebhookEvent } from "../../core/ports/payment-connector.ts";
import type { Pool } from "../../db/pool.ts";
import { markPspEventsPublished, recordPspEvent } from "../../db/repositories/psp-events-repo.ts";

/** Puts verified events on the webhook topic; resolves once the broker acknowledged them. */
export interface WebhookPublisher {
  publish(deliveries: WebhookDelivery[], traceparent: string): Promise<void>;
}

export interface WebhookIntake {
  /** Only the pure parts of the connectors: the ingress never calls a PSP. */
  connectors: Record<PspName, Pick<PaymentConnector, "verifyWebhook" | "interpretWebhook">>;
  publisher: WebhookPublisher;
}

/**
 * The whole of a webhook's work at the ingress: dedupe insert per event, publish what is new (or was
 * stored but never acknowledged by Kafka), mark it published. The processor applies it later.
 */
export async function receiveEvents(
  pool: Pool,
  intake: WebhookIntake,
  events: VerifiedWebhookEvent[],
  traceparent: string,
  log: Logger,
): Promise<{ accepted: number; duplicates: number }> {
  const receivedAt = new Date();
  const toPublish: WebhookDelivery[] = [];
  let duplicates = 0;
  for (const event of events) {
    const { isNew, mustPublish } = await recordPspEvent(pool, event);
    const { refs } = intake.connectors[event.psp].interpretWebhook(event);
    const result = mustPublish ? "accepted" : "duplicate";
    if (!isNew) duplicates++;
    webhooksReceived.inc({ psp: event.psp, result });
    log.info(
      { psp: event.psp, event_id: event.eventId, event_type: event.type, payment_id: refs.paymentId, result },
      "webhook event received",
    );
    if (mustPublish) toPublish.push({ event, paymentId: refs.paymentId ?? null, receivedAt });
  }
  if (toPublish.length === 0) return { accepted: 0, duplicates };
  await intake.publisher.publish(toPublish, traceparent);
  const byPsp = new Map<PspName, string[]>();
  for (const { event } of toPublish) byPsp.set(event.psp, [...(byPsp.get(event.psp) ?? []), event.eventId]);
  for (const [psp, ids] of byPsp) {
    // Kafka has the events: a failure here only means a redelivery publishes them again (deduped later).
    await markPspEventsPublished(pool, psp, ids).catch((err: Error) =>
      log.warn({ err: err.message, psp }, "could not mark webhook events published"),
    );
  }
  return { accepted: toPublish.length, duplicates };
}
