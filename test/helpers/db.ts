import pg from "pg";
import { stackEnv } from "./stack-env.ts";

let pool: pg.Pool | undefined;

/** A small pool for assertions straight against the ledger. */
export function testDb(): pg.Pool {
  pool ??= new pg.Pool({ connectionString: stackEnv.databaseUrl, max: 3 });
  return pool;
}

export async function closeTestDb(): Promise<void> {
  await pool?.end();
  pool = undefined;
}
