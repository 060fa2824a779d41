import { randomUUID } from "node:crypto";
import { createPool, type Pool } from "../../db/pool.ts";
import { testDb } from "./db.ts";
import { stackEnv } from "./stack-env.ts";

/**
 * An outbox of its own in a fresh schema (the run's service keeps its relay on public), reached through
 * a connection string whose search_path points at it: relays started with that URL elect their leader
 * and publish among themselves only.
 */
export interface IsolatedOutbox {
  schema: string;
  databaseUrl: string;
  pool: Pool;
  drop(): Promise<void>;
}

export async function createIsolatedOutbox(prefix: string): Promise<IsolatedOutbox> {
  const schema = `${prefix}_${randomUUID().slice(0, 8)}`;
  const db = testDb();
  await db.query(`CREATE SCHEMA ${schema}`);
  await db.query(`CREATE TABLE ${schema}.payment_outbox (LIKE public.payment_outbox INCLUDING ALL)`);
  await db.query(`CREATE TABLE ${schema}.outbox_relay_lease (LIKE public.outbox_relay_lease INCLUDING ALL)`);
  const separator = stackEnv.databaseUrl.includes("?") ? "&" : "?";
  const databaseUrl = `${stackEnv.databaseUrl}${separator}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const pool = createPool(databaseUrl, 3);
  return {
    schema,
    databaseUrl,
    pool,
    async drop() {
      await pool.end();
      await db.query(`DROP SCHEMA ${schema} CASCADE`);
    },
  };
}
