import { Counter, Gauge, Histogram, register } from "prom-client";

export { register };

export const attemptDuration = new Histogram({
  name: "payment_attempt_duration_seconds",
  help: "Duration of PSP calls (retries included), by PSP, operation and outcome",
  labelNames: ["psp", "operation", "outcome"] as const,
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
});

export const authorizedTotal = new Counter({
  name: "payment_authorized_total",
  help: "Payments authorized by the PSP",
  labelNames: ["psp", "capture_method"] as const,
});

export const outcomesTotal = new Counter({
  name: "payment_authorization_outcomes_total",
  help: "Authorization outcomes by PSP",
  labelNames: ["psp", "outcome"] as const,
});

const FAILURE_WINDOW_MS = 5 * 60_000;
const authorizeWindow = new Map<string, Array<{ at: number; failed: boolean }>>();

/**
 * Failures over authorization attempts in the last 5 minutes, per PSP. A failure is any outcome but
 * authorized / requires_action: declines, fraud blocks, rejections, indeterminate and unavailable.
 */
export const failureRate = new Gauge({
  name: "payment_failure_rate",
  help: "Share of authorization attempts that failed over a sliding 5-minute window, per PSP",
  labelNames: ["psp"] as const,
  collect() {
    const cutoff = Date.now() - FAILURE_WINDOW_MS;
    for (const [psp, entries] of authorizeWindow) {
      const recent = entries.filter((e) => e.at >= cutoff);
      authorizeWindow.set(psp, recent);
      const failed = recent.filter((e) => e.failed).length;
      this.set({ psp }, recent.length === 0 ? 0 : failed / recent.length);
    }
  },
});

export function recordAuthorizationOutcome(psp: string, outcome: string): void {
  outcomesTotal.inc({ psp, outcome });
  const failed = outcome !== "authorized" && outcome !== "requires_action";
  const entries = authorizeWindow.get(psp) ?? [];
  entries.push({ at: Date.now(), failed });
  authorizeWindow.set(psp, entries);
}

export const consumerLag = new Gauge({
  name: "kafka_consumer_lag",
  help: "Messages behind the high watermark when a batch was fetched, per topic partition",
  labelNames: ["topic", "partition"] as const,
});

export const batchSize = new Histogram({
  name: "processor_batch_size",
  help: "Messages per fetched batch (one partition's messages)",
  buckets: [1, 2, 4, 8, 16, 32, 64, 128],
});

export const dbBatchSize = new Histogram({
  name: "processor_db_batch_size",
  help: "Commands served by one database batch: a group commit (kind=commit), one intake read (intake), one claim statement (claim), one lookup of the payments webhooks name by attempt (webhook_target)",
  labelNames: ["kind"],
  buckets: [1, 2, 4, 8, 16, 32, 64],
});

export const messageDuration = new Histogram({
  name: "processor_message_duration_seconds",
  help: "Time from fetching a message to finishing it (queueing and retries included), PostgreSQL commit included",
  labelNames: ["topic"] as const,
  buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
});

export const messagesInFlight = new Gauge({
  name: "processor_in_flight_messages",
  help: "Messages fetched and not yet finished (queued, running or waiting for a retry)",
  labelNames: ["topic"] as const,
});

export const pausedPartitions = new Gauge({
  name: "processor_paused_partitions",
  help: "Partitions not fetched from because the in-flight bound was reached (the fetch loop is held: all assigned ones)",
  labelNames: ["topic"] as const,
});

export const handlerRetries = new Counter({
  name: "processor_handler_retries_total",
  help: "Handler runs that threw and were scheduled for a retry",
  labelNames: ["topic"] as const,
});

export const commandsTotal = new Counter({
  name: "processor_commands_total",
  help: "Commands handled, by type and result",
  labelNames: ["type", "result"] as const,
});

export const dlqTotal = new Counter({
  name: "processor_dlq_total",
  help: "Messages sent to the dead-letter topic, by reason",
  labelNames: ["reason"] as const,
});

export const cardDataRefused = new Counter({
  name: "card_data_refused_total",
  help: "Messages dropped by the PAN guard without being stored or dead-lettered (the copy would hold the card data), by source",
  labelNames: ["source"] as const,
});

export const outboxPublished = new Counter({
  name: "outbox_published_total",
  help: "Outbox events published to Kafka by the relay",
  labelNames: ["topic"] as const,
});

export const webhooksReceived = new Counter({
  name: "psp_webhooks_received_total",
  help: "PSP webhook events at the ingress: accepted (published), duplicate (seen before), ignored (signed, not for this deployment) or rejected",
  labelNames: ["psp", "result"] as const,
});

export const webhookEventsApplied = new Counter({
  name: "psp_webhook_events_total",
  help: "PSP webhook events handled by the webhook processor, by outcome",
  labelNames: ["psp", "outcome"] as const,
});

export const fraudConfigurationErrors = new Counter({
  name: "fraud_configuration_errors_total",
  help: "Fraud scoring calls refused for our credentials (401/403): payments are refused until an operator fixes FRAUD_API_KEY",
});

export const pspConfigurationErrors = new Counter({
  name: "psp_configuration_errors_total",
  help: "PSP calls refused for our credentials or account setup (401/403): never a decline, needs an operator",
  labelNames: ["psp", "operation"] as const,
});

export const janitorChecks = new Counter({
  name: "payment_janitor_checks_total",
  help: "Janitor checks of open attempts, by operation and what they ended in",
  labelNames: ["operation", "result"] as const,
});

export const reviewsOpened = new Counter({
  name: "payment_reviews_opened_total",
  help: "Manual reviews opened, by reason",
  labelNames: ["reason"] as const,
});

export const breakersOpen = new Gauge({
  name: "circuit_breaker_open",
  help: "Circuit breakers open in this process, by dependency (stripe, adyen, fraud): its calls fail fast until a probe succeeds",
  labelNames: ["breaker"] as const,
});

export const pspReroutes = new Counter({
  name: "psp_reroutes_total",
  help: "Authorizations sent to the next PSP of PSP_ROUTING because the preferred one could not take them",
  labelNames: ["from", "to"] as const,
});

export const compensationsScheduled = new Counter({
  name: "payment_compensations_total",
  help: "Late PSP successes for payments already failed or canceled, undone at the PSP (void or refund)",
  labelNames: ["psp", "action"] as const,
});

export const commandClaimsRefused = new Counter({
  name: "processor_command_claims_refused_total",
  help: "Copies of a command turned away because another run held its claim (rebalance, duplicate)",
});

export const reconExceptionsTotal = new Counter({
  name: "reconciliation_exceptions_total",
  help: "Reconciliation exceptions found, by class and PSP (docs/adr/0011-reconciliation.md)",
  labelNames: ["class", "psp"] as const,
});

export const reconLastSuccess = new Gauge({
  name: "reconciliation_last_success_timestamp_seconds",
  help: "Unix time of the last successful reconciliation run, per PSP",
  labelNames: ["psp"] as const,
});
