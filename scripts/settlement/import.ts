// npm run settlement:import -- --psp=stripe|adyen --date=YYYY-MM-DD [--file=path | --s3-key=key]
// Loads one settlement report into psp_settlement, in one transaction (docs/settlement.md). Without
// --file or --s3-key it fetches the day's report from the PSP (STRIPE_API_BASE / ADYEN_API_BASE);
// --s3-key reads from the bucket S3_SETTLEMENT_BUCKET (default: S3_BUCKET_RECON, payments-recon).
import { argString } from "../../bench/stats.ts";
import { loadConfig } from "../../core/infra/config.ts";
import { objectStoreFromEnv } from "../../core/infra/object-store.ts";
import { importSettlementReport } from "../../core/settlement/import-settlement.ts";
import { openReport, type ReportSource } from "../../core/settlement/report-source.ts";
import { SettlementLineError, type SettlementPsp } from "../../core/settlement/settlement-line.ts";
import { createPool } from "../../db/pool.ts";

function usage(message: string): never {
  console.error(
    `${message}\nusage: npm run settlement:import -- --psp=stripe|adyen --date=YYYY-MM-DD [--file=path | --s3-key=key]`,
  );
  process.exit(2);
}

const psp = argString("psp", "");
const date = argString("date", "");
const file = argString("file", "");
const s3Key = argString("s3-key", "");
if (psp !== "stripe" && psp !== "adyen") usage("--psp must be stripe or adyen");
if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(date))) usage("--date must be YYYY-MM-DD");
if (file && s3Key) usage("give at most one of --file and --s3-key");

const config = loadConfig();
const base = (psp as SettlementPsp) === "stripe" ? config.STRIPE_API_BASE : config.ADYEN_API_BASE;
const bucket = process.env.S3_SETTLEMENT_BUCKET || process.env.S3_BUCKET_RECON || "payments-recon";
const source: ReportSource = file
  ? { kind: "file", path: file }
  : s3Key
    ? { kind: "s3", store: objectStoreFromEnv(bucket), key: s3Key }
    : { kind: "psp", baseUrl: base, date };

const pool = createPool(config.DATABASE_URL, 2);
try {
  const summary = await importSettlementReport(pool, psp as SettlementPsp, await openReport(psp, source));
  console.log(JSON.stringify({ date, ...summary }));
} catch (err) {
  if (err instanceof SettlementLineError) {
    console.error(`settlement import refused, nothing loaded: ${err.message}`);
    process.exitCode = 1;
  } else throw err;
} finally {
  await pool.end();
}
