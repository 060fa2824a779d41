// npm run keys:rotate [-- --batch=500]
// Re-wraps every sealed value under the current KEK (the last of DATA_KEKS, or DATA_KEK) and seals the
// plain values written before encryption at rest. Safe while the service runs; resumable; idempotent.
// Procedure (docs/security.md "Encryption at rest"): add the new KEK last, deploy, run this, then remove
// the old KEK once it reports nothing left (a second run prints zeros).
import { loadConfig } from "../../core/infra/config.ts";
import { keyringFromConfig } from "../../core/security/field-crypto.ts";
import { createPool, poolTimeoutsFrom } from "../../db/pool.ts";
import { rotateSealedValues } from "./rotate.ts";

const batchArg = process.argv.find((a) => a.startsWith("--batch="))?.slice("--batch=".length);
const batchSize = Number(batchArg ?? 500);
if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new Error("--batch must be a positive integer");

const config = loadConfig();
const keyring = keyringFromConfig(config);
const pool = createPool(config.DATABASE_URL, 2, poolTimeoutsFrom(config));
try {
  console.log(`keys:rotate: current KEK ${keyring.current.id}; readable: ${keyring.ids().join(", ")}`);
  const results = await rotateSealedValues(pool, keyring, batchSize);
  for (const r of results) {
    console.log(
      `${r.table}.${r.column}: ${r.rewrapped} re-wrapped, ${r.sealed} plain sealed, ${r.skipped} left to concurrent writers`,
    );
  }
  const total = results.reduce((n, r) => n + r.rewrapped + r.sealed - r.skipped, 0);
  console.log(`keys:rotate: ${total} values now under ${keyring.current.id}`);
} finally {
  await pool.end();
}
