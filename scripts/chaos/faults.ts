import type { Pool } from "../../db/pool.ts";
import type { CampaignEnv } from "./campaign-env.ts";
import { describeFault, resourceOf } from "./plan.ts";
import type { Fault, Psp } from "./plan-types.ts";
import { type ManagedProcess, processState } from "./processes.ts";
import { relayLeaderPid } from "./relay-leader.ts";
import type { RunService } from "./service.ts";
import { broker, pg } from "./shell.ts";
import type { Simulators } from "./simulators.ts";
import { sleep, until } from "./time.ts";

export interface FaultOutcome {
  fault: Fault;
  /** What it hit (a pid, a broker, …) and whether it landed; a fault that did not land fails the run. */
  landed: boolean;
  detail: string;
  /** relay-leader-stop: the oldest unpublished outbox row's greatest age while the leader was frozen. */
  outboxStallMs?: number;
}

interface Deps {
  e: CampaignEnv;
  sims: Simulators;
  service: RunService;
  pool: Pool;
}

/**
 * Runs the whole schedule against the run's processes; resolves when every fault has been undone.
 * Faults on one resource wait for the one before to be undone (a restart can outlast the planned
 * gap on a loaded machine), so they never overlap.
 */
export function runFaults(d: Deps, faults: Fault[], t0: number): Promise<FaultOutcome[]> {
  const previous = new Map<string, Promise<unknown>>();
  return Promise.all(
    faults.map((fault) => {
      const before = previous.get(resourceOf(fault)) ?? Promise.resolve();
      const done = before.then(async () => {
        await sleep(Math.max(0, t0 + fault.atMs - Date.now()));
        try {
          return { fault, ...(await inject(d, fault)) };
        } catch (err) {
          const reason = (err as Error).message.split("\n")[0];
          return { fault, landed: false, detail: `${describeFault(fault)} failed: ${reason}` };
        }
      });
      previous.set(resourceOf(fault), done);
      return done;
    }),
  );
}

async function leader(d: Deps): Promise<ManagedProcess | null> {
  let found: ManagedProcess | null = null;
  await until(async () => {
    const pid = await relayLeaderPid(d.pool);
    found = pid === null ? null : (d.service.byPid(pid) ?? null);
    return found !== null;
  }, 15_000); // after a PostgreSQL restart the relays need a moment to elect a leader again
  return found;
}

async function killProcessor(p: ManagedProcess, downMs: number) {
  const pid = p.pid;
  const landed = await p.kill();
  await sleep(downMs);
  p.start();
  // The restart may itself crash (PostgreSQL down) and be restarted by the run's supervisor: wait
  // for health, whichever process gives it.
  const healthy = await until(() => p.isHealthy(), 90_000, 500);
  return {
    landed,
    detail: `SIGKILL ${p.name} pid ${pid}, restarted${healthy ? "" : ", not healthy within 90 s"}`,
  };
}

async function stopProcessor(p: ManagedProcess, stoppedMs: number) {
  const pid = p.pid;
  p.signal("SIGSTOP");
  await sleep(50);
  const landed = pid !== null && processState(pid) === "T";
  await sleep(stoppedMs);
  p.signal("SIGCONT");
  return { landed, detail: `SIGSTOP ${p.name} pid ${pid} for ${stoppedMs} ms` };
}

/** Samples the age of the oldest unpublished outbox row every 500 ms; returns the greatest age seen. */
async function watchOutboxStall(pool: Pool, watching: { on: boolean }): Promise<number> {
  let worst = 0;
  while (watching.on) {
    const { rows } = await pool
      .query<{ age_ms: string | null }>(
        `SELECT (extract(epoch FROM now() - min(occurred_at)) * 1000)::bigint AS age_ms
           FROM payment_outbox WHERE published_at IS NULL AND publisher = 'relay'`,
      )
      .catch(() => ({ rows: [] as Array<{ age_ms: string | null }> }));
    worst = Math.max(worst, Number(rows[0]?.age_ms ?? 0));
    await sleep(500);
  }
  return worst;
}

async function inject(d: Deps, f: Fault): Promise<Omit<FaultOutcome, "fault">> {
  switch (f.kind) {
    case "processor-kill":
    case "processor-stop": {
      const p = d.service.processors[f.target as number];
      if (!p?.alive) return { landed: false, detail: `processor ${f.target} not running` };
      return f.kind === "processor-kill" ? killProcessor(p, f.durationMs) : stopProcessor(p, f.durationMs);
    }
    case "relay-leader-kill":
    case "relay-leader-stop": {
      const p = await leader(d);
      if (!p) return { landed: false, detail: "no relay leader found among the run's processors" };
      if (f.kind === "relay-leader-kill") {
        const done = await killProcessor(p, f.durationMs);
        return { ...done, detail: `relay leader: ${done.detail}` };
      }
      const watching = { on: true };
      const stall = watchOutboxStall(d.pool, watching);
      const done = await stopProcessor(p, f.durationMs);
      watching.on = false;
      return { ...done, detail: `relay leader: ${done.detail}`, outboxStallMs: await stall };
    }
    case "broker-kill": {
      await broker(d.e, "kill", f.target as number);
      await sleep(f.durationMs);
      await broker(d.e, "start", f.target as number);
      return { landed: true, detail: `SIGKILL kafka-${f.target}, restarted` };
    }
    case "pg-restart": {
      await pg(d.e, "stop", f.mode ?? "fast");
      const landed = await d.pool.query("SELECT 1").then(
        () => false,
        () => true,
      );
      await sleep(f.durationMs);
      await pg(d.e, "start");
      return { landed, detail: `PostgreSQL stopped (${f.mode}) for ${f.durationMs} ms` };
    }
    case "psp-stall": {
      const landed = await d.sims.stall(f.target as Psp);
      await sleep(f.durationMs);
      d.sims.resume(f.target as Psp);
      return { landed, detail: `SIGSTOP sim-${f.target}` };
    }
    case "fraud-down": {
      const landed = await d.sims.killFraud();
      await sleep(f.durationMs);
      await d.sims.restartFraud();
      return { landed, detail: "fraud simulator killed, restarted" };
    }
    case "webhook-loss": {
      const psp = f.target as Psp;
      const landed = await d.sims.setWebhookEndpoint(psp, null);
      await sleep(f.durationMs);
      await d.sims.setWebhookEndpoint(psp, d.sims.webhookUrl(psp));
      return { landed, detail: `sim-${psp} webhooks dropped` };
    }
  }
}
