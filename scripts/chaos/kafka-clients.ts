import { createRequire } from "node:module";
import type { KafkaJS as KafkaJSTypes } from "@confluentinc/kafka-javascript";

const require = createRequire(import.meta.url);
const { KafkaJS } = require("@confluentinc/kafka-javascript") as { KafkaJS: typeof KafkaJSTypes };

/**
 * The campaign's own Kafka clients: like core/infra/kafka.ts, but silent. A broker the campaign
 * killed on purpose would otherwise fill stderr with connection errors.
 */
function kafka(brokers: string, clientId: string) {
  return new KafkaJS.Kafka({
    kafkaJS: { brokers: brokers.split(","), clientId, logLevel: KafkaJS.logLevel.NOTHING },
  });
}

export const quietAdmin = (brokers: string) => kafka(brokers, "chaos-admin").admin();

export const quietProducer = (brokers: string, clientId: string) =>
  kafka(brokers, clientId).producer({ kafkaJS: { idempotent: true, acks: -1 } });

export const quietConsumer = (brokers: string, clientId: string, groupId: string) =>
  kafka(brokers, clientId).consumer({
    "js.consumer.max.batch.size": 500,
    kafkaJS: { groupId, fromBeginning: true, autoCommit: true },
  });
