import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { connectorsFromConfig } from "../core/adapters/psp/from-config.ts";
import { AvroCodec } from "../core/infra/avro-codec.ts";
import type { Config } from "../core/infra/config.ts";
import { createProducer, ensureTopics } from "../core/infra/kafka.ts";
import { kafkaSettingsFor } from "../core/infra/kafka-security.ts";
import { type Logger, logger as rootLogger } from "../core/infra/logger.ts";
import { COMMAND_SCHEMA_FILE, WEBHOOK_SCHEMA_FILE } from "../core/infra/topics.ts";
import { installKeyring, keyringFromConfig } from "../core/security/field-crypto.ts";
import { migrate } from "../db/migrate.ts";
import { createPool, poolTimeoutsFrom, serviceDatabaseUrl, waitForDatabase } from "../db/pool.ts";
import { deleteExpiredIdempotencyKeys } from "../db/repositories/idempotency-repo.ts";
import { AdmissionControl } from "./admission.ts";
import { createIngressApp, createIngressOpsApp } from "./app.ts";
import { commandDeliveryTimeoutMs, KafkaCommandBus } from "./command-bus.ts";
import { rateLimitsFrom } from "./rate-limits.ts";
import { KafkaWebhookPublisher } from "./webhooks/publisher.ts";

export interface RunningIngress {
  server: Server;
  close(): Promise<void>;
}

/** Boots the ingress: schemas, command and webhook topics, producer, reply listener, then the HTTP server. */
export async function startIngress(
  config: Config,
  options: { logger?: Logger; runMigrations?: boolean } = {},
): Promise<RunningIngress> {
  const logger = options.logger ?? rootLogger.child({ component: "http-ingress" });
  installKeyring(keyringFromConfig(config));
  const pool = createPool(serviceDatabaseUrl(config), config.DATABASE_POOL_SIZE, poolTimeoutsFrom(config));
  await waitForDatabase(pool, config.DATABASE_STARTUP_WAIT_MS, (err) =>
    rootLogger.warn({ err: err.message }, "PostgreSQL not reachable yet; waiting"),
  );
  if (options.runMigrations ?? true) await migrate(pool);

  const codec = new AvroCodec(config.SCHEMA_REGISTRY_URL);
  await codec.register(config.COMMAND_TOPIC, COMMAND_SCHEMA_FILE);
  await codec.register(config.WEBHOOK_TOPIC, WEBHOOK_SCHEMA_FILE);
  const kafka = kafkaSettingsFor(config, "ingress");
  await ensureTopics(
    kafka,
    [
      { topic: config.COMMAND_TOPIC, numPartitions: config.COMMAND_TOPIC_PARTITIONS },
      { topic: config.WEBHOOK_TOPIC, numPartitions: config.COMMAND_TOPIC_PARTITIONS },
    ],
    { replicationFactor: config.KAFKA_REPLICATION_FACTOR },
  );
  // One producer for commands and webhook events; the command bus connects and disconnects it.
  const producer = createProducer(kafka, {
    deliveryTimeoutMs:
      config.COMMAND_DELIVERY_TIMEOUT_MS ?? commandDeliveryTimeoutMs(config.REPLY_TIMEOUT_MS),
  });
  const commandBus = new KafkaCommandBus({
    producer,
    codec,
    pool,
    databaseUrl: serviceDatabaseUrl(config),
    topic: config.COMMAND_TOPIC,
    replyTimeoutMs: config.REPLY_TIMEOUT_MS,
    pollIntervalMs: config.REPLY_POLL_MS,
    reconnectDelayMs: config.REPLY_LISTENER_RECONNECT_MS,
    logger,
  });
  await commandBus.start();

  const webhooks = {
    connectors: connectorsFromConfig(config),
    publisher: new KafkaWebhookPublisher(
      producer,
      codec,
      config.WEBHOOK_TOPIC,
      config.WEBHOOK_PUBLISH_TIMEOUT_MS,
    ),
  };
  const deps = {
    config,
    pool,
    commandBus,
    logger,
    webhooks,
    limits: rateLimitsFrom(pool, config),
    admission: new AdmissionControl({
      targetMs: config.INGRESS_ADMISSION_TARGET_MS,
      minLimit: config.INGRESS_ADMISSION_MIN,
      maxLimit: config.INGRESS_ADMISSION_MAX,
      windowMs: 250,
    }),
  };
  const server = await listen(createIngressApp(deps).listen(config.PORT));
  const opsServer = await listen(createIngressOpsApp(deps).listen(config.INGRESS_OPS_PORT, config.OPS_HOST));
  logger.info(
    { port: config.PORT, ops_port: (opsServer.address() as AddressInfo).port, topic: config.COMMAND_TOPIC },
    "http ingress listening",
  );

  const sweep = setInterval(() => {
    deleteExpiredIdempotencyKeys(pool, config.IDEMPOTENCY_SWEEP_BATCH).catch((err: Error) =>
      logger.warn({ err: err.message }, "idempotency key sweep failed"),
    );
  }, config.IDEMPOTENCY_SWEEP_INTERVAL_MS);
  sweep.unref();

  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= (async () => {
      clearInterval(sweep);
      opsServer.close();
      opsServer.closeAllConnections();
      await stopServer(server, config.REPLY_TIMEOUT_MS + config.INGRESS_SHUTDOWN_GRACE_MS);
      await commandBus.stop();
      await pool.end();
      logger.info("http ingress stopped");
    })();
    return closing;
  };
  return { server, close };
}

async function listen(server: Server): Promise<Server> {
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  return server;
}

/** Stops accepting, lets in-flight requests finish their wait, then cuts what is left. */
async function stopServer(server: Server, graceMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), graceMs);
  await closed;
  clearTimeout(timer);
}
