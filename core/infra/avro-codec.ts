import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { SchemaRegistry, SchemaType } from "@kafkajs/confluent-schema-registry";
import avro from "avsc";
import { valueSubject } from "./topics.ts";

const AVRO_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "avro");
const MAGIC_BYTE = 0;

interface Registered {
  id: number;
  type: avro.Type;
}

/**
 * Encodes values in the Confluent wire format (magic byte, 4-byte schema id, Avro body).
 * Schemas are registered once at start-up; encoding is then local and synchronous.
 */
export class AvroCodec {
  readonly registry: SchemaRegistry;
  private readonly byTopic = new Map<string, Registered>();

  constructor(private readonly registryUrl: string) {
    this.registry = new SchemaRegistry({ host: registryUrl });
  }

  async register(topic: string, schemaFile: string): Promise<number> {
    const schema = await readFile(join(AVRO_DIR, schemaFile), "utf8");
    const subject = valueSubject(topic);
    const register = () => this.registry.register({ type: SchemaType.AVRO, schema }, { subject });
    let registered: { id: number } | undefined;
    for (let attempt = 1; !registered; attempt++) {
      try {
        registered = await register();
      } catch (err) {
        // Processes starting together race on a new subject: the loser sees the registry default (NONE)
        // before the winner set BACKWARD, or trips over the rule the winner just created. Both settle.
        const { name, message } = err as Error;
        const race = name === "ConfluentSchemaRegistryCompatibilityError" || /already exists/i.test(message);
        if (!race || attempt >= 5) throw err;
        if (name === "ConfluentSchemaRegistryCompatibilityError")
          await this.setBackwardCompatibility(subject);
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
    const { id } = registered;
    this.byTopic.set(topic, { id, type: avro.Type.forSchema(JSON.parse(schema)) });
    return id;
  }

  private async setBackwardCompatibility(subject: string): Promise<void> {
    const res = await fetch(`${this.registryUrl}/config/${encodeURIComponent(subject)}`, {
      method: "PUT",
      headers: { "content-type": "application/vnd.schemaregistry.v1+json" },
      body: JSON.stringify({ compatibility: "BACKWARD" }),
    });
    if (!res.ok && res.status !== 409)
      throw new Error(`setting BACKWARD on ${subject} failed: ${res.status}`);
  }

  encode(topic: string, value: unknown): Buffer {
    const registered = this.byTopic.get(topic);
    if (!registered) throw new Error(`no schema registered for topic ${topic}`);
    const body = registered.type.toBuffer(value);
    const header = Buffer.alloc(5);
    header.writeUInt8(MAGIC_BYTE, 0);
    header.writeInt32BE(registered.id, 1);
    return Buffer.concat([header, body]);
  }

  /** Decodes any Confluent-framed Avro value, fetching the writer schema by id from the registry. */
  async decode<T>(buffer: Buffer): Promise<T> {
    return (await this.registry.decode(buffer)) as T;
  }
}
