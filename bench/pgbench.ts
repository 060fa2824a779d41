// pgbench on the stack's PostgreSQL: the TPC-B reference every bench reports against (so figures can be
// compared across machines), and custom scripts (bench/pg-floor.sql). Each runs in a database of its own.
import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { promisify } from "node:util";
import pg from "pg";
import { createDatabase } from "../db/databases.ts";

const run = promisify(execFile);

function pgbenchBinary(): string {
  const root = "/usr/lib/postgresql";
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new Error(`no PostgreSQL under ${root}: is the stack installed?`);
  return `${root}/${versions[0]}/bin/pgbench`;
}

/** The service's DATABASE_URL pointed at another database (created when missing). */
export function privateDatabase(databaseUrl: string, name: string): Promise<string> {
  return createDatabase(databaseUrl, name, { ifMissing: true });
}

function connectionEnv(url: string): NodeJS.ProcessEnv {
  // node-postgres's own parsing, so a Unix-socket URL (?host=/dir) works as well as host:port.
  const c = new pg.Client({ connectionString: url }) as unknown as {
    host: string;
    port: number;
    user: string;
    password: string;
    database: string;
  };
  return {
    ...process.env,
    PGHOST: c.host,
    PGPORT: String(c.port),
    PGUSER: c.user,
    PGPASSWORD: c.password,
    PGDATABASE: c.database,
  };
}

export interface PgbenchResult {
  tps: number;
  transactions: number;
  latencyMsAvg: number;
}

export async function pgbench(url: string, args: string[]): Promise<PgbenchResult> {
  const { stdout } = await run(pgbenchBinary(), args, { env: connectionEnv(url), maxBuffer: 1 << 24 });
  await backendsGone(url);
  const tps = stdout.match(/tps = ([\d.]+) \(without initial connection time\)/);
  const done = stdout.match(/number of transactions actually processed: (\d+)/);
  const latency = stdout.match(/latency average = ([\d.]+) ms/);
  if (!tps || !done) throw new Error(`unexpected pgbench output:\n${stdout}`);
  return { tps: Number(tps[1]), transactions: Number(done[1]), latencyMsAvg: Number(latency?.[1] ?? NaN) };
}

/**
 * pgbench's built-in TPC-B, 8 clients, on a scale-8 database of its own (initialised once): the
 * machine's reference. Run it with the stack idle (before the load starts).
 */
export async function tpcbReference(databaseUrl: string, seconds = 10): Promise<PgbenchResult> {
  const url = await privateDatabase(databaseUrl, "pgbench_tpcb");
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const initialised = await client
    .query("SELECT count(*)::int AS n FROM pgbench_branches")
    .then((r) => r.rows[0].n === 8)
    .catch(() => false);
  await client.end();
  if (!initialised) await pgbench(url, ["-i", "-q", "-s", "8"]).catch(ignoreInitOutput);
  return pgbench(url, ["-n", "-c", "8", "-j", "2", "-T", String(seconds)]);
}

/** pgbench -i prints no tps line; the init step succeeded when it exited 0. */
function ignoreInitOutput(err: Error): void {
  if (!/unexpected pgbench output/.test(err.message)) throw err;
}

/**
 * Until the database's pgbench backends have exited: their CPU reaches the postmaster's count of reaped
 * children only then, and a CPU snapshot taken earlier would charge it to whatever is measured next.
 */
async function backendsGone(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const { rows } = await client.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
      );
      if (rows[0]?.n === 0 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await client.end();
  }
  // This client's own backend, and the reaping of the others.
  await new Promise((r) => setTimeout(r, 200));
}
