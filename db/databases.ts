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

/** Drops `database` on the server of `url`, closing its connections. */
export async function dropDatabase(url: string, database: string): Promise<void> {
  await asAdmin(url, (admin) => admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`));
}
