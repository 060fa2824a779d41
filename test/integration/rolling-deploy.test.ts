import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EVENT_TOPICS } from "../../core/infra/topics.ts";
import { api } from "../helpers/api.ts";
import { testDb } from "../helpers/db.ts";
import { EventLog } from "../helpers/event-log.ts";
import { freePort } from "../helpers/free-port.ts";
import { createMixedPayments, expectChargedAndAnnouncedOnce } from "../helpers/mixed-payments.ts";
import { privateTopicsEnv } from "../helpers/private-topics.ts";
import { type ServiceProcess, spawnService, waitForHttp } from "../helpers/service-process.ts";
import { eventually } from "../helpers/wait.ts";

// docs/deploy.md: a rolling deploy of the processors as Kubernetes runs it (maxSurge 1, maxUnavailable 0):
// a new pod starts and is live, then an old one gets SIGTERM, twice, while confirms keep arriving.
// Its own ingress and processors on private topics and groups: nothing else in the run rebalances.
const env = { ...privateTopicsEnv("rolling"), JANITOR_ENABLED: "false" };
const PAYMENTS = 60;
const CONFIRM_SPACING_MS = 250;

let ingress: ServiceProcess;
let baseUrl = "";
const processors: ServiceProcess[] = [];
const events = new EventLog();

async function startProcessor(name: string): Promise<ServiceProcess> {
  const port = await freePort();
  const p = spawnService(
    "processors/main.ts",
    { ...env, PROCESSOR_HTTP_PORT: String(port) },
    `test-rolling-${name}`,
  );
  // Live (as the startup probe sees it) before the next old pod is stopped.
  await waitForHttp(`http://127.0.0.1:${port}/healthz`, 60_000, p.child);
  processors.push(p);
  return p;
}

/** SIGTERM, and the exit it ends in: 0 is a graceful drain (handlers finished, offsets committed, group left). */
async function terminate(p: ServiceProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => p.child.once("exit", (code) => resolve(code)));
  await p.stop("SIGTERM");
  return exited;
}

beforeAll(async () => {
  await events.start([EVENT_TOPICS.authorized]);
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  ingress = spawnService("http-ingress/main.ts", { ...env, PORT: String(port) }, "test-rolling-ingress");
  await waitForHttp(`${baseUrl}/readyz`, 60_000, ingress.child);
}, 120_000);

afterAll(async () => {
  await Promise.all([ingress?.stop(), ...processors.map((p) => p.stop())]);
  await events.stop();
});

describe("a rolling deploy of the processors under load", () => {
  it("answers every confirm and charges, settles and announces each payment exactly once", async () => {
    const [oldA, oldB] = [await startProcessor("old-a"), await startProcessor("old-b")];
    // Slow PSP answers for a third: handlers are in flight when each SIGTERM lands.
    const ids = await createMixedPayments(PAYMENTS, baseUrl);

    let sent = 0;
    // The last third waits for the second SIGTERM, so confirms still arrive while the last old pod
    // drains however long the new pods take to start on a busy machine.
    let lastTermSent: () => void = () => undefined;
    const secondTerm = new Promise<void>((r) => {
      lastTermSent = r;
    });
    const confirms = ids.map((id, i) =>
      new Promise((r) => setTimeout(r, i * CONFIRM_SPACING_MS))
        .then(() => (i >= Math.floor((PAYMENTS * 2) / 3) ? secondTerm : undefined))
        .then(() => {
          sent++;
          return api.post(`/payments/${id}/confirm`, {}, { baseUrl });
        }),
    );
    const sentAtTerm: number[] = [];
    await startProcessor("new-a");
    sentAtTerm.push(sent);
    const exitA = await terminate(oldA);
    await startProcessor("new-b");
    sentAtTerm.push(sent);
    const drainB = terminate(oldB);
    lastTermSent();
    const exitB = await drainB;
    const answers = await Promise.all(confirms);

    // The deploy happened while confirms were still arriving, and both old pods drained cleanly.
    for (const at of sentAtTerm) {
      expect(at).toBeGreaterThan(0);
      expect(at).toBeLessThan(PAYMENTS);
    }
    expect([exitA, exitB]).toEqual([0, 0]);
    for (const a of answers) expect([200, 202]).toContain(a.status);

    const statuses = await eventually(
      "every payment succeeded",
      async () => {
        const { rows } = await testDb().query<{ status: string }>(
          "SELECT status FROM payments WHERE payment_id = ANY($1::uuid[])",
          [ids],
        );
        return rows.length === PAYMENTS && rows.every((r) => r.status === "succeeded") ? rows : undefined;
      },
      60_000,
    );
    expect(statuses).toHaveLength(PAYMENTS);
    await expectChargedAndAnnouncedOnce(ids, events);
    const { rows } = await testDb().query<{ n: number }>(
      "SELECT count(*)::int AS n FROM processed_commands WHERE payment_id = ANY($1::uuid[]) AND command_type = 'confirm'",
      [ids],
    );
    expect(rows[0]?.n).toBe(PAYMENTS);
  }, 240_000);
});
