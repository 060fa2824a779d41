import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { loadConfig } from "../../core/infra/config.ts";
import { serviceTopics } from "../../core/infra/schemas.ts";

const K8S = "deploy/k8s";
const docs = (path: string) =>
  parseAllDocuments(readFileSync(path, "utf8")).map((d) => d.toJS()) as Array<Record<string, any>>;

/** KEY=VALUE literals of the payment-config generator of one kustomization. */
function literals(path: string): Record<string, string> {
  const kustomization = parse(readFileSync(path, "utf8"));
  const generator = kustomization.configMapGenerator?.find((g: any) => g.name === "payment-config");
  return Object.fromEntries(
    ((generator?.literals ?? []) as string[]).map((l) => [
      l.slice(0, l.indexOf("=")),
      l.slice(l.indexOf("=") + 1),
    ]),
  );
}

/** What the Secrets hold (deploy/k8s/base/secrets.md), with values production accepts. */
const SECRETS = {
  DATABASE_URL: "postgres://payments:s3cret-not-dev@payments-postgres:5432/payments?sslmode=verify-full",
  STRIPE_WEBHOOK_SECRETS: "whsec_abcdef",
  ADYEN_API_KEY: "AQE-not-dev",
  ADYEN_MERCHANT_ACCOUNT: "ShopECOM",
  ADYEN_HMAC_KEYS: "ab".repeat(32),
  FRAUD_API_KEY: "fraud-not-dev",
  DATA_KEKS: `k2026:${randomBytes(32).toString("base64")}`,
  KAFKA_INGRESS_SASL_PASSWORD: "ingress-from-strimzi",
  KAFKA_PROCESSOR_SASL_PASSWORD: "processor-from-strimzi",
  KAFKA_RELAY_SASL_PASSWORD: "relay-from-strimzi",
  OPS_CONSOLE_SESSION_SECRET: "ops-console-session-secret-from-vault-9c1d",
};

describe("deploy/k8s", () => {
  it("declares every topic the service uses, with the partition counts it creates them with (ADR 0001, 0002)", () => {
    const declared = new Map(
      docs(`${K8S}/base/kafka-topics.yaml`)
        .filter((d) => d.kind === "KafkaTopic")
        .map((t) => [t.spec.topicName ?? t.metadata.name, t.spec.partitions]),
    );
    const expected = new Map(serviceTopics(loadConfig({})).map((t) => [t.topic, t.numPartitions]));
    expect(expected.get("payment.commands.v1")).toBe(12);
    expect(declared).toEqual(expected);
  });

  it("runs the Debezium connector of the local stack (deploy/debezium), with only its placeholders filled in", () => {
    const stack = JSON.parse(readFileSync("deploy/debezium/payment-outbox-connector.json", "utf8")) as Record<
      string,
      string
    >;
    const [connector] = docs(`${K8S}/components/debezium/kafka-connector.yaml`);
    expect(connector?.spec.class).toBe(stack["connector.class"]);
    expect(String(connector?.spec.tasksMax)).toBe(stack["tasks.max"]);
    const config = connector?.spec.config as Record<string, string>;
    for (const [key, value] of Object.entries(stack)) {
      if (key === "connector.class" || key === "tasks.max") continue;
      if (value.startsWith("@")) expect(config[key], key).toMatch(/^[^@]+$/);
      else expect(config[key], key).toBe(value);
    }
    const extra = Object.keys(config).filter((k) => !(k in stack));
    expect(extra).toEqual(["database.sslmode"]);
    // Credentials come from a Secret through Connect's config provider, never written here.
    expect(config["database.password"]).toMatch(/^\$\{secrets:[^}]+\}$/);
  });

  it("gives each overlay a configuration that the service accepts, production's with the production guards", () => {
    const base = literals(`${K8S}/base/kustomization.yaml`);
    const prod = {
      ...base,
      ...literals(`${K8S}/components/debezium/kustomization.yaml`),
      ...literals(`${K8S}/overlays/prod/kustomization.yaml`),
    };
    expect(prod.NODE_ENV).toBe("production");
    const live = loadConfig({ ...prod, ...SECRETS, STRIPE_API_KEY: "sk_live_abc" });
    expect(live).toMatchObject({ production: true, PSP_ENVIRONMENT: "live", OUTBOX_PUBLISHER: "debezium" });
    const dev = loadConfig({
      ...base,
      ...literals(`${K8S}/overlays/dev/kustomization.yaml`),
      ...SECRETS,
      STRIPE_API_KEY: "sk_test_abc",
    });
    expect(dev).toMatchObject({ production: false, OUTBOX_PUBLISHER: "relay", OUTBOX_RELAY_EMBEDDED: false });
    // Nothing secret is written in a kustomization: every secret arrives from a Secret.
    for (const key of [...Object.keys(SECRETS), "STRIPE_API_KEY"]) expect(prod[key], key).toBeUndefined();
  });

  it("probes each role on the port and paths its ops listener serves", () => {
    const ports: Record<string, string> = { ingress: "http", processor: "ops", relay: "ops" };
    for (const role of ["ingress", "processor", "relay"] as const) {
      const [deployment] = docs(`${K8S}/base/${role}.yaml`).filter((d) => d.kind === "Deployment");
      const [container] = deployment?.spec.template.spec.containers ?? [];
      expect(container.livenessProbe.httpGet).toEqual({ path: "/healthz", port: ports[role] });
      expect(container.readinessProbe.httpGet).toEqual({ path: "/readyz", port: ports[role] });
      const env = container.env as Array<{ name: string; value?: string }>;
      expect(env.filter((e) => e.name.endsWith("PASSWORD") && e.value !== undefined)).toEqual([]);
    }
  });
});
