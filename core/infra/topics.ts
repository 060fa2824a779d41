/** Outcome event topics and the Avro schema (file in avro/) each carries as its value. */
export const EVENT_TOPICS = {
  authorized: "payment.authorized.v1",
  captured: "payment.captured.v1",
  failed: "payment.failed.v1",
  canceled: "payment.canceled.v1",
  refunded: "payment.refunded.v1",
  compensated: "payment.compensated.v1",
} as const;

export type EventKind = keyof typeof EVENT_TOPICS;
export type EventTopic = (typeof EVENT_TOPICS)[EventKind];

export const EVENT_SCHEMA_FILES: Record<EventTopic, string> = {
  "payment.authorized.v1": "payment-authorized.v1.avsc",
  "payment.captured.v1": "payment-captured.v1.avsc",
  "payment.failed.v1": "payment-failed.v1.avsc",
  "payment.canceled.v1": "payment-canceled.v1.avsc",
  "payment.refunded.v1": "payment-refunded.v1.avsc",
  "payment.compensated.v1": "payment-compensated.v1.avsc",
};

export const COMMAND_SCHEMA_FILE = "payment-command.v1.avsc";

/** Verified PSP webhook events (topic from WEBHOOK_TOPIC, default payment.webhooks.v1). */
export const WEBHOOK_SCHEMA_FILE = "psp-webhook-event.v1.avsc";

/** Confluent TopicNameStrategy. */
export const valueSubject = (topic: string) => `${topic}-value`;
