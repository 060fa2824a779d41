import { spawn, spawnSync } from "node:child_process";
import { lstat, readdir, realpath, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { needlesIn, needlesInFile } from "./byte-scan.ts";

export interface ScanOptions {
  needles: readonly string[];
  /** Directories walked byte by byte: PostgreSQL data and WAL, Kafka logs, service and stack logs, replay files. */
  dirs: readonly string[];
  /** Paths containing any of these are skipped (the upstream's own order.created partitions, the needle file). */
  exclude: readonly RegExp[];
  /** The database whose every table is also read back through SQL (values TOAST compressed on disk). */
  databaseUrl?: string | undefined;
  /** Run CHECKPOINT on this cluster first, so that recent rows are in the data files and not only in the WAL. */
  checkpointUrl?: string | undefined;
  /** Decode Kafka segments (compressed batches) with Kafka's DumpLogSegments. */
  kafkaDecode: boolean;
}

export interface Hit {
  needle: number;
  where: string;
}

export interface ScanResult {
  hits: Hit[];
  files: number;
  bytes: number;
  kafkaSegments: number;
  tables: number;
  checkpoint: string | null;
}

/** Every regular file under the directory, symlinks followed once, minus the excluded paths. */
async function walk(dir: string, exclude: readonly RegExp[], out: Set<string>, seen = new Set<string>()) {
  const real = await realpath(dir).catch(() => null);
  if (!real || seen.has(real)) return;
  seen.add(real);
  for (const entry of await readdir(real)) {
    const path = join(real, entry);
    if (exclude.some((x) => x.test(path))) continue;
    // Kafka's offset and time indexes hold positions only, and are preallocated (10 MiB each).
    if (/\/\d{20}\.(index|timeindex)$/.test(path)) continue;
    const info = await stat(path).catch(() => null);
    if (info?.isDirectory()) await walk(path, exclude, out, seen);
    else if (info?.isFile()) out.add(await realpath(path));
  }
}

/** A file that vanished meanwhile (a rotated log, a deleted segment) holds nothing; any other error stops the scan. */
async function scanFile(path: string, needles: readonly Buffer[]): Promise<Set<number>> {
  try {
    return await needlesInFile(path, needles);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return new Set();
    throw err;
  }
}

/** CHECKPOINT needs superuser or pg_checkpoint: the app role tries first, then the cluster's OS user. */
export async function checkpoint(databaseUrl: string, stackDirs: readonly string[]): Promise<string> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query("CHECKPOINT");
    return "as the application role";
  } catch {
    // Falls through to the cluster's own user below.
  } finally {
    await client.end();
  }
  const port = new URL(databaseUrl).port || "5432";
  const sockets = [
    ...(await Promise.all(stackDirs.map((d) => realpath(join(d, "pg")).catch(() => null)))),
    "/tmp",
  ];
  for (const host of sockets.filter((s): s is string => s !== null)) {
    const asPostgres = process.getuid?.() === 0 ? ["runuser", "-u", "postgres", "--"] : [];
    const cmd = [...asPostgres, "psql", "-h", host, "-p", port, "-d", "postgres", "-Atc", "CHECKPOINT"];
    const r = spawnSync(cmd[0] ?? "psql", cmd.slice(1), { cwd: "/", encoding: "utf8" });
    if (r.status === 0) return `as the cluster owner over ${host}`;
  }
  throw new Error("CHECKPOINT failed as the application role and as the cluster owner");
}

function kafkaLibs(): string | null {
  const cache = process.env.PAYMENT_STACK_CACHE ?? join(homedir(), ".cache", "payment-stack");
  const found = spawnSync(
    "bash",
    ["-c", `ls -d ${JSON.stringify(cache)}/kafka-[0-9]*/libs 2>/dev/null | tail -1`],
    {
      encoding: "utf8",
    },
  );
  return found.stdout.trim() || null;
}

/** Decoded record batches (lz4 and all) of Kafka segments, searched like a file. */
async function decodedKafkaHits(segments: string[], needles: readonly Buffer[]): Promise<Set<number>> {
  const libs = kafkaLibs();
  if (!libs) throw new Error("Kafka's libs not found (PAYMENT_STACK_CACHE); use --no-kafka-decode to skip");
  const found = new Set<number>();
  for (let i = 0; i < segments.length; i += 200) {
    const batch = segments.slice(i, i + 200);
    const child = spawn(
      "java",
      ["-cp", `${libs}/*`, "kafka.tools.DumpLogSegments", "--print-data-log", "--files", batch.join(",")],
      { stdio: ["ignore", "pipe", "ignore"] },
    );
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    for (const n of await needlesIn(child.stdout, needles)) found.add(n);
    if ((await exited) !== 0) throw new Error("DumpLogSegments failed");
  }
  return found;
}

/** Every table of the database, read back as text through SQL. */
async function databaseHits(
  databaseUrl: string,
  needles: readonly string[],
): Promise<{ hits: Hit[]; tables: number }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows: tables } = await client.query<{ name: string }>(
      `SELECT format('%I.%I', schemaname, tablename) AS name FROM pg_tables
       WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`,
    );
    const hits: Hit[] = [];
    for (const { name } of tables) {
      for (const [needle, text] of needles.entries()) {
        const { rows } = await client.query<{ found: boolean }>(
          `SELECT EXISTS (SELECT 1 FROM ${name} t WHERE strpos(t::text, $1) > 0) AS found`,
          [text],
        );
        if (rows[0]?.found) hits.push({ needle, where: `table ${name}` });
      }
    }
    return { hits, tables: tables.length };
  } finally {
    await client.end();
  }
}

export async function scanAtRest(o: ScanOptions): Promise<ScanResult> {
  const needles = o.needles.map((n) => Buffer.from(n, "utf8"));
  if (needles.length === 0 || needles.some((n) => n.length < 6))
    throw new Error("needles of 6 bytes or more, please");
  const checkpointDone = o.checkpointUrl ? await checkpoint(o.checkpointUrl, o.dirs) : null;
  const files = new Set<string>();
  for (const dir of o.dirs) await walk(dir, o.exclude, files);
  const hits: Hit[] = [];
  let bytes = 0;
  for (const file of [...files].sort()) {
    const size = await lstat(file).then(
      (s) => s.size,
      () => 0,
    );
    bytes += size;
    for (const needle of await scanFile(file, needles)) hits.push({ needle, where: file });
  }
  const segments = [...files].filter((f) => f.endsWith(".log") && /-\d+\/\d{20}\.log$/.test(f));
  if (o.kafkaDecode && segments.length > 0) {
    for (const needle of await decodedKafkaHits(segments, needles))
      hits.push({ needle, where: "Kafka records (decoded segments)" });
  }
  let tables = 0;
  if (o.databaseUrl) {
    const db = await databaseHits(o.databaseUrl, o.needles);
    hits.push(...db.hits);
    tables = db.tables;
  }
  const kafkaSegments = o.kafkaDecode ? segments.length : 0;
  return { hits, files: files.size, bytes, kafkaSegments, tables, checkpoint: checkpointDone };
}
