import { randomUUID } from "node:crypto";
import { HttpFraudScorer } from "../core/adapters/fraud/http-fraud-scorer.ts";
import { KafkaEventPublisher } from "../core/adapters/kafka-event-publisher.ts";
import { connectorsFromConfig } from "../core/adapters/psp/from-config.ts";
import { tracedConnectors, tracedFraudScorer } from "../core/adapters/traced-ports.ts";
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
import { CommitGroups } from "../db/commit-group.ts";
import { migrate } from "../db/migrate.ts";
import { createPool, poolTimeoutsFrom, serviceDatabaseUrl, waitForDatabase } from "../db/pool.ts";
import { AttemptOwners } from "./attempt-owners.ts";
import { registerAttemptMetrics } from "./attempts/attempt-metrics.ts";
import { CommandClaims } from "./command-claims.ts";
import { startCommandConsumer } from "./command-consumer.ts";
import { CommandIntakes } from "./command-intake.ts";
import type { ProcessorContext } from "./context.ts";
import { startFinanceExportScheduler } from "./finance-export-scheduler.ts";
import { handlerRetryFrom } from "./handler-retry.ts";
import { housekeepingSettingsFrom, startHousekeeping } from "./housekeeping.ts";
import { startJanitor } from "./janitor.ts";
import { registerOutboxMetrics, registerReconMetrics } from "./ops/backlog-metrics.ts";
import { watchConsumerGroupLag } from "./ops/consumer-group-lag.ts";
import { stalledConsumers } from "./ops/consumer-health.ts";
import { startOpsServer } from "./ops/ops-server.ts";
import { settledWithin } from "./ops/shared-read.ts";
import { startOrderCreatedConsumer } from "./order-created-consumer.ts";
import { relaySettingsFrom, startOutboxRelay } from "./outbox-relay.ts";
import { OutcomeEvents } from "./outcome-events.ts";
import { consumerLimits } from "./parallel-consumer/limits.ts";
import { startReconScheduler } from "./recon-scheduler.ts";
import { startWebhookConsumer } from "./webhook-consumer.ts";

/**
 * Wires adapters into the processor role: command consumer, autopay consumer, webhook consumer, outbox
 * relay (unless Debezium or a standalone relay publishes), janitor.
 */
export async function startProcessors(config: Config) {
  const log = logger.child({ role: "processor" });
  installKeyring(keyringFromConfig(config));
  const pool = createPool(serviceDatabaseUrl(config), config.DATABASE_POOL_SIZE, poolTimeoutsFrom(config));
  await waitForDatabase(pool, config.DATABASE_STARTUP_WAIT_MS, (err) =>
    logger.warn({ err: err.message }, "PostgreSQL not reachable yet; waiting"),
  );
  await migrate(pool);
  const kafka = kafkaSettingsFor(config, "processor");
  // Autopay turns order.created into commands: an entry point like the HTTP ingress, so it writes them
  // as the ingress principal, the only one the ACLs let produce commands.
  const autopayKafka = kafkaSettingsFor(config, "ingress", `${config.KAFKA_CLIENT_ID}-autopay`);
  await ensureTopics(kafka, serviceTopics(config), { replicationFactor: config.KAFKA_REPLICATION_FACTOR });
  const codec = new AvroCodec(config.SCHEMA_REGISTRY_URL);
  await registerSchemas(codec, config);
  const producer = createProducer(kafka);
  await producer.connect();
  const autopayProducer = createProducer(autopayKafka);
  await autopayProducer.connect();

  const dbBatches = { maxInFlight: config.PROCESSOR_DB_BATCHES, maxSize: config.PROCESSOR_DB_BATCH_MAX };
  const ctx: ProcessorContext = {
    pool,
    connectors: tracedConnectors(connectorsFromConfig(config)),
    fraud: tracedFraudScorer(
      new HttpFraudScorer({
        baseUrl: config.FRAUD_API_BASE,
        apiKey: config.FRAUD_API_KEY,
        timeoutMs: config.FRAUD_TIMEOUT_MS,
        retries: config.FRAUD_RETRIES,
        breaker: {
          volumeThreshold: config.FRAUD_BREAKER_VOLUME_THRESHOLD,
          errorThresholdPercentage: config.FRAUD_BREAKER_ERROR_PERCENT,
          resetTimeoutMs: config.FRAUD_BREAKER_RESET_MS,
        },
      }),
    ),
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
    commits: new CommitGroups(pool, dbBatches),
    intake: new CommandIntakes(pool, dbBatches),
    attemptOwners: new AttemptOwners(pool, dbBatches),
    claims: new CommandClaims(
      pool,
      `${config.KAFKA_CLIENT_ID}-${randomUUID()}`,
      config.COMMAND_CLAIM_LEASE_MS,
      dbBatches,
    ),
  };

  // The relay first: a restarted processor joins the lease race at once instead of after its consumers'
  // group joins, which is what shortens an outbox stall when the leader is frozen.
  const relay =
    config.OUTBOX_PUBLISHER === "relay" && config.OUTBOX_RELAY_EMBEDDED
      ? startOutboxRelay({
          pool,
          publisher: new KafkaEventPublisher(producer),
          logger: log,
          ...relaySettingsFrom(config),
        })
      : null;
  const consumer = await startCommandConsumer({
    kafka,
    topic: config.COMMAND_TOPIC,
    dlqTopic: config.COMMAND_DLQ_TOPIC,
    groupId: config.PROCESSOR_GROUP_ID,
    limits: consumerLimits(config),
    retry: handlerRetryFrom(config),
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
    retry: handlerRetryFrom(config),
    parked: { batch: config.WEBHOOK_PARKED_BATCH, failedDelayMs: config.WEBHOOK_FAILED_PARK_DELAY_MS },
    codec,
    producer,
    ctx,
    policy: { liveAttemptMs: config.JANITOR_MIN_AGE_MS, retryMs: config.WEBHOOK_RETRY_MS },
  });
  registerAttemptMetrics(pool);
  registerOutboxMetrics(pool);
  registerReconMetrics(pool);
  // Each principal describes the groups it consumes as (deploy/kafka/acls.conf).
  const lag = watchConsumerGroupLag(
    kafka,
    [
      { groupId: config.PROCESSOR_GROUP_ID, topic: config.COMMAND_TOPIC },
      { groupId: config.WEBHOOK_GROUP_ID, topic: config.WEBHOOK_TOPIC },
    ],
    log,
  );
  const lagWatches = [
    lag,
    watchConsumerGroupLag(
      autopayKafka,
      [{ groupId: config.ORDER_GROUP_ID, topic: config.ORDER_CREATED_TOPIC }],
      log,
    ),
  ];
  const housekeeping = startHousekeeping(pool, log, housekeepingSettingsFrom(config));
  // The janitor gets its own connectors, hence its own circuit breakers: re-asking a PSP about a few
  // stuck payments must never open the breaker that live traffic goes through.
  const janitor = config.JANITOR_ENABLED
    ? startJanitor({
        ctx: { ...ctx, connectors: tracedConnectors(connectorsFromConfig(config)) },
        logger: log,
        intervalMs: config.JANITOR_INTERVAL_MS,
        batch: config.JANITOR_BATCH,
        parallel: config.JANITOR_PARALLEL,
        checkLeaseMs: config.JANITOR_CHECK_LEASE_MS,
      })
    : null;
  const recon = config.RECON_ENABLED
    ? startReconScheduler(
        pool,
        reconOutputFromEnv(process.env, (bucket) => objectStoreFromEnv(bucket)),
        {
          scheduleUtc: config.RECON_SCHEDULE_UTC,
          intervalMs: config.RECON_CHECK_INTERVAL_MS,
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
    console: {
      sessionSecret: config.OPS_CONSOLE_SESSION_SECRET,
      sessionTtlMs: config.OPS_CONSOLE_SESSION_TTL_MS,
      secureCookies: config.production,
    },
    health: {
      async stalled() {
        // Probes time out after 3 s: the lag read gets 1.5 s, else the last one (or none) counts.
        await settledWithin(lag.refresh(), 1_500).catch(() => undefined);
        const activity = [consumer.activity(), webhooks.activity()];
        return stalledConsumers(activity, lag.lagOf, Date.now(), config.PROCESSOR_STALL_TIMEOUT_MS);
      },
      kafka: () => settledWithin(lag.refresh(), 2_000),
    },
  });
  log.info(
    { topic: config.COMMAND_TOPIC, group: config.PROCESSOR_GROUP_ID, outbox: config.OUTBOX_PUBLISHER },
    "processors started",
  );

  return {
    pool,
    async close() {
      ops.close();
      for (const watch of lagWatches) await watch.stop();
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
