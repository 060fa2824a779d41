import { loadConfig } from "../core/infra/config.ts";
import { generateApiKey, MERCHANT_SCOPES } from "../core/security/api-keys.ts";
import { createPool } from "../db/pool.ts";
import { ensureMerchant, insertApiKey } from "../db/repositories/api-keys-repo.ts";

/** PAYMENTS_API_KEY when set; otherwise a fresh key of merchant `mer_bench` in the service's database. */
export async function benchApiKey(): Promise<string> {
  if (process.env.PAYMENTS_API_KEY) return process.env.PAYMENTS_API_KEY;
  const pool = createPool(loadConfig().DATABASE_URL, 1);
  try {
    const key = generateApiKey("test");
    await ensureMerchant(pool, "mer_bench", "bench");
    await insertApiKey(pool, { ...key, merchantId: "mer_bench", scopes: MERCHANT_SCOPES, label: "bench" });
    return key.secret;
  } finally {
    await pool.end();
  }
}
