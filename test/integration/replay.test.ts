import { randomUUID } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PaymentCommand } from "../../core/domain/commands.ts";
import { AvroCodec } from "../../core/infra/avro-codec.ts";
import { encodeCommand } from "../../core/infra/command-codec.ts";
import { createProducer, ensureTopics, type Producer } from "../../core/infra/kafka.ts";
import { COMMAND_SCHEMA_FILE } from "../../core/infra/topics.ts";
import { readCommandFile, readCommandTopic, toJsonLines } from "../../scripts/replay/command-sources.ts";
import { replayCommands } from "../../scripts/replay/replay.ts";
import { newCreateCommand } from "../helpers/factories.ts";
import { stackEnv, testKafka } from "../helpers/stack-env.ts";

const kafka = testKafka("test-replay");
const TARGET = process.env.COMMAND_TOPIC ?? "payment.commands.v1";
const codec = new AvroCodec(stackEnv.registryUrl);
const db = new pg.Pool({ connectionString: stackEnv.databaseUrl, max: 2 });
let producer: Producer;

beforeAll(async () => {
  await codec.register(TARGET, COMMAND_SCHEMA_FILE);
  producer = createProducer(kafka);
  await producer.connect();
});
afterAll(async () => {
  await producer.disconnect();
  await db.end();
});

/** A recorded sample: four payments, one of which the PSP declines. */
function sample(): PaymentCommand[] {
  return ["pm_card_visa", "pm_card_mastercard", "pm_card_chargeDeclined", "pm_card_visa"].flatMap((token) => {
    const create = newCreateCommand(token);
    const confirm: PaymentCommand = {
      ...create,
      commandId: randomUUID(),
      type: "confirm",
      body: { payment_method: null },
    };
    return [create, confirm];
  });
}

const replay = (commands: PaymentCommand[], rate: number) =>
  replayCommands({ commands, codec, producer, db, targetTopic: TARGET, rate, settleTimeoutMs: 60_000 });

describe("npm run replay", () => {
  it("replays a recorded file under fresh ids and summarises the outcomes", async () => {
    const dir = await mkdtemp(join(tmpdir(), "replay-"));
    const file = join(dir, "commands.jsonl");
    await writeFile(file, toJsonLines(sample()));
    const report = await replay(await readCommandFile(file), 0);
    expect(report).toMatchObject({ commands: 8, payments: 4, applied: 8 });
    expect(report.outcomes).toEqual({ succeeded: 3, failed: 1, processing: 0, other: {}, missing: 0 });
    expect(report.appliedPerSec).toBeGreaterThan(0);
  });

  it("replays a topic at a given rate, twice, without the copies colliding", async () => {
    const source = `test.replay.${randomUUID().slice(0, 8)}.commands`;
    await ensureTopics(kafka, [{ topic: source, numPartitions: 3 }]);
    await codec.register(source, COMMAND_SCHEMA_FILE);
    const commands = sample();
    await producer.send({
      topic: source,
      messages: commands.map((c) => ({ key: c.paymentId, value: encodeCommand(codec, source, c) })),
    });
    const read = await readCommandTopic(kafka, codec, source, 100);
    expect(read.map((c) => c.commandId).sort()).toEqual(commands.map((c) => c.commandId).sort());

    const first = await replay(read, 40);
    const second = await replay(read, 40);
    for (const report of [first, second]) {
      expect(report.applied).toBe(8);
      expect(report.outcomes).toMatchObject({ succeeded: 3, failed: 1, processing: 0, missing: 0 });
    }
    expect(first.produceSeconds).toBeGreaterThanOrEqual(0.1);
  });
});
