// Replays N payments' commands (create, then confirm) straight into the command topic and measures how
// fast the running processors apply them. Usage: npm run bench:replay -- --payments=2000 [--psp=stripe]
import { randomInt, randomUUID } from "node:crypto";
import pg from "pg";
import type { PaymentCommand } from "../core/domain/commands.ts";
import { AvroCodec } from "../core/infra/avro-codec.ts";
import { encodeCommand } from "../core/infra/command-codec.ts";
import { loadConfig } from "../core/infra/config.ts";
import { createProducer } from "../core/infra/kafka.ts";
import { kafkaSettingsFor } from "../core/infra/kafka-security.ts";
import { COMMAND_SCHEMA_FILE } from "../core/infra/topics.ts";
import { waitForApplied } from "../scripts/replay/outcomes.ts";
import { arg, argString } from "./stats.ts";

const config = loadConfig();
const payments = arg("payments", 2000);
const psp = argString("psp", "stripe");
const withConfirm = argString("confirm", "yes") === "yes";

const codec = new AvroCodec(config.SCHEMA_REGISTRY_URL);
await codec.register(config.COMMAND_TOPIC, COMMAND_SCHEMA_FILE);
const producer = createProducer(kafkaSettingsFor(config, "admin", "bench-replay"));
await producer.connect();
const db = new pg.Pool({ connectionString: config.DATABASE_URL, max: 2 });

const commandIds: string[] = [];
const messages = [];
for (let i = 0; i < payments; i++) {
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
      psp,
      capture_method: "automatic",
      payment_method: { type: "card", token: "pm_card_visa" },
      customer_id: null,
      description: "bench:replay",
      metadata: {},
    },
  };
  const batch: PaymentCommand[] = [create];
  if (withConfirm)
    batch.push({ ...base, commandId: randomUUID(), type: "confirm", body: { payment_method: null } });
  for (const cmd of batch) {
    commandIds.push(cmd.commandId);
    messages.push({ key: paymentId, value: encodeCommand(codec, config.COMMAND_TOPIC, cmd) });
  }
}

const started = performance.now();
for (let i = 0; i < messages.length; i += 1000) {
  await producer.send({ topic: config.COMMAND_TOPIC, messages: messages.slice(i, i + 1000) });
}
const producedS = (performance.now() - started) / 1000;

const done = await waitForApplied(db, commandIds, 10 * 60_000);
const elapsedS = (performance.now() - started) / 1000;
console.log(
  JSON.stringify(
    {
      payments,
      commands: commandIds.length,
      psp,
      produce_s: Math.round(producedS * 100) / 100,
      applied: done,
      elapsed_s: Math.round(elapsedS * 100) / 100,
      commands_per_s: Math.round((done / elapsedS) * 10) / 10,
      payments_per_s: Math.round((done / (withConfirm ? 2 : 1) / elapsedS) * 10) / 10,
    },
    null,
    2,
  ),
);
await producer.disconnect();
await db.end();
