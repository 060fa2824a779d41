// Repro for confluent-kafka-javascript#374: admin fetchOffsets (ListConsumerGroupOffsets) against a
// broker answering NOT_COORDINATOR / COORDINATOR_NOT_AVAILABLE calls rd_kafka_cgrp_op(rk->rk_cgrp = NULL)
// in librdkafka's rd_kafka_handle_OffsetFetch -> SIGSEGV in an admin client.
//
//   NODE_PATH=/work/main/node_modules node fetchoffsets-loop.mjs <package dir> [seconds]
//
// <package dir> is a copy of @confluentinc/kafka-javascript (e.g. /tmp/ckjs-old or /tmp/ckjs-new);
// NODE_PATH lets that copy find its own dependency `bindings`. Environment:
//   REPRO_BROKERS   default 127.0.0.1:22092,127.0.0.1:22093,127.0.0.1:22094 (the chaos cluster)
//   REPRO_TOPIC     default repro.offsetfetch
//   REPRO_GROUPS    existing groups with committed offsets, default repro-g0..repro-g11
//   REPRO_NEW       parallel workers fetching a brand-new group id each call, default 4
// SASL/SCRAM as the stack's admin principal (scripts/chaos/kafka-clients.ts, DEV DEFAULT password).
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const [pkgDir, secondsArg] = process.argv.slice(2);
if (!pkgDir) {
  console.error("usage: node fetchoffsets-loop.mjs <kafka-javascript package dir> [seconds]");
  process.exit(2);
}
const seconds = Number(secondsArg ?? 60);
const require = createRequire(import.meta.url);
const lib = require(pkgDir);
const { Kafka } = lib.KafkaJS;

const loaded = [
  ...new Set(
    readFileSync("/proc/self/maps", "utf8")
      .split("\n")
      .filter((l) => /librdkafka\.so|confluent-kafka-javascript\.node/.test(l))
      .map((l) => l.trim().split(/\s+/).pop()),
  ),
];
const t0 = Date.now();
const ts = () => `[${new Date().toISOString().slice(11, 23)} +${((Date.now() - t0) / 1000).toFixed(1)}s]`;
console.log(`${ts()} pid ${process.pid} librdkafka ${lib.librdkafkaVersion}; loaded: ${loaded.join(", ")}`);

const brokers = (process.env.REPRO_BROKERS ?? "127.0.0.1:22092,127.0.0.1:22093,127.0.0.1:22094").split(",");
const topic = process.env.REPRO_TOPIC ?? "repro.offsetfetch";
const groups = (process.env.REPRO_GROUPS ?? Array.from({ length: 12 }, (_, i) => `repro-g${i}`).join(","))
  .split(",")
  .filter(Boolean);
const newWorkers = Number(process.env.REPRO_NEW ?? 4);

const kafka = new Kafka({
  "security.protocol": "sasl_plaintext",
  "sasl.mechanisms": "SCRAM-SHA-512",
  "sasl.username": process.env.KAFKA_ADMIN_SASL_USERNAME ?? "admin",
  "sasl.password": process.env.KAFKA_ADMIN_SASL_PASSWORD ?? "admin-dev-only",
  kafkaJS: { brokers, clientId: `repro-fetchoffsets-${process.pid}`, logLevel: lib.KafkaJS.logLevel.NOTHING },
});
const admin = kafka.admin();
await admin.connect();
console.log(`${ts()} admin connected to ${brokers.join(",")}; ${groups.length} existing groups, ${newWorkers} new-group workers, ${seconds}s`);

const stats = { ok: 0, err: 0 };
const errorCounts = new Map();
let lastOk = null;
const deadline = Date.now() + seconds * 1000;

function recordError(groupId, err) {
  stats.err++;
  const key = `code=${err?.code} type=${err?.type ?? "-"} ${err?.name ?? ""}: ${err?.message ?? err}`;
  const n = (errorCounts.get(key) ?? 0) + 1;
  errorCounts.set(key, n);
  // Print the first occurrence of each kind and then every 50th, so the log shows when they happen.
  if (n === 1 || n % 50 === 0) console.log(`${ts()} ERROR #${n} group=${groupId} ${key}`);
}

async function worker(nextGroup) {
  while (Date.now() < deadline) {
    const groupId = nextGroup();
    try {
      const res = await admin.fetchOffsets({ groupId, topics: [topic], timeout: 5000 });
      stats.ok++;
      lastOk = `${groupId}: ${JSON.stringify(res.map((t) => t.partitions.map((p) => p.offset)))}`;
    } catch (err) {
      recordError(groupId, err);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

const progress = setInterval(() => {
  console.log(`${ts()} ok=${stats.ok} err=${stats.err} last ok ${lastOk ?? "-"}`);
}, 5000);

let n = 0;
await Promise.all([
  ...groups.map((g) => worker(() => g)),
  ...Array.from({ length: newWorkers }, (_, w) => worker(() => `repro-new-${process.pid}-${w}-${n++}`)),
]);
clearInterval(progress);
console.log(`${ts()} DONE without crash: ok=${stats.ok} err=${stats.err}`);
for (const [key, count] of errorCounts) console.log(`  ${count}x ${key}`);
await admin.disconnect();
process.exit(0);
