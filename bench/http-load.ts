// Open-model load: create+confirm pairs arrive at a constant rate, whether or not earlier ones finished.
// Usage: npm run bench -- --rate=100 --duration=30 [--url=http://127.0.0.1:8080] [--max-inflight=2000]
import { randomInt } from "node:crypto";
import { benchApiKey } from "./api-key.ts";
import { arg, argString, percentiles } from "./stats.ts";

const rate = arg("rate", 100);
const durationS = arg("duration", 30);
const maxInflight = arg("max-inflight", 2000);
const url = argString("url", process.env.PAYMENTS_API_URL ?? "http://127.0.0.1:8080");
const psp = argString("psp", "stripe");
const authorization = `Bearer ${await benchApiKey()}`;

const flowLatencies: number[] = [];
const confirmLatencies: number[] = [];
const statusCounts = new Map<string, number>();
let inflight = 0;
let dropped = 0;
let errors = 0;
let completed = 0;

async function post(path: string, body: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: await res.json().catch(() => null) };
}

async function flow(): Promise<void> {
  const start = performance.now();
  try {
    const created = await post("/payments", {
      order_id: randomInt(1, 2 ** 47),
      amount: `${randomInt(1, 500)}.${String(randomInt(0, 100)).padStart(2, "0")}`,
      currency: "USD",
      psp,
      payment_method: { type: "card", token: `pm_bench_${randomInt(1e12)}` },
    });
    if (created.status !== 201) throw new Error(`create ${created.status}`);
    const confirmStart = performance.now();
    const confirmed = await post(`/payments/${created.json.payment_id}/confirm`, {});
    confirmLatencies.push(performance.now() - confirmStart);
    statusCounts.set(String(confirmed.status), (statusCounts.get(String(confirmed.status)) ?? 0) + 1);
    if (confirmed.status !== 200) throw new Error(`confirm ${confirmed.status}`);
    flowLatencies.push(performance.now() - start);
    completed += 1;
  } catch {
    errors += 1;
  }
}

const intervalMs = 1000 / rate;
const total = Math.round(rate * durationS);
const started = performance.now();
const pending: Promise<void>[] = [];
for (let i = 0; i < total; i++) {
  const due = started + i * intervalMs;
  const wait = due - performance.now();
  if (wait > 1) await new Promise((r) => setTimeout(r, wait));
  if (inflight >= maxInflight) {
    dropped += 1;
    continue;
  }
  inflight += 1;
  pending.push(flow().finally(() => (inflight -= 1)));
}
const sendWindowS = (performance.now() - started) / 1000;
await Promise.all(pending);
const elapsedS = (performance.now() - started) / 1000;

console.log(
  JSON.stringify(
    {
      target_rate_flows_per_s: rate,
      duration_s: durationS,
      offered: total,
      achieved_arrival_rate_per_s: Math.round((total / sendWindowS) * 10) / 10,
      completed_flows: completed,
      completed_flows_per_s: Math.round((completed / elapsedS) * 10) / 10,
      http_requests_per_min: Math.round(((completed * 2) / elapsedS) * 60),
      errors,
      dropped,
      confirm_status_counts: Object.fromEntries(statusCounts),
      flow_latency_ms: percentiles(flowLatencies),
      confirm_latency_ms: percentiles(confirmLatencies),
    },
    null,
    2,
  ),
);
