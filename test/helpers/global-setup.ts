import type { TestProject } from "vitest/node";
import { type ServiceProcess, spawnService, waitForHttp } from "./service-process.ts";
import { stackEnv } from "./stack-env.ts";

declare module "vitest" {
  export interface ProvidedContext {
    apiUrl: string;
  }
}

const TEST_PORT = "18080";
let service: ServiceProcess | undefined;

/**
 * Integration tests need the stack (`npm run stack:up`) and the service. The service is started here,
 * once per run, unless PAYMENTS_API_URL points at one already running.
 */
export async function setup(project: TestProject) {
  if (process.env.PAYMENTS_UNIT_ONLY === "1") return;
  const external = process.env.PAYMENTS_API_URL;
  const apiUrl = external ?? `http://127.0.0.1:${TEST_PORT}`;
  project.provide("apiUrl", apiUrl);
  process.env.PAYMENTS_API_URL = apiUrl;
  if (external) return;
  await assertStackUp();
  service = spawnService(
    "scripts/start.ts",
    { PORT: TEST_PORT, PROCESSOR_HTTP_PORT: "19464" },
    "test-service",
  );
  await waitForHttp(`${apiUrl}/readyz`, 90_000, service.child);
}

export async function teardown() {
  await service?.stop();
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
