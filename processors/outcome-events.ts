import { randomUUID } from "node:crypto";
import { formatAmount } from "../core/domain/money.ts";
import type { Payment, Refund } from "../core/domain/payment.ts";
import type { AvroCodec } from "../core/infra/avro-codec.ts";
import { EVENT_TOPICS, type EventKind } from "../core/infra/topics.ts";
import { newTraceparent } from "../core/infra/trace-context.ts";
import { activeTraceparent } from "../core/infra/tracing/spans.ts";
import type { Compensation } from "../db/repositories/compensations-repo.ts";
import type { OutboxEvent } from "../db/repositories/outbox-repo.ts";

/**
 * Builds outbox rows whose payload is Avro in the Confluent wire format. The payload is encoded when
 * the row is written (insertOutboxEvents), once the event's per-payment `sequence` is allocated.
 */
export class OutcomeEvents {
  constructor(
    private readonly codec: AvroCodec,
    private readonly publisher: "relay" | "debezium",
  ) {}

  authorized(p: Payment, traceparent: string | null): OutboxEvent {
    return this.event("authorized", p, traceparent, {
      amount: formatAmount(p.amount, p.currency),
      amount_minor: Number(p.amount),
      psp_reference: p.pspReference ?? "",
      status: p.status,
      capture_method: p.captureMethod,
      payment_method: { type: p.paymentMethodType ?? "card", brand: p.cardBrand, token_last4: p.cardLast4 },
      risk_score: p.riskScore,
      needs_review: p.needsReview,
    });
  }

  captured(p: Payment, traceparent: string | null): OutboxEvent {
    return this.event("captured", p, traceparent, {
      amount_captured: formatAmount(p.amountCaptured, p.currency),
      amount_captured_minor: Number(p.amountCaptured),
      psp_reference: p.pspReference ?? "",
    });
  }

  failed(p: Payment, traceparent: string | null): OutboxEvent {
    return this.event("failed", p, traceparent, {
      amount: formatAmount(p.amount, p.currency),
      amount_minor: Number(p.amount),
      failure_reason: p.failureReason ?? "unknown",
      psp_code: p.pspCode,
      risk_score: p.riskScore,
    });
  }

  canceled(p: Payment, reason: string | null, traceparent: string | null): OutboxEvent {
    return this.event("canceled", p, traceparent, {
      amount: formatAmount(p.amount, p.currency),
      cancellation_reason: reason,
    });
  }

  refunded(p: Payment, r: Refund, traceparent: string | null): OutboxEvent {
    return this.event("refunded", p, traceparent, {
      refund_id: r.refundId,
      amount: formatAmount(r.amount, r.currency),
      amount_minor: Number(r.amount),
      amount_refunded_total: formatAmount(p.amountRefunded, p.currency),
      reason: r.reason,
      payment_status: p.status,
    });
  }

  compensated(p: Payment, c: Compensation, traceparent: string | null): OutboxEvent {
    return this.event("compensated", p, traceparent, {
      compensation_id: c.compensationId,
      action: c.action,
      amount: formatAmount(c.amountMinor, c.currency),
      amount_minor: Number(c.amountMinor),
      psp_reference: c.pspReference,
      reason: c.reason,
      payment_status: p.status,
    });
  }

  private event(
    kind: EventKind,
    p: Payment,
    traceparent: string | null,
    fields: Record<string, unknown>,
  ): OutboxEvent {
    const topic = EVENT_TOPICS[kind];
    const id = randomUUID();
    const occurredAt = new Date();
    const value = {
      event_id: id,
      occurred_at: occurredAt.getTime(),
      payment_id: p.paymentId,
      merchant_id: p.merchantId,
      order_id: Number(p.orderId),
      currency: p.currency,
      psp: p.psp,
      ...fields,
    };
    return {
      id,
      aggregateId: p.paymentId,
      type: kind,
      topic,
      encode: (sequence) => this.codec.encode(topic, { ...value, sequence }),
      // Always set: Debezium would publish a null column as a null header, which the relay cannot write.
      traceparent: activeTraceparent() ?? traceparent ?? newTraceparent(),
      occurredAt,
      publisher: this.publisher,
    };
  }
}
