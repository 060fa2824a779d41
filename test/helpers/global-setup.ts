import type { TestProject } from "vitest/node";
import { generateApiKey } from "../../core/security/api-keys.ts";
import { setWebhookEndpoint, webhookEndpoint } from "./psp-simulators.ts";
import { type ServiceProcess, spawnService, waitForHttp } from "./service-process.ts";
import { stackEnv } from "./stack-env.ts";
import { provisionKey } from "./test-key.ts";

declare module "vitest" {
  export interface ProvidedContext {
    apiUrl: string;
    opsUrl: string;
  }
}

// Overridable so that two runs on one machine do not collide.
const TEST_PORT = process.env.PAYMENTS_TEST_PORT ?? "18080";
const TEST_PROCESSOR_PORT = process.env.PAYMENTS_TEST_PROCESSOR_PORT ?? "19464";
const TEST_OPS_PORT = process.env.PAYMENTS_TEST_OPS_PORT ?? "19463";
const PSPS = ["stripe", "adyen"] as const;
let service: ServiceProcess | undefined;
/** Where the stack's simulators delivered webhooks before this run, restored at teardown. */
const previousEndpoints = new Map<(typeof PSPS)[number], string | null>();

/**
 * Integration tests need the stack (`npm run stack:up`) and the service. The service is started here,
 * once per run, unless PAYMENTS_API_URL points at one already running.
 */
export async function setup(project: TestProject) {
  if (process.env.PAYMENTS_UNIT_ONLY === "1") return;
  const external = process.env.PAYMENTS_API_URL;
  const apiUrl = external ?? `http://127.0.0.1:${TEST_PORT}`;
  const opsUrl = process.env.PAYMENTS_OPS_URL ?? `http://127.0.0.1:${TEST_OPS_PORT}`;
  project.provide("apiUrl", apiUrl);
  project.provide("opsUrl", opsUrl);
  process.env.PAYMENTS_API_URL = apiUrl;
  process.env.PAYMENTS_OPS_URL = opsUrl;
  if (!external) {
    await assertStackUp();
    service = spawnService(
      "scripts/start.ts",
      {
        PORT: TEST_PORT,
        PROCESSOR_HTTP_PORT: TEST_PROCESSOR_PORT,
        INGRESS_OPS_PORT: TEST_OPS_PORT,
        // Tests that make the fraud service fail on purpose (pm_sim_fraud_down) share this service with
        // every other test: at the default threshold their failures opened the breaker that the others'
        // payments go through, and under the suite's load an 800 ms scoring timeout was hit at start-up.
        // The breaker and the timeout are tested on their own (test/unit/breaker-metric.test.ts,
        // test/integration/fraud-scorer.test.ts).
        FRAUD_BREAKER_VOLUME_THRESHOLD: "50",
        FRAUD_TIMEOUT_MS: "2000",
      },
      "test-service",
    );
    await waitForHttp(`${apiUrl}/readyz`, 90_000, service.child);
    // The service has migrated the database: the run's own key goes in now (an external service
    // comes with its key in PAYMENTS_TEST_API_KEY).
    const key = generateApiKey("test").secret;
    await provisionKey(stackEnv.databaseUrl, key);
    process.env.PAYMENTS_TEST_API_KEY = key;
  }
  await pointSimulatorsAt(apiUrl);
}

export async function teardown() {
  for (const [psp, url] of previousEndpoints) await setWebhookEndpoint(psp, url);
  await service?.stop();
}

/** The PSP simulators deliver their signed webhooks to the service under test. */
async function pointSimulatorsAt(apiUrl: string) {
  for (const psp of PSPS) {
    const previous = await webhookEndpoint(psp);
    if (previous !== undefined && (await setWebhookEndpoint(psp, `${apiUrl}/webhooks/${psp}`))) {
      previousEndpoints.set(psp, previous);
      continue;
    }
    console.warn(
      `[global-setup] the ${psp} simulator cannot be pointed at ${apiUrl}: it predates POST /_sim/webhook-endpoint. ` +
        `Restart it (bash scripts/stack/down.sh sim-${psp} && npm run stack:up); webhook tests will fail until then.`,
    );
  }
}

async function assertStackUp() {
  const registry = await fetch(`${stackEnv.registryUrl}/subjects`).then(
    (r) => r.ok,
    () => false,
  );
  const stripe = await fetch(`${stackEnv.stripeBase}/health`).then(
    (r) => r.ok,
    () => false,
  );
  if (!registry || !stripe) {
    throw new Error("The local stack is not running: start it with `npm run stack:up` (see README).");
  }
}
