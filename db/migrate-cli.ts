import { loadConfig } from "../core/infra/config.ts";
import { logger } from "../core/infra/logger.ts";
import { migrate } from "./migrate.ts";
import { createPool } from "./pool.ts";

const pool = createPool(loadConfig().DATABASE_URL, 1);
try {
  const applied = await migrate(pool);
  logger.info({ applied }, applied.length ? "migrations applied" : "schema up to date");
} finally {
  await pool.end();
}
