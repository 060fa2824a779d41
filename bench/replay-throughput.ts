// Replays N payments' commands (create, then confirm) straight into the command topic and measures how
// fast the running processors apply them, with CPU ms and statements per payment and the pgbench TPC-B
// reference. Usage: npm run bench:replay -- --payments=2000 [--psp=stripe] [--confirm=no] [--tpcb=no]
import pg from "pg";
import { loadConfig } from "../core/infra/config.ts";
import { tpcbReference } from "./pgbench.ts";
import { prepareReplay } from "./replay-run.ts";
import { arg, argString } from "./stats.ts";
import { openWindow } from "./window.ts";

const config = loadConfig();
const payments = arg("payments", 2000);
const psp = argString("psp", "stripe");
const withConfirm = argString("confirm", "yes") === "yes";
const withTpcb = argString("tpcb", "yes") !== "no";
const db = new pg.Pool({ connectionString: config.DATABASE_URL, max: 2 });

const replay = await prepareReplay(config, db, { payments, psp, withConfirm });
const tpcb = withTpcb ? await tpcbReference(config.DATABASE_URL) : null;
const window = await openWindow(db);
const r = await replay.run();
const figures = await window.finish(r.applied / (withConfirm ? 2 : 1));
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
console.log(
  JSON.stringify(
    {
      payments,
      commands: r.commands,
      psp,
      produce_s: round(r.produceS, 2),
      applied: r.applied,
      elapsed_s: round(r.elapsedS, 2),
      commands_per_s: round(r.applied / r.elapsedS),
      payments_per_s: round(r.paymentsPerS),
      ...figures,
      pgbench_tpcb_tps: tpcb?.tps ?? null,
      payments_per_tpcb_transaction: tpcb ? round(r.paymentsPerS / tpcb.tps, 3) : null,
    },
    null,
    2,
  ),
);
await db.end();
