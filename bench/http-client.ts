// CPU per call of the HTTP clients a PSP connector could use, against a local node:http server in a
// child process (so only the client's CPU is counted): fetch (what the connectors used before), undici's
// request() with a keep-alive pool (what they use now), and node:http with a keep-alive agent.
// Usage: npm run bench:http-client -- [--requests=6000] [--concurrency=8]
import { fork } from "node:child_process";
import http from "node:http";
import { Agent, request } from "undici";
import { arg } from "./stats.ts";

const requests = arg("requests", 6000);
const concurrency = arg("concurrency", 8);

if (process.argv.includes("--serve")) {
  const reply = JSON.stringify({
    id: "pi_bench",
    object: "payment_intent",
    status: "succeeded",
    amount: 1000,
  });
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end(reply));
  });
  server.listen(0, "127.0.0.1", () => process.send?.((server.address() as { port: number }).port));
} else {
  const child = fork(new URL(import.meta.url).pathname, ["--serve"], { execArgv: ["--import", "tsx"] });
  const port = await new Promise<number>((resolve) => child.once("message", (p) => resolve(p as number)));
  const url = `http://127.0.0.1:${port}/v1/payment_intents`;
  const body = "amount=1000&currency=usd&payment_method=pm_card_visa&confirm=true";
  const headers = { "content-type": "application/x-www-form-urlencoded", "idempotency-key": "bench" };
  const pool = new Agent();
  const agent = new http.Agent({ keepAlive: true });

  const clients: Record<string, () => Promise<number>> = {
    fetch: async () => {
      const r = await fetch(url, { method: "POST", headers, body, signal: AbortSignal.timeout(5_000) });
      await r.text();
      return r.status;
    },
    "undici request()": async () => {
      const r = await request(url, {
        method: "POST",
        headers,
        body,
        dispatcher: pool,
        signal: AbortSignal.timeout(5_000),
      });
      await r.body.text();
      return r.statusCode;
    },
    "node:http + keep-alive agent": () =>
      new Promise((resolve, reject) => {
        const req = http.request(url, { method: "POST", headers, agent, timeout: 5_000 }, (res) => {
          res.resume();
          res.on("end", () => resolve(res.statusCode ?? 0));
        });
        req.on("error", reject);
        req.end(body);
      }),
  };

  const results: Record<string, { cpu_us_per_call: number; calls_per_s: number }> = {};
  for (const [name, call] of Object.entries(clients)) {
    for (let i = 0; i < 500; i++) await call();
    let left = requests;
    const cpu = process.cpuUsage();
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (left-- > 0) if ((await call()) !== 200) throw new Error(`${name}: unexpected status`);
      }),
    );
    const used = process.cpuUsage(cpu);
    const seconds = (performance.now() - started) / 1000;
    results[name] = {
      cpu_us_per_call: Math.round((used.user + used.system) / requests),
      calls_per_s: Math.round(requests / seconds),
    };
  }
  console.log(JSON.stringify({ requests, concurrency, results }, null, 2));
  child.kill();
  await pool.close();
  agent.destroy();
}
