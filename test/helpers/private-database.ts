import { randomUUID } from "node:crypto";
import pg from "pg";
import { createDatabase as createServerDatabase, dropDatabase } from "../../db/databases.ts";
import { migrate } from "../../db/migrate.ts";
import { ensureMerchant } from "../../db/repositories/api-keys-repo.ts";
import { stackEnv } from "./stack-env.ts";
import { TEST_MERCHANT_ID } from "./test-key.ts";

/** Creates an empty database on the stack's server; `drop` removes it, connections and all. */
export async function createDatabase(
  name: string,
): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const db = `${name}_${randomUUID().slice(0, 8)}`.replace(/[^a-z0-9_]/gi, "_").toLowerCase();
  const url = await createServerDatabase(stackEnv.databaseUrl, db);
  return { name: db, url, drop: () => dropDatabase(stackEnv.databaseUrl, db) };
}

/** A migrated database of its own, for repository tests that no running service may touch. */
export async function privateDatabase(
  name: string,
): Promise<{ pool: pg.Pool; url: string; drop(): Promise<void> }> {
  const db = await createDatabase(name);
  const pool = new pg.Pool({ connectionString: db.url, max: 4 });
  await migrate(pool);
  await ensureMerchant(pool, TEST_MERCHANT_ID, TEST_MERCHANT_ID);
  return {
    pool,
    url: db.url,
    async drop() {
      await pool.end();
      await db.drop();
    },
  };
}
