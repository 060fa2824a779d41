// npm run replay -- --from-topic=payment.commands.v1 | --from-file=commands.jsonl
//                   [--limit=1000] [--rate=200 | --rate=0 (as fast as possible)] [--save=out.jsonl]
//                   [--to-topic=payment.commands.v1] [--settle-timeout=120]
import { writeFile } from "node:fs/promises";
import pg from "pg";
import { arg, argString } from "../../bench/stats.ts";
import { AvroCodec } from "../../core/infra/avro-codec.ts";
import { loadConfig } from "../../core/infra/config.ts";
import { createProducer } from "../../core/infra/kafka.ts";
import { kafkaSettingsFor } from "../../core/infra/kafka-security.ts";
import { COMMAND_SCHEMA_FILE } from "../../core/infra/topics.ts";
import { readCommandFile, readCommandTopic, toJsonLines } from "./command-sources.ts";
import { replayCommands } from "./replay.ts";

// A replay sends recorded commands again as new payments: against production it would charge real cards.
if (process.env.NODE_ENV === "production") {
  console.error("replay refuses to run with NODE_ENV=production");
  process.exit(2);
}

const config = loadConfig();
// An operator tool: reads any command topic and writes commands, as the admin principal.
const kafka = kafkaSettingsFor(config, "admin", "payment-replay");
const fromTopic = argString("from-topic", "");
const fromFile = argString("from-file", "");
const toTopic = argString("to-topic", config.COMMAND_TOPIC);
if (!fromTopic === !fromFile) {
  console.error("give exactly one of --from-topic=<topic> or --from-file=<path>");
  process.exit(2);
}

const codec = new AvroCodec(config.SCHEMA_REGISTRY_URL);
await codec.register(toTopic, COMMAND_SCHEMA_FILE);
const limit = arg("limit", Number.MAX_SAFE_INTEGER);
const commands = fromTopic
  ? await readCommandTopic(kafka, codec, fromTopic, limit)
  : (await readCommandFile(fromFile)).slice(0, limit);
const save = argString("save", "");
if (save) await writeFile(save, toJsonLines(commands));

const producer = createProducer(kafka);
await producer.connect();
const db = new pg.Pool({ connectionString: config.DATABASE_URL, max: 2 });
const report = await replayCommands({
  commands,
  codec,
  producer,
  db,
  targetTopic: toTopic,
  rate: arg("rate", 0),
  settleTimeoutMs: arg("settle-timeout", 120) * 1000,
});
console.log(JSON.stringify({ source: fromTopic || fromFile, target: toTopic, ...report }, null, 2));
await producer.disconnect();
await db.end();
