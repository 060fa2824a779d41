import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { type CampaignEnv, REPO_ROOT } from "./campaign-env.ts";

const run = promisify(execFile);

/** Runs one of the stack scripts against the campaign's cluster; throws with its output on failure. */
export async function stackScript(
  e: CampaignEnv,
  script: string,
  args: string[],
  timeoutMs = 180_000,
): Promise<string> {
  try {
    const { stdout } = await run("bash", [script, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...e.stackScriptEnv },
      timeout: timeoutMs,
      maxBuffer: 4 * 1024 * 1024,
    });
    return stdout;
  } catch (err) {
    const {
      stdout = "",
      stderr = "",
      message,
    } = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${script} ${args.join(" ")} failed: ${message}\n${stdout}${stderr}`.trim());
  }
}

export const stackUp = (e: CampaignEnv) =>
  stackScript(e, "scripts/stack/up.sh", ["postgres", "kafka"], 300_000);
export const broker = (e: CampaignEnv, action: "kill" | "start", node: number) =>
  stackScript(e, "scripts/stack/kafka-broker.sh", [action, String(node)]);
export const pg = (e: CampaignEnv, ...args: string[]) => stackScript(e, "scripts/chaos/pg.sh", args);

/** Which process owns a local TCP port (as root `ss -p` sees every socket). */
export async function pidOwningLocalPort(port: number): Promise<number | null> {
  const { stdout } = await run("ss", ["-Htnp", "state", "established", `( sport = :${port} )`]);
  const match = /pid=(\d+)/.exec(stdout);
  return match ? Number(match[1]) : null;
}

/** The pid and command line of whatever listens on a local port, or null when it is free. */
export async function listenerOf(port: number): Promise<string | null> {
  const { stdout } = await run("ss", ["-Hltnp", `( sport = :${port} )`]);
  if (!stdout.trim()) return null;
  const pid = /pid=(\d+)/.exec(stdout)?.[1];
  if (!pid) return "unknown process";
  const cmdline = await run("cat", [`/proc/${pid}/cmdline`]).then(
    (r) => r.stdout.replaceAll("\0", " ").trim(),
    () => "?",
  );
  return `pid ${pid} (${cmdline})`;
}
