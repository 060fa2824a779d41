import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { AvroCodec } from "../../core/infra/avro-codec.ts";
import { COMMAND_SCHEMA_FILE } from "../../core/infra/topics.ts";
import { stackEnv } from "../helpers/stack-env.ts";

describe("schema registration at start-up", () => {
  it("succeeds for processes racing on a new subject, which ends with BACKWARD compatibility", async () => {
    const topic = `test.registration-race.${randomUUID().slice(0, 8)}.v1`;
    const codecs = Array.from({ length: 20 }, () => new AvroCodec(stackEnv.registryUrl));
    const ids = await Promise.all(codecs.map((c) => c.register(topic, COMMAND_SCHEMA_FILE)));
    expect(new Set(ids).size).toBe(1);
    const config = (await fetch(`${stackEnv.registryUrl}/config/${topic}-value`).then((r) => r.json())) as {
      compatibilityLevel: string;
    };
    expect(config.compatibilityLevel).toBe("BACKWARD");
    await fetch(`${stackEnv.registryUrl}/subjects/${topic}-value`, { method: "DELETE" });
  });
});
