// npm run security:scan-at-rest -- --needle=<text> [--needle=…] [--needles-file=<one per line>]
//   [--dir=<path> …] [--exclude=<regexp> …] [--no-checkpoint] [--no-kafka-decode] [--no-database]
// Looks for the needles in the raw bytes of everything the service and the stack write: PostgreSQL data
// and WAL (after a CHECKPOINT), Kafka segments (raw, and decoded with Kafka's DumpLogSegments because
// batches are lz4-compressed), service and stack logs, replay files; and in every table of DATABASE_URL
// through SQL. Prints where each needle was found (by number, never the needle) and exits 1 on any hit.
// Default directories: $STACK_DIR (else .stack) and this checkout's .stack. Default exclusion: the
// partitions of order.created topics (the upstream's input, written by order-service, not by us).
import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { scanAtRest } from "./at-rest-scan.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const args = process.argv.slice(2);
const many = (name: string) =>
  args.filter((a) => a.startsWith(`--${name}=`)).map((a) => a.slice(name.length + 3));
const flag = (name: string) => args.includes(`--${name}`);

const needlesFile = many("needles-file")[0];
const fromFile = needlesFile
  ? (await readFile(needlesFile, "utf8"))
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "")
  : [];
const needles = [...new Set([...many("needle"), ...fromFile])];
if (needles.length === 0) {
  console.error("security:scan-at-rest: no needles (--needle=… or a non-empty --needles-file=…)");
  process.exit(2);
}
const dirs =
  many("dir").length > 0
    ? many("dir")
    : [...new Set([process.env.STACK_DIR ?? join(ROOT, ".stack"), join(ROOT, ".stack")])];
const exclude = [/\/order\.created\.[^/]*-\d+(\/|$)/, ...many("exclude").map((x) => new RegExp(x))];
if (needlesFile) exclude.push(new RegExp(`^${resolve(needlesFile).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`));

const result = await scanAtRest({
  needles,
  dirs,
  exclude,
  databaseUrl: flag("no-database") ? undefined : process.env.DATABASE_URL,
  checkpointUrl: flag("no-checkpoint") ? undefined : process.env.DATABASE_URL,
  kafkaDecode: !flag("no-kafka-decode"),
});
if (result.checkpoint) console.log(`CHECKPOINT ${result.checkpoint}`);
console.log(
  `scanned ${result.files} files (${(result.bytes / 1_048_576).toFixed(1)} MiB), ${result.kafkaSegments} Kafka segments decoded, ${result.tables} tables; ${needles.length} needles`,
);
for (const hit of result.hits) console.log(`FOUND needle #${hit.needle + 1} in ${hit.where}`);
if (result.hits.length > 0) process.exit(1);
console.log("no needle found at rest");
