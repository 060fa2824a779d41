import pg from "pg";

// NUMERIC (1700) and BIGINT (20) stay strings: amounts are parsed to bigint by the domain, never to float.
pg.types.setTypeParser(1700, (value) => value);
pg.types.setTypeParser(20, (value) => value);
// DATE (1082) stays "YYYY-MM-DD": a JS Date would shift it by the process time zone.
pg.types.setTypeParser(1082, (value) => value);

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;
export type Queryable = Pick<pg.PoolClient, "query">;

export function createPool(connectionString: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString, max, idleTimeoutMillis: 30_000 });
  pool.on("error", () => {
    // An idle client lost its connection; the pool replaces it on next checkout.
  });
  return pool;
}

const RETRYABLE_SQLSTATES = new Set(["40001", "40P01"]);

export function isRetryableSqlError(err: unknown): boolean {
  return (
    typeof err === "object" && err !== null && RETRYABLE_SQLSTATES.has((err as { code?: string }).code ?? "")
  );
}

export function isUniqueViolation(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: string }).code === "23505";
}

/** The one place a transaction commits: fn's work commits together, or not at all. */
export async function transaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const result = await fn(client);
    await client.query("COMMIT");
    return result;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
