import { z } from "zod";
import { positiveInt, section, setting } from "./setting.ts";

export const ingressSection = section({
  title: "HTTP ingress",
  intro: "docs/api.md: how the ingress publishes commands, waits for replies and keeps Idempotency-Keys.",
  shape: {
    REPLY_TIMEOUT_MS: setting(positiveInt.default(10_000), {
      description:
        "How long a request waits for the processor's reply before answering 202 with a Location to poll.",
    }),
    COMMAND_DELIVERY_TIMEOUT_MS: setting(positiveInt.optional(), {
      description:
        "How long the ingress producer tries to deliver a command (librdkafka message.timeout.ms); must be below REPLY_TIMEOUT_MS. Unset: REPLY_TIMEOUT_MS minus a fifth, at most 2 s less (8 s for the default).",
    }),
    REPLY_POLL_MS: setting(positiveInt.default(500), {
      description:
        "How often the reply listener also polls processed_commands for the commands it waits for, covering a lost NOTIFY: a reply is at most this late.",
    }),
    REPLY_LISTENER_RECONNECT_MS: setting(positiveInt.default(1_000), {
      description: "How soon the reply listener's LISTEN connection is reopened after it dropped.",
    }),
    IDEMPOTENCY_KEY_TTL_MS: setting(positiveInt.default(24 * 3_600_000), {
      description: "How long an Idempotency-Key and its stored response are kept.",
    }),
    IDEMPOTENCY_LEASE_GRACE_MS: setting(positiveInt.default(5_000), {
      description:
        "Added to REPLY_TIMEOUT_MS: past that, the holder of an in-flight key is presumed dead and the next retry resumes its command.",
    }),
    IDEMPOTENCY_SWEEP_INTERVAL_MS: setting(positiveInt.default(10 * 60_000), {
      description: "How often expired Idempotency-Keys are deleted.",
    }),
    IDEMPOTENCY_SWEEP_BATCH: setting(positiveInt.default(5_000), {
      description: "Expired keys deleted per sweep.",
    }),
    WEBHOOK_PUBLISH_TIMEOUT_MS: setting(positiveInt.default(5_000), {
      description:
        "How long a webhook request waits for Kafka to take the event before answering 503 (PSPs give up on an endpoint after about 10 s; a 503 before that makes them redeliver).",
    }),
    READINESS_CHECK_TIMEOUT_MS: setting(positiveInt.default(2_000), {
      description: "Per dependency, for /readyz (PostgreSQL, Kafka, the schema registry).",
    }),
    ACCESS_LOG_SAMPLE: setting(positiveInt.default(10), {
      description:
        "The access log line of 1 in this many fast successful requests is written at info, the others at debug; every 4xx and 5xx and every request slower than 1 s is written at info. 1 writes them all. Every mutation is in the audit log (audit_log) whatever this is.",
    }),
    INGRESS_ADMISSION_TARGET_MS: setting(positiveInt.default(150), {
      description:
        "Load shedding (ADR 0013): the mean latency of admitted mutating requests the adaptive admission limit steers towards; past capacity, requests over the limit get 503 overloaded with Retry-After at once.",
    }),
    INGRESS_ADMISSION_MAX: setting(positiveInt.default(256), {
      description:
        "Upper bound of the admission limit: mutating requests for new payments in flight per ingress process (twice this for confirm, capture, cancel and refund).",
    }),
    INGRESS_ADMISSION_MIN: setting(positiveInt.default(32), {
      description:
        "Lower bound of the admission limit: a slow dependency (a PSP brownout) shrinks the limit, and this keeps ordinary bursts (tens of parallel requests) admitted.",
    }),
    INGRESS_SHUTDOWN_GRACE_MS: setting(positiveInt.default(2_000), {
      description:
        "At shutdown, in-flight requests get REPLY_TIMEOUT_MS plus this long to finish before their connections are cut.",
    }),
  },
});

export const rateLimitSection = section({
  title: "Rate limits",
  intro: "docs/security.md (rate limits). 429 answers carry Retry-After.",
  shape: {
    INGRESS_RATE_LIMIT_PER_SEC: setting(z.coerce.number().positive().default(2_000), {
      description: "Requests per second per client address, per ingress process (in memory).",
    }),
    INGRESS_RATE_LIMIT_BURST: setting(z.coerce.number().positive().optional(), {
      description: "Bucket size of that limit. Unset: twice INGRESS_RATE_LIMIT_PER_SEC.",
    }),
    API_KEY_RATE_LIMIT_PER_SEC: setting(positiveInt.default(1_000), {
      description: "Requests per second per API key, across every ingress process (PostgreSQL).",
    }),
    CONFIRM_VELOCITY_PER_TOKEN: setting(positiveInt.default(20), {
      description:
        "Confirms per payment-method token per merchant within CONFIRM_VELOCITY_WINDOW_SEC: card-testing defence.",
    }),
    CONFIRM_VELOCITY_WINDOW_SEC: setting(positiveInt.default(3_600), {
      description: "The window of CONFIRM_VELOCITY_PER_TOKEN.",
    }),
  },
});
