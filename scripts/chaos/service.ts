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

  /**
   * The processors' database batches so far (ADR 0013 §9), from the metrics of those still running:
   * per kind, batches run, how many of them served more than one command, and commands served.
   */
  async dbBatches(): Promise<DbBatches> {
    const totals: DbBatches = {};
    for (const p of this.processors.filter((q) => q.alive)) {
      const text = await fetch(p.healthUrl.replace(/\/healthz$/, "/metrics"))
        .then((r) => r.text())
        .catch(() => "");
      for (const [kind, b] of Object.entries(parseDbBatches(text))) {
        const t = totals[kind] ?? { batches: 0, shared: 0, commands: 0 };
        totals[kind] = {
          batches: t.batches + b.batches,
          shared: t.shared + b.shared,
          commands: t.commands + b.commands,
        };
      }
    }
    return totals;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.all.map((p) => p.stop(10_000)));
  }

  byPid(pid: number): ManagedProcess | undefined {
    return this.processors.find((p) => p.pid === pid);
  }
}

export type DbBatches = Record<string, { batches: number; shared: number; commands: number }>;

/** processor_db_batch_size from a Prometheus text page: count, sum, and the le="1" bucket per kind. */
export function parseDbBatches(text: string): DbBatches {
  const out: DbBatches = {};
  const line = /^processor_db_batch_size_(bucket|sum|count)\{([^}]*)\} (\S+)$/gm;
  for (const m of text.matchAll(line)) {
    const labels = Object.fromEntries(
      [...(m[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1] as string, l[2] as string]),
    );
    const kind = labels.kind;
    if (!kind) continue;
    const b = out[kind] ?? { batches: 0, shared: 0, commands: 0 };
    out[kind] = b;
    const value = Number(m[3]);
    if (m[1] === "count") {
      b.batches = value;
      b.shared += value;
    } else if (m[1] === "sum") b.commands = value;
    else if (labels.le === "1") b.shared -= value;
  }
  return out;
}
