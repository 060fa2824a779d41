import { KAFKA_LOG_LEVEL, kafka as kafkaClient } from "../../core/infra/kafka.ts";
import { kafkaSecurityFor, parseKafkaSecurityEnv } from "../../core/infra/kafka-security.ts";

/**
 * The campaign's own Kafka clients: like core/infra/kafka.ts, but silent. A broker the campaign
 * killed on purpose would otherwise fill stderr with connection errors. They authenticate as the
 * stack's admin principal (the campaign's cluster is rendered by scripts/stack, SASL like the shared
 * one); the run's service processes use the ingress and processor principals.
 */
function kafka(brokers: string, clientId: string) {
  const security = kafkaSecurityFor(parseKafkaSecurityEnv(process.env), "admin", false);
  return kafkaClient({ brokers, clientId, security }, KAFKA_LOG_LEVEL.NOTHING);
}

export const quietAdmin = (brokers: string) => kafka(brokers, "chaos-admin").admin();

export const quietProducer = (brokers: string, clientId: string) =>
  kafka(brokers, clientId).producer({ kafkaJS: { idempotent: true, acks: -1 } });

export const quietConsumer = (brokers: string, clientId: string, groupId: string) =>
  kafka(brokers, clientId).consumer({
    "js.consumer.max.batch.size": 500,
    kafkaJS: { groupId, fromBeginning: true, autoCommit: true },
  });
