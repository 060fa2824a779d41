// npm run bench:recon -- --rows=1000000 [--psp=stripe]
// Seeds `rows` settled charges (plus a refund on every 10th) and a matching report, with a few planted
// discrepancies, in a private database on the stack's server; reconciles the day and prints rows/s
// and the peak RSS, which must stay flat whatever --rows (docs/benchmarks.md). Drops the database.
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { LocalDirOutput } from "../core/recon/output.ts";
import { runRecon } from "../core/recon/run-recon.ts";
import { migrate } from "../db/migrate.ts";
import { ensureMerchant } from "../db/repositories/api-keys-repo.ts";
import { createDatabase } from "../test/helpers/private-database.ts";
import { seedReconDay } from "./recon-seed.ts";
import { arg, argString } from "./stats.ts";

const rows = arg("rows", 1_000_000);
const psp = argString("psp", "stripe");
const date = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
const mb = (kb: number) => `${(kb / 1024).toFixed(1)} MB`;

const database = await createDatabase("bench_recon");
const pool = new pg.Pool({ connectionString: database.url, max: 4 });
const dir = await mkdtemp(path.join(tmpdir(), "bench-recon-"));
try {
  await migrate(pool);
  await ensureMerchant(pool, "mer_bench", "mer_bench");
  let t = performance.now();
  await seedReconDay(pool, { date, psp, count: rows, merchantId: "mer_bench" });
  const line = (ref: string) => `psp = '${psp}' AND psp_reference = '${ref}'`;
  await pool.query(`DELETE FROM psp_settlement WHERE ${line(`pi_${psp}_7`)} OR ${line(`pi_${psp}_77`)}`);
  await pool.query(
    `UPDATE psp_settlement SET gross_amount = gross_amount + 1, net_amount = net_amount + 1 WHERE ${line(`pi_${psp}_5`)}`,
  );
  await pool.query(
    `INSERT INTO psp_settlement (psp, batch_id, line_no, record_type, psp_reference, currency, gross_amount,
       fee_amount, net_amount, settled_on) VALUES ($1, 'po_bench', 1, 'charge', 'pi_unknown', 'USD', 1, 0, 1, $2)`,
    [psp, date],
  );
  await pool.query("ANALYZE");
  console.log(`seeded ${rows} payments in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const rssBefore = process.resourceUsage().maxRSS;
  t = performance.now();
  const output = new LocalDirOutput(dir);
  const result = await runRecon(pool, output, { date, psp });
  const seconds = (performance.now() - t) / 1000;
  const csvBytes = (await stat(output.pathOf(result.outputKey))).size;
  console.log(
    JSON.stringify({
      rows,
      lines: result.lines,
      matched: result.matched,
      counts: result.counts,
      seconds: Number(seconds.toFixed(2)),
      rowsPerSecond: Math.round(result.lines / seconds),
      csvMB: Number((csvBytes / 1048576).toFixed(1)),
      peakRssBeforeRecon: mb(rssBefore),
      peakRss: mb(process.resourceUsage().maxRSS),
    }),
  );
} finally {
  await pool.end();
  await database.drop();
  await rm(dir, { recursive: true, force: true });
}
