import { readdirSync, readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { api } from "../helpers/api.ts";
import { newPaymentBody } from "../helpers/factories.ts";
import { freePort } from "../helpers/free-port.ts";
import { privateTopicsEnv } from "../helpers/private-topics.ts";
import { type ServiceProcess, spawnService, waitForHttp } from "../helpers/service-process.ts";
import { eventually } from "../helpers/wait.ts";

// `npm start` (scripts/supervise.ts): the ingress and the processors as two processes. On private topics
// and groups, so nothing else in the run rebalances.
const env = { ...privateTopicsEnv("supervise"), JANITOR_ENABLED: "false" };
const started: ServiceProcess[] = [];

afterAll(async () => {
  await Promise.all(started.map((s) => s.stop("SIGKILL")));
});

/** The role processes (scripts/launch.mjs …) whose parent is `pid`; tsx may have an esbuild child too. */
function childrenOf(pid: number): number[] {
  return readdirSync("/proc")
    .filter((e) => /^\d+$/.test(e))
    .flatMap((e) => {
      try {
        const stat = readFileSync(`/proc/${e}/stat`, "utf8");
        const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        const role = readFileSync(`/proc/${e}/cmdline`, "utf8").includes("launch.mjs");
        return ppid === pid && role ? [Number(e)] : [];
      } catch {
        return [];
      }
    });
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function startSupervised() {
  const [port, processorPort, opsPort] = [await freePort(), await freePort(), await freePort()];
  const supervisor = spawnService(
    "scripts/supervise.ts",
    {
      ...env,
      PORT: String(port),
      PROCESSOR_HTTP_PORT: String(processorPort),
      INGRESS_OPS_PORT: String(opsPort),
    },
    `test-supervise-${started.length}`,
  );
  started.push(supervisor);
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitForHttp(`${baseUrl}/readyz`, 90_000, supervisor.child);
  await waitForHttp(`http://127.0.0.1:${processorPort}/healthz`, 90_000, supervisor.child);
  const exited = new Promise<number | null>((resolve) =>
    supervisor.child.once("exit", (code) => resolve(code)),
  );
  return { supervisor, baseUrl, exited, roles: childrenOf(supervisor.child.pid as number) };
}

describe("npm start: the ingress and the processors as two supervised processes", () => {
  it("serves payments through both, and SIGTERM stops both and exits 0", async () => {
    const { supervisor, baseUrl, exited, roles } = await startSupervised();
    expect(roles).toHaveLength(2);
    const created = await api.post("/payments", newPaymentBody({ psp: "stripe" }), { baseUrl });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const confirmed = await api.post(`/payments/${created.body.payment_id}/confirm`, {}, { baseUrl });
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    expect(confirmed.body.status).toBe("succeeded");

    supervisor.child.kill("SIGTERM");
    expect(await exited).toBe(0);
    for (const pid of roles) expect(alive(pid)).toBe(false);
  }, 150_000);

  it("stops the other role and exits non-zero when one role dies", async () => {
    const { exited, roles } = await startSupervised();
    const [first, second] = roles as [number, number];
    process.kill(first, "SIGKILL");
    expect(await exited).not.toBe(0);
    await eventually("the surviving role to be stopped", async () => (alive(second) ? undefined : true));
  }, 150_000);
});
