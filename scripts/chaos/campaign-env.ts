import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/**
 * Where the campaign's own infrastructure lives. It never touches the shared stack: its own
 * PostgreSQL cluster and 3-broker Kafka cluster (scripts/stack with another STACK_DIR and ports),
 * its own simulators and service ports. Only the schema registry is shared (read and register).
 */
export interface CampaignEnv {
  stackDir: string;
  pgPort: number;
  kafkaPort: number;
  brokers: number;
  kafkaBootstrap: string;
  registryUrl: string;
  ingressPort: number;
  processorPortBase: number;
  sim: { stripe: number; adyen: number; fraud: number };
  /** The env for scripts/stack/*.sh so they act on this cluster, not the shared one. */
  stackScriptEnv: Record<string, string>;
}

const int = (value: string | undefined, fallback: number) => (value ? Number.parseInt(value, 10) : fallback);

export function campaignEnv(env: NodeJS.ProcessEnv = process.env): CampaignEnv {
  const stackDir = env.CHAOS_STACK_DIR ?? join(REPO_ROOT, ".stack-chaos");
  // Every default port is below the kernel's ephemeral range (32768-60999): a broker restarted by a
  // fault, or a cluster started late in a busy run, must not find its port held by an outgoing
  // connection (CI saw kafka-1 fail to bind :39192 that way).
  const pgPort = int(env.CHAOS_PG_PORT, 25432);
  const kafkaPort = int(env.CHAOS_KAFKA_PORT, 22092);
  const brokers = int(env.CHAOS_KAFKA_BROKERS, 3);
  const portBase = int(env.CHAOS_PORT_BASE, 21000);
  const servicePortBase = int(env.CHAOS_SERVICE_PORT_BASE, 24000);
  return {
    stackDir,
    pgPort,
    kafkaPort,
    brokers,
    kafkaBootstrap: Array.from({ length: brokers }, (_, i) => `127.0.0.1:${kafkaPort + i}`).join(","),
    registryUrl: env.SCHEMA_REGISTRY_URL ?? "http://127.0.0.1:8081/apis/ccompat/v7",
    ingressPort: servicePortBase + 80,
    processorPortBase: servicePortBase + 464,
    sim: { stripe: portBase + 111, adyen: portBase + 112, fraud: portBase + 113 },
    stackScriptEnv: {
      STACK_DIR: stackDir,
      PG_PORT: String(pgPort),
      KAFKA_PORT: String(kafkaPort),
      KAFKA_CONTROLLER_PORT: String(kafkaPort + 100),
      STACK_KAFKA_BROKERS: String(brokers),
      STACK_DEBEZIUM: "0",
    },
  };
}

/** DEV DEFAULT credentials of the stack's PostgreSQL (scripts/stack/lib.sh). */
export const databaseUrl = (e: CampaignEnv, db: string) =>
  `postgres://payments:payments@127.0.0.1:${e.pgPort}/${db}`;
