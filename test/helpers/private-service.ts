import pg from "pg";
import { freePort } from "./free-port.ts";
import { createDatabase } from "./private-database.ts";
import { type ServiceProcess, spawnService, waitForHttp } from "./service-process.ts";
import { provisionKey, testApiKey } from "./test-key.ts";

export type SimName = "stripe" | "adyen" | "fraud";

export interface PrivateService {
  baseUrl: string;
  /** The environment the service was started with (its topics, group ids…). */
  env: Record<string, string>;
  db: pg.Pool;
  sims: Record<SimName, { base: string; process: ServiceProcess }>;
  service: ServiceProcess;
  /** Restarts a simulator that was stopped (same port; its in-memory ledger starts empty). */
  restartSim(name: SimName): Promise<void>;
  stop(): Promise<void>;
}

const SIM_ENTRY: Record<SimName, string> = {
  stripe: "simulators/stripe/main.ts",
  adyen: "simulators/adyen/main.ts",
  fraud: "simulators/fraud/main.ts",
};

/**
 * A service (ingress + processors) of its own, over a private database, private topics and its own
 * simulators, for tests that stop, pause or kill a dependency: nothing they do reaches the run's shared
 * service or the stack's simulators.
 */
export async function startPrivateService(
  name: string,
  env: Record<string, string> = {},
): Promise<PrivateService> {
  const database = await createDatabase(name);
  const run = database.name;
  const [port, processorPort] = [await freePort(), await freePort()];
  const baseUrl = `http://127.0.0.1:${port}`;
  const sims = {} as PrivateService["sims"];
  const startSim = async (sim: SimName, simPort: number) => {
    const hook: Record<string, string> = sim === "fraud" ? {} : { WEBHOOK_URL: `${baseUrl}/webhooks/${sim}` };
    const child = spawnService(SIM_ENTRY[sim], { PORT: String(simPort), ...hook }, `${run}-sim-${sim}`);
    const base = `http://127.0.0.1:${simPort}`;
    await waitForHttp(`${base}/health`, 30_000, child.child);
    sims[sim] = { base, process: child };
  };
  for (const sim of ["stripe", "adyen", "fraud"] as const) await startSim(sim, await freePort());

  const serviceEnv: Record<string, string> = {
    DATABASE_URL: database.url,
    PORT: String(port),
    PROCESSOR_HTTP_PORT: String(processorPort),
    COMMAND_TOPIC: `test.${run}.commands`,
    COMMAND_DLQ_TOPIC: `test.${run}.commands.dlq`,
    PROCESSOR_GROUP_ID: `test-${run}`,
    WEBHOOK_TOPIC: `test.${run}.webhooks`,
    WEBHOOK_GROUP_ID: `test-${run}-webhooks`,
    ORDER_CREATED_TOPIC: `test.${run}.orders`,
    ORDER_GROUP_ID: `test-${run}-orders`,
    STRIPE_API_BASE: sims.stripe.base,
    ADYEN_API_BASE: sims.adyen.base,
    FRAUD_API_BASE: sims.fraud.base,
    ...env,
  };
  const service = spawnService("scripts/start.ts", serviceEnv, `${run}-service`);
  await waitForHttp(`${baseUrl}/readyz`, 90_000, service.child);
  await provisionKey(database.url, testApiKey());
  const db = new pg.Pool({ connectionString: database.url, max: 3 });

  return {
    baseUrl,
    env: serviceEnv,
    db,
    sims,
    service,
    async restartSim(sim) {
      await sims[sim].process.stop("SIGKILL");
      await startSim(sim, Number(new URL(sims[sim].base).port));
    },
    async stop() {
      await service.stop();
      await Promise.all(Object.values(sims).map((s) => s.process.stop("SIGKILL")));
      await db.end();
      await database.drop();
    },
  };
}
