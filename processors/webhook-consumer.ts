import pRetry from "p-retry";
import type { AvroCodec } from "../core/infra/avro-codec.ts";
import { headerString, type KafkaMessage, type KafkaSettings, type Producer } from "../core/infra/kafka.ts";
import { webhookEventsApplied } from "../core/infra/metrics.ts";
import { activeTraceparent, inSpan, SpanKind } from "../core/infra/tracing/spans.ts";
import { isTransient } from "../core/infra/transient-errors.ts";
import {
  decodeWebhookDelivery,
  fromWebhookRecord,
  MalformedWebhookError,
  type PspWebhookRecord,
} from "../core/infra/webhook-codec.ts";
import { findDuePspEvents, postponePspEvent } from "../db/repositories/psp-events-repo.ts";
import type { ProcessorContext } from "./context.ts";
import { deadLetter } from "./dead-letter.ts";
import { type HandlerRetry, retryOptions } from "./handler-retry.ts";
import {
  applyWebhookEvent,
  type TracedDelivery,
  type WebhookPolicy,
} from "./handlers/apply-webhook-event.ts";
import type { ParallelConsumerLimits } from "./parallel-consumer/limits.ts";
import { type ParallelConsumer, startParallelConsumer } from "./parallel-consumer/parallel-consumer.ts";
import { runPeriodically } from "./periodic.ts";

export interface WebhookConsumerOptions {
  kafka: KafkaSettings;
  topic: string;
  dlqTopic: string;
  groupId: string;
  limits: ParallelConsumerLimits;
  retry: HandlerRetry;
  /** Parked events re-applied per sweep, and how long one whose re-application failed waits. */
  parked: { batch: number; failedDelayMs: number };
  codec: AvroCodec;
  producer: Producer;
  ctx: ProcessorContext;
  policy: WebhookPolicy;
}

/**
 * Consumes payment.webhooks.v1 like the command consumer: keys in parallel, each key in order, offsets
 * committed after the PostgreSQL commit. Undecodable records and events that fail terminally go to the
 * DLQ; infrastructure errors are retried. A sweep applies parked events once their payment's PSP call is over.
 */
export async function startWebhookConsumer(o: WebhookConsumerOptions): Promise<ParallelConsumer> {
  const consumer = await startParallelConsumer({
    ...o,
    logger: o.ctx.logger,
    handle: (topic, partition, m) => handleMessage(o, topic, partition, m),
  });
  const sweep = runPeriodically(
    o.policy.retryMs,
    () => sweepParked(o),
    (err) => o.ctx.logger.error({ err }, "parked webhook sweep failed"),
  );
  return {
    activity: consumer.activity,
    async stop() {
      await sweep.stop();
      await consumer.stop();
    },
  };
}

async function handleMessage(
  o: WebhookConsumerOptions,
  topic: string,
  partition: number,
  message: KafkaMessage,
) {
  let delivery: TracedDelivery;
  try {
    delivery = {
      ...(await decodeWebhookDelivery(o.codec, message.value, isTransient)),
      traceparent: headerString(message.headers, "traceparent") ?? null,
    };
  } catch (err) {
    if (!(err instanceof MalformedWebhookError)) throw err;
    return deadLetter(o.producer, o.dlqTopic, { topic, partition, message }, "malformed", err.message);
  }
  const attributes = {
    "messaging.system": "kafka",
    "messaging.destination.name": topic,
    "payment.psp": delivery.event.psp,
    "payment.webhook.type": delivery.event.type,
  };
  await inSpan(
    `${topic} process`,
    { kind: SpanKind.CONSUMER, parent: delivery.traceparent, attributes },
    () =>
      applyOrDeadLetter(
        o,
        { ...delivery, traceparent: activeTraceparent() ?? delivery.traceparent },
        topic,
        partition,
        message,
      ),
  );
}

async function applyOrDeadLetter(
  o: WebhookConsumerOptions,
  delivery: TracedDelivery,
  topic: string,
  partition: number,
  message: KafkaMessage,
) {
  try {
    await apply(o, delivery);
  } catch (err) {
    if (isTransient(err)) throw err;
    const { event } = delivery;
    o.ctx.logger.error(
      { err, psp: event.psp, event_id: event.eventId, event_type: event.type },
      "webhook event failed terminally; dead-lettering",
    );
    webhookEventsApplied.inc({ psp: event.psp, outcome: "dead_lettered" });
    await deadLetter(
      o.producer,
      o.dlqTopic,
      { topic, partition, message },
      "handler_error",
      (err as Error).message,
    );
  }
}

async function apply(o: WebhookConsumerOptions, delivery: TracedDelivery): Promise<void> {
  const outcome = await pRetry(() => applyWebhookEvent(o.ctx, delivery, o.policy), {
    ...retryOptions(o.retry),
    onFailedAttempt: (e) =>
      o.ctx.logger.warn(
        { err: e.message, attempt: e.attemptNumber, event_id: delivery.event.eventId },
        "webhook attempt failed",
      ),
  });
  webhookEventsApplied.inc({ psp: delivery.event.psp, outcome });
}

/** Re-applies parked events whose retry time has come. */
async function sweepParked(o: WebhookConsumerOptions): Promise<void> {
  for (const payload of await findDuePspEvents(o.ctx.pool, o.parked.batch)) {
    const parked = payload as PspWebhookRecord & { traceparent?: string | null };
    try {
      await apply(o, { ...fromWebhookRecord(parked), traceparent: parked.traceparent ?? null });
    } catch (err) {
      o.ctx.logger.error({ err, event_id: parked.event_id }, "parked webhook failed; retrying later");
      const key = { psp: parked.psp, eventId: parked.event_id };
      await postponePspEvent(o.ctx.pool, key, o.parked.failedDelayMs).catch(() => undefined);
    }
  }
}
