import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Settings tuned so timeouts and the janitor show up within a test's patience. */
export const TEST_SERVICE_ENV = {
  NODE_ENV: "test",
  LOG_LEVEL: process.env.LOG_LEVEL ?? "warn",
  PSP_TIMEOUT_MS: "3000",
  JANITOR_INTERVAL_MS: "1000",
  JANITOR_MIN_AGE_MS: "8000",
  JANITOR_FIRST_CHECK_MS: "2000",
  JANITOR_ACCEPTED_CHECK_MS: "2000",
  JANITOR_MAX_BACKOFF_MS: "4000",
  REVIEW_AFTER_CHECKS: "4",
  PSP_PARK_RETRY_MS: "2000",
  PSP_PARK_DEADLINE_MS: "15000",
  COMMAND_CLAIM_LEASE_MS: "6000",
  REPLY_TIMEOUT_MS: "10000",
  // Any free port for the ingress's ops listener unless a test names one (global-setup does).
  INGRESS_OPS_PORT: "0",
  // The suite confirms the same test tokens thousands of times; the velocity test sets its own limit.
  CONFIRM_VELOCITY_PER_TOKEN: "1000000",
  // Every file of the suite sends with one key, from many processes at once (a 429 on a create is not
  // what those tests are about); the rate-limit tests set their own budget.
  API_KEY_RATE_LIMIT_PER_SEC: "100000",
  // Autopay payments belong to the suite's merchant, so its key can read them.
  AUTOPAY_MERCHANT_ID: "mer_tests",
};

const OUTPUT_TAIL_CHARS = 4000;
const tails = new WeakMap<ChildProcess, () => string>();

export interface ServiceProcess {
  child: ChildProcess;
  /** The last few KiB the process wrote, for an error message when it dies. */
  outputTail(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts an entry point (scripts/start.ts, processors/main.ts, http-ingress/main.ts) as a real process. */
export function spawnService(entry: string, env: Record<string, string>, logName: string): ServiceProcess {
  mkdirSync(join(ROOT, ".stack", "logs"), { recursive: true });
  const log = createWriteStream(join(ROOT, ".stack", "logs", `${logName}.log`), { flags: "w" });
  // One process (not the tsx wrapper, which forks a child): a SIGKILL must hit the real process.
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "--import", join(ROOT, "core/infra/tracing/register.ts"), join(ROOT, entry)],
    {
      cwd: ROOT,
      env: { ...process.env, ...TEST_SERVICE_ENV, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  let tail = "";
  const keepTail = (chunk: Buffer) => {
    tail = (tail + chunk.toString("utf8")).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on("data", keepTail);
  child.stderr?.on("data", keepTail);
  tails.set(child, () => tail);
  return {
    child,
    outputTail: () => tail,
    stop: (signal = "SIGTERM") =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill(signal);
        setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
      }),
  };
}

export async function waitForHttp(url: string, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null)
      throw new Error(
        `process exited with ${child.exitCode} before ${url} was up; its last output:\n${tails.get(child)?.() ?? "(not captured)"}`,
      );
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms`);
}
