import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateApiKey, MERCHANT_SCOPES } from "../../core/security/api-keys.ts";
import { createPool } from "../../db/pool.ts";
import { ensureMerchant, insertApiKey } from "../../db/repositories/api-keys-repo.ts";
import { publishOrders } from "./autopay.ts";
import { type CampaignEnv, databaseUrl } from "./campaign-env.ts";
import { runChecks } from "./checks/index.ts";
import type { Violation } from "./checks/observations.ts";
import { checkOutboxStalls } from "./checks/outbox-stall.ts";
import { runFaults } from "./faults.ts";
import { ApiClient, type KeyedRequest } from "./http-client.ts";
import { observe, sendReplays } from "./observe.ts";
import type { OutcomeCollector } from "./outcome-collector.ts";
import { buildPlan, describeFault } from "./plan.ts";
import type { PlanOptions } from "./plan-types.ts";
import type { RunResult } from "./report.ts";
import { createTopics, deleteSubjects, deleteTopics, runNames, runTopics } from "./run-topics.ts";
import { CHAOS_MERCHANT_ID, RunService } from "./service.ts";
import { waitForQuiet } from "./settle.ts";
import { pg } from "./shell.ts";
import type { Simulators } from "./simulators.ts";
import { runTraffic } from "./traffic.ts";

export interface RunContext {
  e: CampaignEnv;
  sims: Simulators;
  collector: OutcomeCollector;
  planOptions: PlanOptions;
  settleMs: number;
  keepDatabase: boolean;
  log: (line: string) => void;
}

/** One seeded run: its own database, topics and service processes; traffic and faults; settle; checks. */
export async function runOnce(seed: number, c: RunContext): Promise<RunResult> {
  const started = Date.now();
  const plan = buildPlan(seed, c.planOptions);
  const tag = `s${seed}-${started.toString(36)}`;
  const db = `payments_w4_${tag.replace(/-/g, "_")}`;
  const names = runNames(tag);
  const logDir = join(c.e.stackDir, "runs", tag);
  mkdirSync(logDir, { recursive: true });
  writeFileSync(join(logDir, "plan.json"), JSON.stringify({ ...plan, db, names }, null, 2));
  c.log(
    `seed=${seed} run ${tag}: db ${db}, logs ${logDir}, faults ${plan.faults.map(describeFault).join(" ") || "none"}`,
  );

  await c.sims.reset();
  await pg(c.e, "createdb", db);
  const pool = createPool(databaseUrl(c.e, db), 4);
  await createTopics(c.e, runTopics(names));
  const service = new RunService(c.e, names, db, plan.processors, logDir);
  const violations: Violation[] = [];
  const result: RunResult = {
    seed,
    tag,
    plan,
    durationMs: 0,
    faults: [],
    ops: { requests: 0, orders: 0, replays: 0 },
    violations,
  };
  try {
    await service.start(120_000);
    // The processors migrated the run's database: the campaign's merchant and key go in now.
    const key = generateApiKey("test");
    await ensureMerchant(pool, CHAOS_MERCHANT_ID, "chaos campaign");
    await insertApiKey(pool, { ...key, merchantId: CHAOS_MERCHANT_ID, scopes: MERCHANT_SCOPES, label: tag });
    const api = new ApiClient(`http://127.0.0.1:${c.e.ingressPort}`, key.secret);
    const replayRequests: KeyedRequest[] = [];
    const orderBase = started * 100;
    const t0 = Date.now() + 200;
    const [traffic, orders, faults] = await Promise.all([
      runTraffic(api, tag, orderBase, plan.payments, t0, replayRequests),
      publishOrders(c.e, names.ORDER_CREATED_TOPIC, orderBase, plan.orders, t0),
      runFaults({ e: c.e, sims: c.sims, service, pool }, plan.faults, t0),
    ]);
    result.faults = faults;
    const expected = [...traffic.paymentIds, ...orders.paymentIds];
    const stillBusy = await waitForQuiet(pool, c.collector, expected, c.settleMs);
    const replays = await sendReplays(api, replayRequests);
    // A replay that ran again (its first answer left no trace) may have started work: let it finish.
    if (replays.some((r) => !r.again.replayed)) await waitForQuiet(pool, c.collector, expected, 30_000);
    result.ops = { requests: traffic.requests, orders: orders.published, replays: replays.length };
    result.dbBatches = await service.dbBatches();

    for (const f of faults)
      if (!f.landed) violations.push({ check: "fault", detail: `did not land: ${f.detail}` });
    violations.push(...checkOutboxStalls(faults));
    for (const crash of service.crashes) violations.push({ check: "crash", detail: crash });
    if (stillBusy.length > 0)
      violations.push({
        check: "quiescence",
        detail: `not quiet ${c.settleMs / 1000}s after traffic: ${stillBusy.join(", ")}`,
      });
    violations.push(
      ...runChecks(await observe(pool, c.sims, c.collector, api, replays, expected, orders.paymentIds)),
    );
  } catch (err) {
    violations.push({ check: "fault", detail: `run aborted: ${(err as Error).message.split("\n")[0]}` });
  } finally {
    await service.stop();
    await pool.end();
    result.durationMs = Date.now() - started;
    writeFileSync(join(logDir, "result.json"), JSON.stringify({ ...result, plan: undefined }, bigintJson, 2));
    await cleanUp(c, names, db, violations.length === 0 && !c.keepDatabase);
  }
  return result;
}

async function cleanUp(c: RunContext, names: ReturnType<typeof runNames>, db: string, dropDatabase: boolean) {
  const topics = runTopics(names).map((t) => t.topic);
  await deleteTopics(c.e, topics).catch((err: Error) =>
    c.log(`cleanup: deleting topics failed: ${err.message}`),
  );
  await deleteSubjects(c.e.registryUrl, topics);
  if (dropDatabase) await pg(c.e, "dropdb", db).catch((err: Error) => c.log(`cleanup: ${err.message}`));
}

const bigintJson = (_key: string, value: unknown) => (typeof value === "bigint" ? value.toString() : value);
