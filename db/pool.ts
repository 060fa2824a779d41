import { existsSync } from "node:fs";
import pg from "pg";
import type { Config } from "../core/infra/config.ts";
import { inChildSpan } from "../core/infra/tracing/spans.ts";

// NUMERIC (1700) and BIGINT (20) stay strings: amounts are parsed to bigint by the domain, never to float.
pg.types.setTypeParser(1700, (value) => value);
pg.types.setTypeParser(20, (value) => value);
// DATE (1082) stays "YYYY-MM-DD": a JS Date would shift it by the process time zone.
pg.types.setTypeParser(1082, (value) => value);

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;
export type Queryable = Pick<pg.PoolClient, "query">;

/**
 * Bounds on a connection, so a dead peer or a stuck statement cannot hold a client (or anything it
 * locked) for long: TCP keepalives notice a vanished peer, the server cancels a statement past
 * statement_timeout and ends a session idle inside a transaction, and the client gives up on a query
 * that never answers (a partitioned server cannot cancel anything) a little after the server would have.
 */
export interface PoolTimeouts {
  statementTimeoutMs: number;
  idleInTransactionTimeoutMs: number;
  keepAliveIdleMs: number;
  connectTimeoutMs: number;
}

export const DEFAULT_POOL_TIMEOUTS: PoolTimeouts = {
  statementTimeoutMs: 30_000,
  idleInTransactionTimeoutMs: 60_000,
  keepAliveIdleMs: 10_000,
  connectTimeoutMs: 10_000,
};

export function poolTimeoutsFrom(config: Config): PoolTimeouts {
  return {
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
    idleInTransactionTimeoutMs: config.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    keepAliveIdleMs: config.DATABASE_KEEPALIVE_IDLE_MS,
    connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
  };
}

/**
 * The URL the service's pools use: DATABASE_URL, or the same user, password and database through
 * DATABASE_SOCKET_DIR (a local PostgreSQL's Unix socket, cheaper than TCP loopback) when the URL names a
 * loopback host whose port has a socket there, and does not ask for TLS (a Unix socket carries none). A
 * URL to any other port (another cluster, a fault-injecting proxy in a test) stays as it is.
 */
export function serviceDatabaseUrl(config: {
  DATABASE_URL: string;
  DATABASE_SOCKET_DIR?: string | undefined;
}): string {
  const url = config.DATABASE_URL;
  const dir = config.DATABASE_SOCKET_DIR;
  const port =
    /@(?:127\.0\.0\.1|localhost)(?::(\d+))?\//.exec(url)?.[1] ??
    (/@(?:127\.0\.0\.1|localhost)\//.test(url) ? "5432" : null);
  if (!dir || !port || /[?&](sslmode|ssl|sslrootcert)=/.test(url)) return url;
  if (!existsSync(`${dir}/.s.PGSQL.${port}`)) return url;
  return `${url}${url.includes("?") ? "&" : "?"}host=${encodeURIComponent(dir)}`;
}

/** How long past statement_timeout the client waits before it treats the connection as dead. */
const CLIENT_GRACE_MS = 5_000;

export function createPool(
  connectionString: string,
  max = 10,
  timeouts: PoolTimeouts = DEFAULT_POOL_TIMEOUTS,
): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: timeouts.connectTimeoutMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: timeouts.keepAliveIdleMs,
    statement_timeout: timeouts.statementTimeoutMs,
    idle_in_transaction_session_timeout: timeouts.idleInTransactionTimeoutMs,
    query_timeout: timeouts.statementTimeoutMs + CLIENT_GRACE_MS,
  });
  pool.on("error", () => {
    // An idle client lost its connection; the pool replaces it on next checkout.
  });
  // A checked-out client whose server goes away (a restart: 57P01) emits 'error' on itself as well as
  // failing its query; without a listener that event would kill the process. The query's own
  // rejection reports the failure to whoever was using it.
  pool.on("connect", (client) => {
    client.on("error", () => undefined);
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
export function transaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return inChildSpan("db.transaction", () => runTransaction(pool, fn));
}

async function runTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const result = await fn(client);
    await client.query("COMMIT");
    client.release();
    return result;
  } catch (err) {
    // A client whose ROLLBACK fails (dead connection, client-side timeout) is destroyed, not pooled.
    const rolledBack = await client.query("ROLLBACK").then(
      () => true,
      () => false,
    );
    client.release(rolledBack ? undefined : (err as Error));
    throw err;
  }
}

/**
 * Waits until PostgreSQL answers, so a process started while the database restarts waits for it
 * instead of exiting; gives up (throws) after `timeoutMs`.
 */
export async function waitForDatabase(pool: pg.Pool, timeoutMs: number, onRetry?: (err: Error) => void) {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 250; ; delay = Math.min(delay * 2, 2_000)) {
    try {
      await pool.query("SELECT 1");
      return;
    } catch (err) {
      if (Date.now() + delay > deadline) throw err;
      onRetry?.(err as Error);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
