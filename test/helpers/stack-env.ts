import type { KafkaSettings } from "../../core/infra/kafka.ts";
import { kafkaSecurityFor, parseKafkaSecurityEnv } from "../../core/infra/kafka-security.ts";

/** Addresses of the running stack, from the environment (defaults match `npm run stack:up`). */
export const stackEnv = {
  databaseUrl: process.env.DATABASE_URL ?? "postgres://payments:payments@127.0.0.1:55432/payments",
  kafkaBrokers: process.env.KAFKA_BROKERS ?? "127.0.0.1:9092",
  registryUrl: process.env.SCHEMA_REGISTRY_URL ?? "http://127.0.0.1:8081/apis/ccompat/v7",
  stripeBase: process.env.STRIPE_API_BASE ?? "http://127.0.0.1:12111",
  adyenBase: process.env.ADYEN_API_BASE ?? "http://127.0.0.1:12112",
  fraudBase: process.env.FRAUD_API_BASE ?? "http://127.0.0.1:12113",
};

/**
 * Kafka settings for the tests' own clients (taps, fault injection, topic setup): the stack's admin
 * principal (KAFKA_ADMIN_SASL_*, DEV DEFAULT admin), a super user. The services under test never use
 * it: they authenticate as ingress and processor, as in production.
 */
export function testKafka(clientId: string): KafkaSettings {
  const security = kafkaSecurityFor(parseKafkaSecurityEnv(process.env), "admin", false);
  return { brokers: stackEnv.kafkaBrokers, clientId, security };
}
