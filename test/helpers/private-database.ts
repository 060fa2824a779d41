import { randomUUID } from "node:crypto";
import pg from "pg";
import { migrate } from "../../db/migrate.ts";
import { stackEnv } from "./stack-env.ts";

/** A migrated database of its own, for repository tests that no running service may touch. */
export async function privateDatabase(name: string): Promise<{ pool: pg.Pool; drop(): Promise<void> }> {
  const db = `${name}_${randomUUID().slice(0, 8)}`.replace(/[^a-z0-9_]/gi, "_").toLowerCase();
  const admin = new pg.Client({ connectionString: stackEnv.databaseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${db}`);
  await admin.end();
  const url = new URL(stackEnv.databaseUrl);
  url.pathname = `/${db}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 4 });
  await migrate(pool);
  return {
    pool,
    async drop() {
      await pool.end();
      const cleanup = new pg.Client({ connectionString: stackEnv.databaseUrl });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
      await cleanup.end();
    },
  };
}
