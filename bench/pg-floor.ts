// The database floor of a payment: pgbench runs bench/pg-floor.sql (the statements one payment needs,
// create + confirm + its webhook + its outbox rows, as the service runs them, with nothing else: no
// Kafka, no HTTP, no Node) against the real schema in a database of its own, and reports the
// PostgreSQL CPU per payment that costs. Then N payments go through the running processors
// (bench:replay) and the same figure is measured for them. The ratio floor / ours says how close our
// per-payment database work is to that floor (1.0: no overhead at all; the target is >= 0.5).
// Usage: npm run bench:pg-floor -- [--payments=2000] [--seconds=15] [--clients=8] [--tpcb=no]
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../core/infra/config.ts";
import { migrate } from "../db/migrate.ts";
import { createPool } from "../db/pool.ts";
import { pgbench, privateDatabase, tpcbReference } from "./pgbench.ts";
import { cpuSnapshot } from "./process-cpu.ts";
import { prepareReplay } from "./replay-run.ts";
import { arg, argString } from "./stats.ts";
import { openWindow } from "./window.ts";

const SCRIPT = fileURLToPath(new URL("pg-floor.sql", import.meta.url));
const config = loadConfig();
const payments = arg("payments", 2000);
const seconds = arg("seconds", 15);
const clients = arg("clients", 4);
const withTpcb = argString("tpcb", "yes") !== "no";
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

// The floor, on a private copy of the schema.
const floorUrl = await privateDatabase(config.DATABASE_URL, "pg_floor");
const floorPool = createPool(floorUrl, 2);
await migrate(floorPool);
await floorPool.query(
  "INSERT INTO merchants (merchant_id, name) VALUES ('mer_floor', 'pg floor') ON CONFLICT DO NOTHING",
);
await floorPool.end();
const statementsInScript = readFileSync(SCRIPT, "utf8")
  .split("\n")
  .filter((l) => /^(SELECT|INSERT|UPDATE|DELETE|WITH|BEGIN|COMMIT)\b/.test(l.trim())).length;

const tpcb = withTpcb ? await tpcbReference(config.DATABASE_URL) : null;
const cpuBefore = cpuSnapshot();
// Prepared statements, as the service's named statements are.
const floor = await pgbench(floorUrl, [
  "-n",
  "-M",
  "prepared",
  "-f",
  SCRIPT,
  "-c",
  String(clients),
  "-j",
  "2",
  "-T",
  String(seconds),
]);
const floorPgMs =
  ((cpuSnapshot().get("postgresql") ?? 0) - (cpuBefore.get("postgresql") ?? 0)) / floor.transactions;

// Ours: the same payments through the running service's processors.
const db = createPool(config.DATABASE_URL, 2);
const replay = await prepareReplay(config, db, { payments, psp: "stripe", withConfirm: true });
const window = await openWindow(db);
const r = await replay.run();
const figures = await window.finish(r.applied / 2);
await db.end();
// Backends only, like the floor (which has no walsenders decoding its WAL): the CDC cost is reported apart.
const oursPgMs = figures.cpu_ms_per_payment.postgresql ?? Number.NaN;

console.log(
  JSON.stringify(
    {
      floor: {
        statements_per_payment_in_script: statementsInScript,
        payments_per_s: round(floor.tps, 1),
        postgresql_cpu_ms_per_payment: round(floorPgMs),
      },
      ours: {
        payments: r.applied / 2,
        payments_per_s: round(r.paymentsPerS, 1),
        postgresql_cpu_ms_per_payment: oursPgMs,
        postgresql_walsenders_cpu_ms_per_payment:
          figures.cpu_ms_per_payment["postgresql walsenders (CDC)"] ?? 0,
        ...(typeof figures.db === "string"
          ? {}
          : {
              statements_per_payment: figures.db.statements_per_payment,
              commits_per_payment: figures.db.commits_per_payment,
            }),
      },
      pg_floor_ratio: round(floorPgMs / oursPgMs),
      pgbench_tpcb_tps: tpcb?.tps ?? null,
    },
    null,
    2,
  ),
);
