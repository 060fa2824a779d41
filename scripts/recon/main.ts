// npm run recon -- --date=YYYY-MM-DD [--psp=stripe|adyen]
// Reconciles the ledger against psp_settlement for the day (docs/adr/0011-reconciliation.md), one run
// per PSP (both without --psp); prints a JSON summary per run and, last, the output key of the last run.
import { argString } from "../../bench/stats.ts";
import { PSP_NAMES } from "../../core/domain/payment-status.ts";
import { loadConfig } from "../../core/infra/config.ts";
import { objectStoreFromEnv } from "../../core/infra/object-store.ts";
import { reconOutputFromEnv } from "../../core/recon/output.ts";
import { runRecon } from "../../core/recon/run-recon.ts";
import { createPool } from "../../db/pool.ts";

function usage(message: string): never {
  console.error(`${message}\nusage: npm run recon -- --date=YYYY-MM-DD [--psp=stripe|adyen]`);
  process.exit(2);
}

const date = argString("date", "");
const psp = argString("psp", "");
if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(date))) usage("--date must be YYYY-MM-DD");
if (psp !== "" && psp !== "stripe" && psp !== "adyen") usage("--psp must be stripe or adyen");

const config = loadConfig();
const output = reconOutputFromEnv(process.env, (bucket) => objectStoreFromEnv(bucket));
const pool = createPool(config.DATABASE_URL, 4);
try {
  const uris: string[] = [];
  for (const p of psp ? [psp] : PSP_NAMES) {
    const result = await runRecon(pool, output, { date, psp: p });
    console.log(JSON.stringify({ date, psp: p, ...result }));
    uris.push(result.outputUri);
  }
  for (const uri of uris) console.log(uri);
} finally {
  await pool.end();
}
