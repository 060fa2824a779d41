import { randomUUID } from "node:crypto";
import { HttpFraudScorer } from "../core/adapters/fraud/http-fraud-scorer.ts";
import { KafkaEventPublisher } from "../core/adapters/kafka-event-publisher.ts";
import { connectorsFromConfig } from "../core/adapters/psp/from-config.ts";
import { runFinanceExport } from "../core/finance/spark-job.ts";
import { AvroCodec } from "../core/infra/avro-codec.ts";
import type { Config } from "../core/infra/config.ts";
import { createProducer, ensureTopics } from "../core/infra/kafka.ts";
import { kafkaSettingsFor } from "../core/infra/kafka-security.ts";
import { logger } from "../core/infra/logger.ts";
import { objectStoreFromEnv } from "../core/infra/object-store.ts";
import { registerSchemas, serviceTopics } from "../core/infra/schemas.ts";
import { reconOutputFromEnv } from "../core/recon/output.ts";
import { installKeyring, keyringFromConfig } from "../core/security/field-crypto.ts";
import { migrate } from "../db/migrate.ts";
import { createPool, poolTimeoutsFrom, waitForDatabase } from "../db/pool.ts";
import { registerAttemptMetrics } from "./attempts/attempt-metrics.ts";
import { CommandClaims } from "./command-claims.ts";
import { startCommandConsumer } from "./command-consumer.ts";
import type { ProcessorContext } from "./context.ts";
import { startFinanceExportScheduler } from "./finance-export-scheduler.ts";
import { startHousekeeping } from "./housekeeping.ts";
import { startJanitor } from "./janitor.ts";
import { startOpsServer } from "./ops/ops-server.ts";
import { startOrderCreatedConsumer } from "./order-created-consumer.ts";
import { relaySettingsFrom, startOutboxRelay } from "./outbox-relay.ts";
import { OutcomeEvents } from "./outcome-events.ts";
import { consumerLimits } from "./parallel-consumer/limits.ts";
import { startReconScheduler } from "./recon-scheduler.ts";
import { startWebhookConsumer } from "./webhook-consumer.ts";

/**
 * Wires adapters into the processor role: command consumer, autopay consumer, webhook consumer, outbox
 * relay (unless Debezium publishes), janitor.
 */
export async function startProcessors(config: Config) {
  const log = logger.child({ role: "processor" });
  installKeyring(keyringFromConfig(config));
  const pool = createPool(config.DATABASE_URL, config.DATABASE_POOL_SIZE, poolTimeoutsFrom(config));
  await waitForDatabase(pool, 120_000, (err) =>
    logger.warn({ err: err.message }, "PostgreSQL not reachable yet; waiting"),
  );
  await migrate(pool);
  const kafka = kafkaSettingsFor(config, "processor");
  // Autopay turns order.created into commands: an entry point like the HTTP ingress, so it writes them
  // as the ingress principal, the only one the ACLs let produce commands.
  const autopayKafka = kafkaSettingsFor(config, "ingress", `${config.KAFKA_CLIENT_ID}-autopay`);
  await ensureTopics(kafka, serviceTopics(config));
  const codec = new AvroCodec(config.SCHEMA_REGISTRY_URL);
  await registerSchemas(codec, config);
  const producer = createProducer(kafka);
  await producer.connect();
  const autopayProducer = createProducer(autopayKafka);
  await autopayProducer.connect();

  const ctx: ProcessorContext = {
    pool,
    connectors: connectorsFromConfig(config),
    fraud: new HttpFraudScorer({
      baseUrl: config.FRAUD_API_BASE,
      apiKey: config.FRAUD_API_KEY,
      timeoutMs: config.FRAUD_TIMEOUT_MS,
    }),
    fraudPolicy: {
      blockScore: config.FRAUD_BLOCK_SCORE,
      fallbackMaxMinor: BigInt(config.FRAUD_FALLBACK_MAX_MINOR),
    },
    events: new OutcomeEvents(codec, config.OUTBOX_PUBLISHER),
    logger: log,
    lifecycle: {
      pendingCheckMs: config.JANITOR_MIN_AGE_MS,
      unknownCheckMs: config.JANITOR_FIRST_CHECK_MS,
      acceptedCheckMs: config.JANITOR_ACCEPTED_CHECK_MS,
      parkRetryMs: config.PSP_PARK_RETRY_MS,
      parkDeadlineMs: config.PSP_PARK_DEADLINE_MS,
      maxBackoffMs: config.JANITOR_MAX_BACKOFF_MS,
      reviewAfterChecks: config.REVIEW_AFTER_CHECKS,
      reviewAfterMs: config.REVIEW_AFTER_MS,
    },
    routing: config.PSP_ROUTING,
    claims: new CommandClaims(
      pool,
      `${config.KAFKA_CLIENT_ID}-${randomUUID()}`,
      config.COMMAND_CLAIM_LEASE_MS,
    ),
  };

  const consumer = await startCommandConsumer({
    kafka,
    topic: config.COMMAND_TOPIC,
    dlqTopic: config.COMMAND_DLQ_TOPIC,
    groupId: config.PROCESSOR_GROUP_ID,
    limits: consumerLimits(config),
    codec,
    producer,
    ctx,
  });
  const orders = await startOrderCreatedConsumer({
    kafka: autopayKafka,
    topic: config.ORDER_CREATED_TOPIC,
    groupId: config.ORDER_GROUP_ID,
    commandTopic: config.COMMAND_TOPIC,
    dlqTopic: config.COMMAND_DLQ_TOPIC,
    defaultPsp: config.DEFAULT_PSP,
    merchantId: config.AUTOPAY_MERCHANT_ID,
    codec,
    pool,
    producer: autopayProducer,
    logger: log,
  });
  const webhooks = await startWebhookConsumer({
    kafka,
    topic: config.WEBHOOK_TOPIC,
    dlqTopic: config.COMMAND_DLQ_TOPIC,
    groupId: config.WEBHOOK_GROUP_ID,
    limits: consumerLimits(config),
    codec,
    producer,
    ctx,
    policy: { liveAttemptMs: config.JANITOR_MIN_AGE_MS, retryMs: config.WEBHOOK_RETRY_MS },
  });
  const relay =
    config.OUTBOX_PUBLISHER === "relay"
      ? startOutboxRelay({
          pool,
          publisher: new KafkaEventPublisher(producer),
          logger: log,
          ...relaySettingsFrom(config),
        })
      : null;
  registerAttemptMetrics(pool);
  const housekeeping = startHousekeeping(pool, log);
  // The janitor gets its own connectors, hence its own circuit breakers: re-asking a PSP about a few
  // stuck payments must never open the breaker that live traffic goes through.
  const janitor = config.JANITOR_ENABLED
    ? startJanitor({
        ctx: { ...ctx, connectors: connectorsFromConfig(config) },
        logger: log,
        intervalMs: config.JANITOR_INTERVAL_MS,
        checkLeaseMs: config.JANITOR_CHECK_LEASE_MS,
      })
    : null;
  const recon = config.RECON_ENABLED
    ? startReconScheduler(
        pool,
        reconOutputFromEnv(process.env, (bucket) => objectStoreFromEnv(bucket)),
        {
          scheduleUtc: config.RECON_SCHEDULE_UTC,
          logger: log,
        },
      )
    : null;
  // The finance report of yesterday, beside reconciliation (docs/finance-data.md): a Spark job per day.
  const financeExport = config.FINANCE_EXPORT_ENABLED
    ? startFinanceExportScheduler(
        pool,
        objectStoreFromEnv(process.env.S3_BUCKET_FINANCE || "payments-finance"),
        (date) => runFinanceExport(date, { databaseUrl: config.DATABASE_URL, quiet: true }),
        { scheduleUtc: config.FINANCE_EXPORT_SCHEDULE_UTC, logger: log },
      )
    : null;
  const ops = await startOpsServer(ctx, {
    port: config.PROCESSOR_HTTP_PORT,
    host: config.OPS_HOST,
    logger: log,
  });
  log.info(
    { topic: config.COMMAND_TOPIC, group: config.PROCESSOR_GROUP_ID, outbox: config.OUTBOX_PUBLISHER },
    "processors started",
  );

  return {
    pool,
    async close() {
      ops.close();
      await janitor?.stop();
      await recon?.stop();
      await financeExport?.stop();
      await housekeeping.stop();
      await consumer.stop();
      await orders.disconnect();
      await webhooks.stop();
      await relay?.stop();
      await producer.disconnect();
      await autopayProducer.disconnect();
      ctx.claims.stop();
      await pool.end();
    },
  };
}
