import pg from "pg";

/**
 * The same connection URL pointed at another database on that server: postgres://user:pw@host:port/db?…
 * or, for a Unix socket, postgres://user:pw@/db?host=/dir&port=….
 */
export function databaseUrlFor(url: string, database: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^/]*\/)[^?]*/, `$1${database}`);
}

async function asAdmin(url: string, run: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await run(client);
  } finally {
    await client.end();
  }
}

/** Creates `database` on the server of `url` (unless `ifMissing` and it exists); returns its URL. */
export async function createDatabase(
  url: string,
  database: string,
  opts: { ifMissing?: boolean } = {},
): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(database)) throw new Error(`not a plain database name: ${database}`);
  await asAdmin(url, async (admin) => {
    const exists = opts.ifMissing
      ? (await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [database])).rowCount
      : 0;
    if (!exists) await admin.query(`CREATE DATABASE ${database}`);
  });
  return databaseUrlFor(url, database);
}

const sqlState = (err: unknown) => (err as { code?: string }).code;

/**
 * Drops `database` on the server of `url`, closing its connections. WITH (FORCE) refuses (42501) when
 * one of them is not ours to terminate, e.g. an autovacuum worker without a role; a plain DROP cancels
 * autovacuum itself, so it is tried next, for a few seconds while other sessions (55006) go away.
 */
export async function dropDatabase(url: string, database: string): Promise<void> {
  await asAdmin(url, async (admin) => {
    try {
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      return;
    } catch (err) {
      if (sqlState(err) !== "42501") throw err;
    }
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.query(`DROP DATABASE IF EXISTS ${database}`);
        return;
      } catch (err) {
        if (sqlState(err) !== "55006" || attempt >= 20) throw err;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  });
}
