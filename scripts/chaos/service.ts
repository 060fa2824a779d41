import { type CampaignEnv, databaseUrl } from "./campaign-env.ts";
import { lastErrorLine, ManagedProcess } from "./processes.ts";
import { RUN_PARTITIONS, type RunNames } from "./run-topics.ts";
import { listenerOf } from "./shell.ts";
import { until } from "./time.ts";

/** Every payment of a run belongs to this merchant; run.ts creates it and its key before traffic starts. */
export const CHAOS_MERCHANT_ID = "mer_chaos";

/** Service settings for a run: short PSP timeout and janitor delays so that faults resolve within minutes. */
function serviceEnv(e: CampaignEnv, names: RunNames, db: string): Record<string, string> {
  return {
    ...names,
    NODE_ENV: "test",
    LOG_LEVEL: "warn",
    DATABASE_URL: databaseUrl(e, db),
    DATABASE_POOL_SIZE: "6",
    KAFKA_BROKERS: e.kafkaBootstrap,
    SCHEMA_REGISTRY_URL: e.registryUrl,
    COMMAND_TOPIC_PARTITIONS: String(RUN_PARTITIONS),
    PROCESSOR_CONCURRENCY: "8",
    STRIPE_API_BASE: `http://127.0.0.1:${e.sim.stripe}`,
    ADYEN_API_BASE: `http://127.0.0.1:${e.sim.adyen}`,
    FRAUD_API_BASE: `http://127.0.0.1:${e.sim.fraud}`,
    OUTBOX_PUBLISHER: "relay",
    PSP_TIMEOUT_MS: "3000",
    REPLY_TIMEOUT_MS: "5000",
    JANITOR_INTERVAL_MS: "1000",
    // Longer than a Stripe call with its same-key retry (2 × PSP_TIMEOUT_MS).
    JANITOR_MIN_AGE_MS: "8000",
    JANITOR_FIRST_CHECK_MS: "1000",
    JANITOR_CHECK_LEASE_MS: "20000",
    JANITOR_ACCEPTED_CHECK_MS: "2000",
    JANITOR_MAX_BACKOFF_MS: "4000",
    REVIEW_AFTER_CHECKS: "5",
    PSP_PARK_RETRY_MS: "2000",
    PSP_PARK_DEADLINE_MS: "30000",
    INGRESS_RATE_LIMIT_PER_SEC: "1000",
    AUTOPAY_MERCHANT_ID: CHAOS_MERCHANT_ID,
    INGRESS_OPS_PORT: "0",
    CONFIRM_VELOCITY_PER_TOKEN: "1000000",
  };
}

/** The run's own service: one ingress and `processors` processor processes (each runs a relay candidate). */
export class RunService {
  readonly ingress: ManagedProcess;
  readonly processors: ManagedProcess[];
  /** Processes that exited without being asked to; each was restarted, as a supervisor would. */
  readonly crashes: string[] = [];
  private stopping = false;

  constructor(e: CampaignEnv, names: RunNames, db: string, processors: number, logDir: string) {
    const env = serviceEnv(e, names, db);
    this.ingress = new ManagedProcess(
      "ingress",
      "http-ingress/main.ts",
      { ...env, PORT: String(e.ingressPort), SERVICE_NAME: "chaos-ingress" },
      logDir,
      `http://127.0.0.1:${e.ingressPort}/readyz`,
    );
    this.processors = Array.from({ length: processors }, (_, i) => {
      const port = e.processorPortBase + i;
      return new ManagedProcess(
        `processor-${i}`,
        "processors/main.ts",
        { ...env, PROCESSOR_HTTP_PORT: String(port), SERVICE_NAME: `chaos-processor-${i}` },
        logDir,
        `http://127.0.0.1:${port}/healthz`,
      );
    });
  }

  /** Restarts a process that died on its own after a second, and records the crash. */
  private supervise(startedAt: number): void {
    for (const p of this.all) {
      p.onCrash = (exit) => {
        if (this.stopping) return;
        const at = ((Date.now() - startedAt) / 1000).toFixed(1);
        this.crashes.push(`${p.name} crashed (${exit}) at ${at}s: ${lastErrorLine(p.logFile)}`);
        setTimeout(() => {
          if (!this.stopping && !p.alive) p.start();
        }, 1_000);
      };
    }
  }

  get all(): ManagedProcess[] {
    return [this.ingress, ...this.processors];
  }

  /** The run's ports must be free: a process left from an earlier run would take its traffic. */
  private async portsFree(): Promise<void> {
    for (const p of this.all) {
      const port = Number(new URL(p.healthUrl).port);
      const free = await until(async () => (await listenerOf(port)) === null, 20_000, 500);
      if (!free) throw new Error(`port ${port} of ${p.name} is taken by ${await listenerOf(port)}`);
    }
  }

  async start(timeoutMs: number): Promise<void> {
    await this.portsFree();
    // Processors first: they migrate, register schemas and start consuming before traffic arrives.
    for (const p of this.processors) p.start();
    await Promise.all(this.processors.map((p) => p.waitHealthy(timeoutMs)));
    this.ingress.start();
    await this.ingress.waitHealthy(timeoutMs);
    this.supervise(Date.now());
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.all.map((p) => p.stop(10_000)));
  }

  byPid(pid: number): ManagedProcess | undefined {
    return this.processors.find((p) => p.pid === pid);
  }
}
