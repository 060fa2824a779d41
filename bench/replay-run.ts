// Replays N payments' commands (create, then confirm) straight into the command topic, for the running
// processors to apply: prepare() encodes everything first, run() produces and waits for every reply.
import { randomInt, randomUUID } from "node:crypto";
import type pg from "pg";
import type { PaymentCommand } from "../core/domain/commands.ts";
import { AvroCodec } from "../core/infra/avro-codec.ts";
import { encodeCommand } from "../core/infra/command-codec.ts";
import type { Config } from "../core/infra/config.ts";
import { createProducer } from "../core/infra/kafka.ts";
import { kafkaSettingsFor } from "../core/infra/kafka-security.ts";
import { COMMAND_SCHEMA_FILE } from "../core/infra/topics.ts";
import { waitForApplied } from "../scripts/replay/outcomes.ts";

export interface ReplayOptions {
  payments: number;
  psp: string;
  withConfirm: boolean;
}

export interface ReplayResult {
  commands: number;
  applied: number;
  produceS: number;
  elapsedS: number;
  /** Payments whose every command was applied, per second. */
  paymentsPerS: number;
}

export async function prepareReplay(
  config: Config,
  db: pg.Pool,
  o: ReplayOptions,
): Promise<{ run(): Promise<ReplayResult> }> {
  const codec = new AvroCodec(config.SCHEMA_REGISTRY_URL);
  await codec.register(config.COMMAND_TOPIC, COMMAND_SCHEMA_FILE);
  const producer = createProducer(kafkaSettingsFor(config, "admin", "bench-replay"));
  await producer.connect();

  const commandIds: string[] = [];
  const messages: Array<{ key: string; value: Buffer }> = [];
  for (let i = 0; i < o.payments; i++) {
    const paymentId = randomUUID();
    const base = { paymentId, issuedAt: new Date(), idempotencyKey: null, merchantId: null };
    const create: PaymentCommand = {
      ...base,
      commandId: randomUUID(),
      type: "create",
      body: {
        order_id: randomInt(1, 2 ** 47),
        amount: "12.34",
        amount_minor: 1234,
        currency: "USD",
        psp: o.psp,
        capture_method: "automatic",
        payment_method: { type: "card", token: "pm_card_visa" },
        customer_id: null,
        description: "bench:replay",
        metadata: {},
      },
    };
    const batch: PaymentCommand[] = [create];
    if (o.withConfirm)
      batch.push({ ...base, commandId: randomUUID(), type: "confirm", body: { payment_method: null } });
    for (const cmd of batch) {
      commandIds.push(cmd.commandId);
      messages.push({ key: paymentId, value: encodeCommand(codec, config.COMMAND_TOPIC, cmd) });
    }
  }

  return {
    async run() {
      const started = performance.now();
      try {
        for (let i = 0; i < messages.length; i += 1000) {
          await producer.send({ topic: config.COMMAND_TOPIC, messages: messages.slice(i, i + 1000) });
        }
      } finally {
        await producer.disconnect();
      }
      const produceS = (performance.now() - started) / 1000;
      const applied = await waitForApplied(db, commandIds, 10 * 60_000);
      const elapsedS = (performance.now() - started) / 1000;
      const perPayment = o.withConfirm ? 2 : 1;
      return {
        commands: commandIds.length,
        applied,
        produceS,
        elapsedS,
        paymentsPerS: applied / perPayment / elapsedS,
      };
    },
  };
}
