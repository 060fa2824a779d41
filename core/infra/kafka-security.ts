import { z } from "zod";
import { setting } from "./config-schema/setting.ts";
import type { KafkaSettings } from "./kafka.ts";

/**
 * Who a Kafka client authenticates as (deploy/kafka/acls.conf). The autopay consumer runs in the
 * processor process but is an entry point for commands, so it uses the ingress role; `admin` is for
 * tests and operator tools (replay, bench, chaos), never for the service.
 */
export type KafkaRole = "ingress" | "processor" | "relay" | "admin";

/** DEV DEFAULT: the local stack's SCRAM users are named after their role (scripts/stack/kafka-security.sh). */
export const devKafkaPassword = (role: KafkaRole) => `${role}-dev-only`;
const DEV_PASSWORDS = new Set((["ingress", "processor", "relay", "admin"] as const).map(devKafkaPassword));

const upper = (v: unknown) => (typeof v === "string" ? v.toUpperCase() : v);
const PROTOCOLS = ["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] as const;
const optional = z.string().min(1).optional();

const credential = (role: string, part: "user name" | "password") =>
  setting(optional, {
    description: `SASL ${part} of the ${role} role; wins over KAFKA_SASL_${part === "password" ? "PASSWORD" : "USERNAME"}.`,
    ...(part === "password" ? { secret: true as const } : {}),
  });

/** Environment variables of the Kafka client security settings, merged into the service config. */
export const kafkaSecurityEnvShape = {
  KAFKA_SECURITY_PROTOCOL: setting(z.preprocess(upper, z.enum(PROTOCOLS)).optional(), {
    description: "Unset: SASL_PLAINTEXT (the local stack) outside production.",
    production: "required: SASL_SSL",
  }),
  KAFKA_SASL_MECHANISM: setting(
    z.preprocess(upper, z.enum(["SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"])).default("SCRAM-SHA-512"),
    { description: "SASL mechanism of every role." },
  ),
  KAFKA_SASL_USERNAME: setting(optional, {
    description: "One SASL user for every role (a role's own pair wins).",
    production: "this pair or each role's own",
  }),
  KAFKA_SASL_PASSWORD: setting(optional, {
    description: "Password of KAFKA_SASL_USERNAME.",
    production: "not a DEV DEFAULT password",
    secret: true,
  }),
  KAFKA_INGRESS_SASL_USERNAME: credential("ingress", "user name"),
  KAFKA_INGRESS_SASL_PASSWORD: credential("ingress", "password"),
  KAFKA_PROCESSOR_SASL_USERNAME: credential("processor", "user name"),
  KAFKA_PROCESSOR_SASL_PASSWORD: credential("processor", "password"),
  KAFKA_RELAY_SASL_USERNAME: credential("relay", "user name"),
  KAFKA_RELAY_SASL_PASSWORD: credential("relay", "password"),
  KAFKA_ADMIN_SASL_USERNAME: credential("admin (tools: replay, bench, chaos)", "user name"),
  KAFKA_ADMIN_SASL_PASSWORD: credential("admin (tools: replay, bench, chaos)", "password"),
  KAFKA_SSL_CA_LOCATION: setting(optional, {
    description: "CA bundle for the broker certificates (SSL and SASL_SSL).",
  }),
  KAFKA_SSL_CERTIFICATE_LOCATION: setting(optional, { description: "Client certificate, for mTLS." }),
  KAFKA_SSL_KEY_LOCATION: setting(optional, { description: "Client key, for mTLS." }),
  KAFKA_SSL_KEY_PASSWORD: setting(optional, { description: "Password of the client key.", secret: true }),
  KAFKA_SSL_ENDPOINT_IDENTIFICATION: setting(z.enum(["https", "none"]).default("https"), {
    description: "Whether the broker's certificate must name its host.",
    production: "must be https",
  }),
};

const kafkaSecurityEnvSchema = z.object(kafkaSecurityEnvShape);
export type KafkaSecurityEnv = z.infer<typeof kafkaSecurityEnvSchema>;

export type KafkaSecurityProtocol = (typeof PROTOCOLS)[number];

export interface KafkaSecurity {
  protocol: KafkaSecurityProtocol;
  sasl?: { mechanism: string; username: string; password: string };
  ssl: Record<string, string>;
}

export function parseKafkaSecurityEnv(env: NodeJS.ProcessEnv): KafkaSecurityEnv {
  return kafkaSecurityEnvSchema.parse(env);
}

const roleKey = (role: KafkaRole, part: "USERNAME" | "PASSWORD") =>
  `KAFKA_${role.toUpperCase()}_SASL_${part}` as keyof KafkaSecurityEnv;

/** The role's own pair, else the shared pair, else (outside production) the DEV DEFAULT user of the role. */
function credentials(env: KafkaSecurityEnv, role: KafkaRole, production: boolean) {
  const own = env[roleKey(role, "USERNAME")];
  if (own)
    return {
      username: own,
      password: env[roleKey(role, "PASSWORD")],
      source: `KAFKA_${role.toUpperCase()}_SASL_*`,
    };
  if (env.KAFKA_SASL_USERNAME)
    return { username: env.KAFKA_SASL_USERNAME, password: env.KAFKA_SASL_PASSWORD, source: "KAFKA_SASL_*" };
  if (production)
    return { username: undefined, password: undefined, source: `KAFKA_${role.toUpperCase()}_SASL_*` };
  return { username: role, password: devKafkaPassword(role), source: "dev default" };
}

const protocolOf = (env: KafkaSecurityEnv, production: boolean) =>
  env.KAFKA_SECURITY_PROTOCOL ?? (production ? undefined : "SASL_PLAINTEXT");

/** What production refuses: anything but SASL_SSL with a verified broker name, or a DEV DEFAULT password. */
export function kafkaSecurityProblems(env: KafkaSecurityEnv, production: boolean): string[] {
  if (!production) return [];
  const problems: string[] = [];
  if (protocolOf(env, true) !== "SASL_SSL") {
    problems.push(
      `KAFKA_SECURITY_PROTOCOL must be SASL_SSL in production (is ${env.KAFKA_SECURITY_PROTOCOL ?? "unset"})`,
    );
  }
  if (env.KAFKA_SSL_ENDPOINT_IDENTIFICATION === "none") {
    problems.push("KAFKA_SSL_ENDPOINT_IDENTIFICATION=none is refused in production");
  }
  for (const [key, value] of Object.entries(env)) {
    if (key.endsWith("SASL_PASSWORD") && typeof value === "string" && DEV_PASSWORDS.has(value)) {
      problems.push(`${key} is a DEV DEFAULT password, refused in production`);
    }
  }
  return problems;
}

/** The role's security settings; throws when SASL is on and the role has no complete credential. */
export function kafkaSecurityFor(env: KafkaSecurityEnv, role: KafkaRole, production: boolean): KafkaSecurity {
  const protocol = protocolOf(env, production);
  if (!protocol) throw new Error("KAFKA_SECURITY_PROTOCOL is required in production");
  const ssl: Record<string, string> = {};
  if (protocol.endsWith("SSL")) {
    const files = {
      "ssl.ca.location": env.KAFKA_SSL_CA_LOCATION,
      "ssl.certificate.location": env.KAFKA_SSL_CERTIFICATE_LOCATION,
      "ssl.key.location": env.KAFKA_SSL_KEY_LOCATION,
      "ssl.key.password": env.KAFKA_SSL_KEY_PASSWORD,
    };
    for (const [key, value] of Object.entries(files)) if (value) ssl[key] = value;
    ssl["ssl.endpoint.identification.algorithm"] = env.KAFKA_SSL_ENDPOINT_IDENTIFICATION;
  }
  if (!protocol.startsWith("SASL")) return { protocol, ssl };
  const { username, password, source } = credentials(env, role, production);
  if (!username || !password) {
    throw new Error(`Kafka ${role} credentials missing: set ${source} (username and password)`);
  }
  return { protocol, sasl: { mechanism: env.KAFKA_SASL_MECHANISM, username, password }, ssl };
}

/** librdkafka properties for the settings (security.protocol, sasl.*, ssl.*). */
export function rdkafkaSecurityProperties(security: KafkaSecurity): Record<string, string> {
  const sasl: Record<string, string> = security.sasl
    ? {
        "sasl.mechanisms": security.sasl.mechanism,
        "sasl.username": security.sasl.username,
        "sasl.password": security.sasl.password,
      }
    : {};
  return { "security.protocol": security.protocol.toLowerCase(), ...sasl, ...security.ssl };
}

/** Kafka client settings of a role, from the parsed config (production decided by its NODE_ENV). */
export function kafkaSettingsFor(
  config: KafkaSecurityEnv & { NODE_ENV: string; KAFKA_BROKERS: string; KAFKA_CLIENT_ID: string },
  role: KafkaRole,
  clientId = `${config.KAFKA_CLIENT_ID}-${role}`,
): KafkaSettings {
  const security = kafkaSecurityFor(config, role, config.NODE_ENV === "production");
  return { brokers: config.KAFKA_BROKERS, clientId, security };
}
