// `npm run start:relay`: the outbox relay alone, for deployments that run it apart from the processors
// (several may run; the lease elects one leader).
import { KafkaEventPublisher } from "../core/adapters/kafka-event-publisher.ts";
import { loadConfig } from "../core/infra/config.ts";
import { createProducer } from "../core/infra/kafka.ts";
import { kafkaSettingsFor } from "../core/infra/kafka-security.ts";
import { logger } from "../core/infra/logger.ts";
import { createPool, poolTimeoutsFrom, serviceDatabaseUrl } from "../db/pool.ts";
import { registerOutboxMetrics } from "./ops/backlog-metrics.ts";
import { startRelayOpsServer } from "./ops/relay-ops-server.ts";
import { relaySettingsFrom, startOutboxRelay } from "./outbox-relay.ts";

const config = loadConfig();
const log = logger.child({ role: "outbox-relay" });
const pool = createPool(
  serviceDatabaseUrl(config),
  config.RELAY_DATABASE_POOL_SIZE,
  poolTimeoutsFrom(config),
);
const producer = createProducer(kafkaSettingsFor(config, "relay"));
await producer.connect();
const relay = startOutboxRelay({
  pool,
  publisher: new KafkaEventPublisher(producer),
  logger: log,
  ...relaySettingsFrom(config),
});
registerOutboxMetrics(pool);
const ops = await startRelayOpsServer({
  port: config.RELAY_HTTP_PORT,
  host: config.OPS_HOST,
  pool,
  lastTurnAt: relay.lastTurnAt,
});
log.info({ holder: relay.lease.holder, ops_port: config.RELAY_HTTP_PORT }, "outbox relay started");

const shutdown = async (signal: string) => {
  log.info({ signal }, "outbox relay shutting down");
  ops.close();
  await relay.stop();
  await producer.disconnect();
  await pool.end();
  process.exit(0);
};
process.once("SIGTERM", () => void shutdown("SIGTERM"));
process.once("SIGINT", () => void shutdown("SIGINT"));
