import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { AvroSchemaParser } from "@asyncapi/avro-schema-parser";
import {
  type AsyncAPIDocumentInterface,
  type Diagnostic,
  DiagnosticSeverity,
  Parser,
} from "@asyncapi/parser";
import { beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { loadConfig } from "../../core/infra/config.ts";
import { serviceTopics } from "../../core/infra/schemas.ts";
import * as topicsModule from "../../core/infra/topics.ts";
import {
  COMMAND_SCHEMA_FILE,
  EVENT_SCHEMA_FILES,
  EVENT_TOPICS,
  WEBHOOK_SCHEMA_FILE,
} from "../../core/infra/topics.ts";
import { AVRO_DIR, currentSchemaFiles, REPO_ROOT } from "../helpers/avro-contracts.ts";

const DOC_PATH = join(REPO_ROOT, "asyncapi.yaml");
const DOC_TEXT = readFileSync(DOC_PATH, "utf8");
const AVRO_FORMAT = /^application\/vnd\.apache\.avro(\+json|\+yaml)?;version=1\.\d+\.\d+$/;
const TOPIC_NAME = /^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*\.v[0-9]+$/;
const config = loadConfig({ NODE_ENV: "test" });

/** Topics the code names: every topic-shaped string exported by core/infra/topics.ts, and the config defaults. */
function topicsInCode(): Set<string> {
  const found = new Set<string>();
  const visit = (value: unknown) => {
    if (typeof value === "string") {
      if (TOPIC_NAME.test(value)) found.add(value);
    } else if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) {
        visit(k);
        visit(v);
      }
    }
  };
  visit(Object.values(topicsModule).filter((v) => typeof v !== "function"));
  for (const [key, value] of Object.entries(config)) if (key.endsWith("_TOPIC")) visit(value);
  for (const t of serviceTopics(config)) visit(t.topic);
  return found;
}

/**
 * Topics this document describes before any code in core/infra names them. Each entry says who owns
 * it; remove it once the topic is in core/infra/topics.ts or the config.
 */
const DOCUMENTED_AHEAD_OF_CODE: Record<string, string> = {};

type Raw = Record<string, unknown>;
const raw = parseYaml(DOC_TEXT) as Raw;
const rawMessages = (raw.components as Raw).messages as Record<string, Raw>;
const rawChannels = raw.channels as Record<string, Raw>;

/** The .avsc file a raw message's payload $ref points at (relative to the document), if it is an Avro payload. */
function avroRef(message: Raw): string | undefined {
  const payload = message.payload as Raw | undefined;
  if (typeof payload?.schemaFormat !== "string" || !AVRO_FORMAT.test(payload.schemaFormat)) return undefined;
  const ref = (payload.schema as Raw | undefined)?.$ref;
  if (typeof ref !== "string")
    throw new Error("Avro payloads must $ref a file in avro/, not inline a schema");
  return ref;
}

/** A channel's raw message, following its $ref into components.messages. */
function rawMessage(channelId: string, messageId: string): Raw {
  const message = ((rawChannels[channelId]?.messages ?? {}) as Record<string, Raw>)[messageId];
  if (!message) throw new Error(`no message ${messageId} in channel ${channelId}`);
  const ref = message.$ref;
  if (typeof ref !== "string") return message;
  const target = rawMessages[ref.replace("#/components/messages/", "")];
  if (!target) throw new Error(`${channelId}: dangling message ref ${ref}`);
  return target;
}

/** All raw messages of a channel. */
const rawMessagesOf = (channelId: string): Raw[] =>
  Object.keys((rawChannels[channelId]?.messages ?? {}) as Raw).map((m) => rawMessage(channelId, m));

const errorsAndWarnings = (diagnostics: Diagnostic[]) =>
  diagnostics
    .filter((d) => d.severity === DiagnosticSeverity.Error || d.severity === DiagnosticSeverity.Warning)
    .map((d) => `${d.code}: ${d.message} at ${d.path.join(".")}`);

function newParser(): Parser {
  const parser = new Parser();
  parser.registerSchemaParser(AvroSchemaParser());
  return parser;
}

let doc: AsyncAPIDocumentInterface;

beforeAll(async () => {
  const { document, diagnostics } = await newParser().parse(DOC_TEXT, { source: DOC_PATH });
  expect(errorsAndWarnings(diagnostics)).toEqual([]);
  if (!document) throw new Error("asyncapi.yaml did not parse");
  doc = document;
});

describe("asyncapi.yaml", () => {
  it("is AsyncAPI 3.0.0 and validates with @asyncapi/parser (Avro payloads resolved and parsed)", () => {
    expect(doc.version()).toBe("3.0.0");
    expect(doc.channels().length).toBeGreaterThan(0);
  });

  it("gives the Kafka server and the schema registry the service uses", () => {
    const servers = doc.servers().all();
    expect(servers.length).toBeGreaterThan(0);
    for (const server of servers) {
      expect(server.protocol()).toBe("kafka");
      const kafka = server.bindings().get("kafka")?.value() as Raw | undefined;
      expect(kafka?.schemaRegistryUrl).toBe(config.SCHEMA_REGISTRY_URL);
    }
    expect(servers.map((s) => s.host())).toContain(config.KAFKA_BROKERS.split(",")[0]);
  });

  it("uses only known topics as channel addresses, each once", () => {
    const known = new Set([...topicsInCode(), ...Object.keys(DOCUMENTED_AHEAD_OF_CODE)]);
    const addresses = doc
      .channels()
      .all()
      .map((c) => c.address());
    expect(addresses.filter((a) => !a || !known.has(a))).toEqual([]);
    expect(new Set(addresses).size).toBe(addresses.length);
  });

  it("describes every topic named in core/infra (topics.ts, config, serviceTopics)", () => {
    const addresses = new Set(
      doc
        .channels()
        .all()
        .map((c) => c.address()),
    );
    const code = [...topicsInCode()];
    expect(code).toEqual(expect.arrayContaining(Object.values(EVENT_TOPICS)));
    expect(code.filter((t) => !addresses.has(t))).toEqual([]);
  });

  it("gives each topic the partition count the service creates it with", () => {
    for (const { topic, numPartitions } of serviceTopics(config)) {
      const channel = doc
        .channels()
        .all()
        .find((c) => c.address() === topic);
      const kafka = channel?.bindings().get("kafka")?.value() as Raw | undefined;
      expect({ topic, partitions: kafka?.partitions }).toEqual({ topic, partitions: numPartitions });
    }
  });

  it("references only .avsc files that exist in avro/", () => {
    for (const [name, message] of Object.entries(rawMessages)) {
      const ref = avroRef(message);
      if (!ref) continue;
      const file = resolve(dirname(DOC_PATH), ref);
      expect(relative(AVRO_DIR, file), `${name}: ${ref} is not directly in avro/`).toMatch(/^[^/\\]+\.avsc$/);
      expect(existsSync(file), `${name}: ${ref} does not exist`).toBe(true);
    }
  });

  it("documents every .avsc in avro/ (no undocumented contract)", () => {
    const referenced = new Set(
      Object.values(rawMessages)
        .map(avroRef)
        .filter((r): r is string => r !== undefined)
        .map((r) => relative(AVRO_DIR, resolve(dirname(DOC_PATH), r))),
    );
    expect(currentSchemaFiles().filter((f) => !referenced.has(f))).toEqual([]);
  });

  it("maps each topic to the schema file the service registers for it", () => {
    const expected: Record<string, string> = {
      ...EVENT_SCHEMA_FILES,
      [config.COMMAND_TOPIC]: COMMAND_SCHEMA_FILE,
      [config.WEBHOOK_TOPIC]: WEBHOOK_SCHEMA_FILE,
    };
    for (const [topic, file] of Object.entries(expected)) {
      const id = Object.keys(rawChannels).find((k) => rawChannels[k]?.address === topic);
      if (!id) throw new Error(`no channel for ${topic}`);
      expect(rawMessagesOf(id).map(avroRef)).toEqual([`./avro/${file}`]);
    }
  });

  it("resolves each Avro payload to the fields of its .avsc", () => {
    let checked = 0;
    for (const channel of doc.channels().all()) {
      for (const message of channel.messages().all()) {
        const ref = avroRef(rawMessage(channel.id(), message.id()));
        if (!ref) continue;
        expect(message.schemaFormat()).toMatch(AVRO_FORMAT);
        const avsc = JSON.parse(readFileSync(resolve(dirname(DOC_PATH), ref), "utf8")) as {
          fields: { name: string }[];
        };
        expect(Object.keys(message.payload()?.properties() ?? {}), ref).toEqual(
          avsc.fields.map((f) => f.name),
        );
        checked++;
      }
    }
    expect(checked).toBe(currentSchemaFiles().length);
  });

  it("gives every message a key, headers and a payload; Avro ones in the Confluent wire format", () => {
    for (const channel of doc.channels().all()) {
      const messages = channel.messages().all();
      expect(messages.length, channel.address() ?? channel.id()).toBeGreaterThan(0);
      for (const message of messages) {
        const where = `${channel.address()} ${message.id()}`;
        const kafka = message.bindings().get("kafka")?.value() as Raw | undefined;
        expect((kafka?.key as Raw | undefined)?.type, `${where}: key`).toBe("string");
        expect(message.headers()?.json(), `${where}: headers`).toBeDefined();
        expect(message.payload(), `${where}: payload`).toBeDefined();
        if (AVRO_FORMAT.test(message.schemaFormat() ?? "")) {
          expect(kafka, where).toMatchObject({
            schemaIdLocation: "payload",
            schemaIdPayloadEncoding: "confluent",
            schemaLookupStrategy: "TopicNameStrategy",
          });
        }
      }
    }
  });

  it("keys payment topics by payment_id and order.created by order_id", () => {
    const keyOf = (topic: string) => {
      const channel = doc
        .channels()
        .all()
        .find((c) => c.address() === topic);
      const message = channel?.messages().all()[0];
      return (message?.bindings().get("kafka")?.value() as Raw | undefined)?.key as Raw | undefined;
    };
    for (const topic of [config.COMMAND_TOPIC, ...Object.values(EVENT_TOPICS)]) {
      expect(keyOf(topic), topic).toMatchObject({ type: "string", format: "uuid" });
    }
    expect(keyOf(config.ORDER_CREATED_TOPIC)).toMatchObject({ type: "string", pattern: "^[0-9]+$" });
  });

  it("documents the event, command and DLQ headers", () => {
    const headersOf = (topic: string) => {
      const channel = doc
        .channels()
        .all()
        .find((c) => c.address() === topic);
      return mergeAllOf(channel?.messages().all()[0]?.headers()?.json() as Raw | undefined);
    };
    for (const [kind, topic] of Object.entries(EVENT_TOPICS)) {
      const h = headersOf(topic);
      expect(h.required, topic).toEqual(expect.arrayContaining(["id", "eventType"]));
      expect(Object.keys(h.properties), topic).toEqual(
        expect.arrayContaining(["id", "eventType", "traceparent"]),
      );
      expect(h.properties.eventType?.const, topic).toBe(kind);
    }
    const command = headersOf(config.COMMAND_TOPIC);
    expect(command.required).toContain("command_type");
    expect(Object.keys(command.properties)).toEqual(expect.arrayContaining(["command_type", "traceparent"]));
    const dlq = headersOf(config.COMMAND_DLQ_TOPIC);
    const dlqHeaders = [
      "dlq_reason",
      "dlq_error",
      "dlq_source_topic",
      "dlq_source_partition",
      "dlq_source_offset",
      "dlq_at",
    ];
    expect(dlq.required).toEqual(expect.arrayContaining(dlqHeaders));
    const webhook = headersOf(config.WEBHOOK_TOPIC);
    expect(webhook.required).toContain("id");
    expect(Object.keys(webhook.properties)).toEqual(
      expect.arrayContaining(["id", "eventType", "traceparent"]),
    );
  });

  it("declares the payment service's operations on every channel", () => {
    const actions = new Map<string, Set<string>>();
    for (const op of doc.operations().all()) {
      for (const channel of op.channels().all()) {
        const address = channel.address() ?? "";
        actions.set(address, (actions.get(address) ?? new Set()).add(op.action()));
      }
      expect(op.messages().length, op.id()).toBeGreaterThan(0);
    }
    const expected: Record<string, string[]> = {
      [config.COMMAND_TOPIC]: ["receive", "send"],
      [config.COMMAND_DLQ_TOPIC]: ["send"],
      [config.ORDER_CREATED_TOPIC]: ["receive"],
      [config.WEBHOOK_TOPIC]: ["receive", "send"],
      ...Object.fromEntries(Object.values(EVENT_TOPICS).map((t) => [t, ["send"]])),
    };
    const declared = Object.fromEntries([...actions].map(([address, set]) => [address, [...set].sort()]));
    expect(declared).toEqual(expected);
  });
});

describe("the AsyncAPI check is not vacuous", () => {
  it("reports an error for a $ref to a missing .avsc", async () => {
    const broken = DOC_TEXT.replace("./avro/payment-failed.v1.avsc", "./avro/payment-failed.v9.avsc");
    const { diagnostics } = await newParser().parse(broken, { source: DOC_PATH });
    expect(diagnostics.some((d) => d.severity === DiagnosticSeverity.Error)).toBe(true);
  });

  it("reports an error for a payload that is not valid Avro", async () => {
    const broken = DOC_TEXT.replace("./avro/payment-failed.v1.avsc", "./package.json");
    const { diagnostics } = await newParser().parse(broken, { source: DOC_PATH });
    expect(diagnostics.some((d) => d.severity === DiagnosticSeverity.Error)).toBe(true);
  });

  it("reports an error for an operation on an undeclared channel", async () => {
    const broken = DOC_TEXT.replace('$ref: "#/channels/paymentFailed"', '$ref: "#/channels/paymentFailedd"');
    const { diagnostics } = await newParser().parse(broken, { source: DOC_PATH });
    expect(diagnostics.some((d) => d.severity === DiagnosticSeverity.Error)).toBe(true);
  });
});

interface Merged {
  required: string[];
  properties: Record<string, Raw | undefined>;
}

/** Flattens a headers schema's allOf (base headers + per-topic refinements) into one view. */
function mergeAllOf(schema: Raw | undefined): Merged {
  const out: Merged = { required: [], properties: {} };
  if (!schema) return out;
  for (const part of [schema, ...((schema.allOf as Raw[] | undefined) ?? [])]) {
    if (part !== schema) {
      const inner = mergeAllOf(part);
      out.required.push(...inner.required);
      for (const [k, v] of Object.entries(inner.properties))
        out.properties[k] = { ...out.properties[k], ...v };
      continue;
    }
    out.required.push(...((part.required as string[] | undefined) ?? []));
    for (const [k, v] of Object.entries((part.properties as Record<string, Raw> | undefined) ?? {})) {
      out.properties[k] = { ...out.properties[k], ...v };
    }
  }
  return out;
}
