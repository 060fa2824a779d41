import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { PaymentCommand, PaymentMethodInput } from "../../core/domain/commands.ts";
import type { AvroCodec } from "../../core/infra/avro-codec.ts";
import { decodeCommand } from "../../core/infra/command-codec.ts";
import { createAdmin, createConsumer, type KafkaSettings } from "../../core/infra/kafka.ts";
import { isSimulatorTestToken } from "../../simulators/shared/test-tokens.ts";

/** What a saved file holds instead of a real token; the simulators approve any pm_ token. */
export const STRIPPED_TOKEN = "pm_redacted";

/** Reads a command topic from the beginning up to its end at the time of the call (or `limit` commands). */
export async function readCommandTopic(
  kafka: KafkaSettings,
  codec: AvroCodec,
  topic: string,
  limit: number,
): Promise<PaymentCommand[]> {
  const admin = createAdmin(kafka);
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const remaining = new Map(
    ends.filter((p) => Number(p.high) > Number(p.low)).map((p) => [p.partition, Number(p.high)]),
  );
  const commands: PaymentCommand[] = [];
  if (remaining.size === 0) return commands;

  const consumer = createConsumer(kafka, `replay-reader-${randomUUID()}`, {
    fromBeginning: true,
    maxBatchSize: 500,
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic] });
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        const end = remaining.get(partition);
        if (end === undefined || Number(message.offset) >= end) return;
        const command = await decodeCommand(codec, message.value).catch(() => null);
        if (command && commands.length < limit) commands.push(command);
        if (Number(message.offset) >= end - 1) remaining.delete(partition);
        if (remaining.size === 0 || commands.length >= limit) resolve();
      },
    });
  });
  await consumer.disconnect();
  return commands;
}

/** A recorded file: one JSON command per line, as written by `--save`. */
export async function readCommandFile(path: string): Promise<PaymentCommand[]> {
  const text = await readFile(path, "utf8");
  return text
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => {
      const parsed = JSON.parse(line) as PaymentCommand;
      return { ...parsed, issuedAt: new Date(parsed.issuedAt) };
    });
}

/**
 * One JSON command per line, payment-method tokens stripped: a saved file must not become a copy of
 * customers' cards on file. The simulators' public test tokens are kept, so a recorded load mix keeps
 * its declines and faults when replayed.
 */
export function toJsonLines(commands: readonly PaymentCommand[]): string {
  return `${commands.map((c) => JSON.stringify(withoutToken(c))).join("\n")}\n`;
}

function withoutToken(command: PaymentCommand): PaymentCommand {
  if (command.type !== "create" && command.type !== "confirm") return command;
  const method = command.body.payment_method;
  if (!method || isSimulatorTestToken(method.token)) return command;
  const stripped: PaymentMethodInput = { ...method, token: STRIPPED_TOKEN };
  return { ...command, body: { ...command.body, payment_method: stripped } } as PaymentCommand;
}
