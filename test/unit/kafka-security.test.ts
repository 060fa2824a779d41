import { describe, expect, it } from "vitest";
import { loadConfig } from "../../core/infra/config.ts";
import {
  kafkaSecurityFor,
  kafkaSecurityProblems,
  kafkaSettingsFor,
  parseKafkaSecurityEnv,
  rdkafkaSecurityProperties,
} from "../../core/infra/kafka-security.ts";

const productionEnv = {
  KAFKA_SECURITY_PROTOCOL: "sasl_ssl",
  KAFKA_SSL_CA_LOCATION: "/etc/kafka/ca.pem",
  KAFKA_INGRESS_SASL_USERNAME: "payments-ingress",
  KAFKA_INGRESS_SASL_PASSWORD: "s3cret-ingress",
  KAFKA_PROCESSOR_SASL_USERNAME: "payments-processor",
  KAFKA_PROCESSOR_SASL_PASSWORD: "s3cret-processor",
};

describe("Kafka client security from the environment", () => {
  it("defaults to the local stack's SASL_PLAINTEXT and DEV DEFAULT user of each role outside production", () => {
    const settings = kafkaSettingsFor(loadConfig({ KAFKA_BROKERS: "127.0.0.1:39192" }), "processor");
    expect(settings.clientId).toBe("payment-service-processor");
    expect(rdkafkaSecurityProperties(settings.security)).toEqual({
      "security.protocol": "sasl_plaintext",
      "sasl.mechanisms": "SCRAM-SHA-512",
      "sasl.username": "processor",
      "sasl.password": "processor-dev-only",
    });
  });

  it("gives each role its own pair, else the shared pair", () => {
    const env = parseKafkaSecurityEnv({
      KAFKA_SASL_USERNAME: "shared",
      KAFKA_SASL_PASSWORD: "shared-pw",
      KAFKA_RELAY_SASL_USERNAME: "relay-user",
      KAFKA_RELAY_SASL_PASSWORD: "relay-pw",
    });
    expect(kafkaSecurityFor(env, "relay", false).sasl).toMatchObject({
      username: "relay-user",
      password: "relay-pw",
    });
    expect(kafkaSecurityFor(env, "ingress", false).sasl).toMatchObject({
      username: "shared",
      password: "shared-pw",
    });
  });

  it("maps TLS settings to librdkafka properties, with hostname verification on by default", () => {
    const security = kafkaSecurityFor(parseKafkaSecurityEnv(productionEnv), "ingress", true);
    expect(rdkafkaSecurityProperties(security)).toEqual({
      "security.protocol": "sasl_ssl",
      "sasl.mechanisms": "SCRAM-SHA-512",
      "sasl.username": "payments-ingress",
      "sasl.password": "s3cret-ingress",
      "ssl.ca.location": "/etc/kafka/ca.pem",
      "ssl.endpoint.identification.algorithm": "https",
    });
  });

  it("accepts SASL_SSL with real credentials in production", () => {
    expect(kafkaSecurityProblems(parseKafkaSecurityEnv(productionEnv), true)).toEqual([]);
  });

  it.each(["PLAINTEXT", "SASL_PLAINTEXT", "SSL"])("refuses %s in production", (protocol) => {
    const env = parseKafkaSecurityEnv({ ...productionEnv, KAFKA_SECURITY_PROTOCOL: protocol });
    expect(kafkaSecurityProblems(env, true).join()).toMatch(/must be SASL_SSL/);
  });

  it("refuses an unset protocol, DEV DEFAULT passwords and unverified broker names in production", () => {
    const env = parseKafkaSecurityEnv({
      ...productionEnv,
      KAFKA_SECURITY_PROTOCOL: undefined,
      KAFKA_PROCESSOR_SASL_PASSWORD: "processor-dev-only",
      KAFKA_SSL_ENDPOINT_IDENTIFICATION: "none",
    });
    const problems = kafkaSecurityProblems(env, true).join("\n");
    expect(problems).toMatch(/must be SASL_SSL in production \(is unset\)/);
    expect(problems).toMatch(/KAFKA_PROCESSOR_SASL_PASSWORD is a DEV DEFAULT/);
    expect(problems).toMatch(/KAFKA_SSL_ENDPOINT_IDENTIFICATION=none/);
  });

  it("has no DEV DEFAULT credentials in production: a role without a credential fails", () => {
    const env = parseKafkaSecurityEnv(productionEnv);
    expect(() => kafkaSecurityFor(env, "relay", true)).toThrow(
      /relay credentials missing: set KAFKA_RELAY_SASL_\*/,
    );
  });

  it("stops the service at boot when production asks for PLAINTEXT", () => {
    expect(() => loadConfig({ NODE_ENV: "production", KAFKA_SECURITY_PROTOCOL: "PLAINTEXT" })).toThrow(
      /KAFKA_SECURITY_PROTOCOL: KAFKA_SECURITY_PROTOCOL must be SASL_SSL/,
    );
  });
});
