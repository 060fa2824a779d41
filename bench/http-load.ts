// Open-model load: create+confirm pairs arrive at a constant rate, whether or not earlier ones finished.
// Usage: npm run bench -- --rate=100 --duration=30 [--url=http://127.0.0.1:8080] [--max-inflight=2000]
//   [--tpcb=no] (skip the pgbench TPC-B reference run) [--warmup=5] (seconds of load before measuring)
// Prints completed flows/s and latencies, CPU ms per payment by process, statements and commits per
// payment, and flows/s relative to a pgbench TPC-B run made first, on the idle stack.

import { randomInt } from "node:crypto";
import { request } from "undici";
import { loadConfig } from "../core/infra/config.ts";
import { createPool } from "../db/pool.ts";
import { benchApiKey } from "./api-key.ts";
import { tpcbReference } from "./pgbench.ts";
import { arg, argString, percentiles } from "./stats.ts";
import { openWindow } from "./window.ts";

const rate = arg("rate", 100);
const durationS = arg("duration", 30);
const warmupS = arg("warmup", 5);
const maxInflight = arg("max-inflight", 2000);
const url = argString("url", process.env.PAYMENTS_API_URL ?? "http://127.0.0.1:8080");
const psp = argString("psp", "stripe");
const withTpcb = argString("tpcb", "yes") !== "no";
const authorization = `Bearer ${await benchApiKey()}`;
const config = loadConfig();
const db = createPool(config.DATABASE_URL, 2);

/** 429 and 503 with Retry-After: the ingress shedding load (counted apart from errors). */
const isShed = (status: number) => status === 429 || status === 503;

interface Tally {
  flowLatencies: number[];
  confirmLatencies: number[];
  shedLatencies: number[];
  statusCounts: Map<string, number>;
  completed: number;
  shed: number;
  errors: number;
  dropped: number;
}

const newTally = (): Tally => ({
  flowLatencies: [],
  confirmLatencies: [],
  shedLatencies: [],
  statusCounts: new Map(),
  completed: 0,
  shed: 0,
  errors: 0,
  dropped: 0,
});

async function post(path: string, body: unknown): Promise<{ status: number; json: any; ms: number }> {
  const start = performance.now();
  const res = await request(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization },
    body: JSON.stringify(body),
  });
  const json = await res.body.json().catch(() => null);
  return { status: res.statusCode, json, ms: performance.now() - start };
}

async function flow(t: Tally): Promise<void> {
  const start = performance.now();
  try {
    const created = await post("/payments", {
      order_id: randomInt(1, 2 ** 47),
      amount: `${randomInt(1, 500)}.${String(randomInt(0, 100)).padStart(2, "0")}`,
      currency: "USD",
      psp,
      payment_method: { type: "card", token: `pm_bench_${randomInt(1e12)}` },
    });
    if (isShed(created.status)) {
      t.shed += 1;
      t.shedLatencies.push(created.ms);
      return;
    }
    if (created.status !== 201) throw new Error(`create ${created.status}`);
    const confirmed = await post(`/payments/${created.json.payment_id}/confirm`, {});
    t.statusCounts.set(String(confirmed.status), (t.statusCounts.get(String(confirmed.status)) ?? 0) + 1);
    if (isShed(confirmed.status)) {
      t.shed += 1;
      t.shedLatencies.push(confirmed.ms);
      return;
    }
    t.confirmLatencies.push(confirmed.ms);
    if (confirmed.status !== 200) throw new Error(`confirm ${confirmed.status}`);
    t.flowLatencies.push(performance.now() - start);
    t.completed += 1;
  } catch {
    t.errors += 1;
  }
}

/** Offers `rate` flows/s for `seconds`; resolves when every offered flow has finished. */
async function offer(seconds: number, t: Tally): Promise<{ sendWindowS: number; elapsedS: number }> {
  const intervalMs = 1000 / rate;
  const total = Math.round(rate * seconds);
  const started = performance.now();
  const pending: Promise<void>[] = [];
  let inflight = 0;
  for (let i = 0; i < total; i++) {
    const due = started + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    if (inflight >= maxInflight) {
      t.dropped += 1;
      continue;
    }
    inflight += 1;
    pending.push(flow(t).finally(() => (inflight -= 1)));
  }
  const sendWindowS = (performance.now() - started) / 1000;
  await Promise.all(pending);
  return { sendWindowS, elapsedS: (performance.now() - started) / 1000 };
}

const tpcb = withTpcb ? await tpcbReference(config.DATABASE_URL) : null;
if (warmupS > 0) await offer(warmupS, newTally());

const tally = newTally();
const window = await openWindow(db);
const { sendWindowS, elapsedS } = await offer(durationS, tally);
const figures = await window.finish(tally.completed);
await db.end();

const offered = Math.round(rate * durationS);
const completedPerS = Math.round((tally.completed / elapsedS) * 10) / 10;
console.log(
  JSON.stringify(
    {
      target_rate_flows_per_s: rate,
      duration_s: durationS,
      offered,
      achieved_arrival_rate_per_s: Math.round((offered / sendWindowS) * 10) / 10,
      completed_flows: tally.completed,
      completed_flows_per_s: completedPerS,
      http_requests_per_min: Math.round(((tally.completed * 2) / elapsedS) * 60),
      errors: tally.errors,
      dropped: tally.dropped,
      shed: tally.shed,
      shed_latency_ms: percentiles(tally.shedLatencies),
      confirm_status_counts: Object.fromEntries(tally.statusCounts),
      flow_latency_ms: percentiles(tally.flowLatencies),
      confirm_latency_ms: percentiles(tally.confirmLatencies),
      ...figures,
      pgbench_tpcb_tps: tpcb?.tps ?? null,
      flows_per_tpcb_transaction: tpcb ? Math.round((completedPerS / tpcb.tps) * 1000) / 1000 : null,
    },
    null,
    2,
  ),
);
