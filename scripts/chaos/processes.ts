import { type ChildProcess, spawn } from "node:child_process";
import {
  closeSync,
  createWriteStream,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
} from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./campaign-env.ts";
import { sleep } from "./time.ts";

const everyChild = new Set<ChildProcess>();

/** On SIGINT/SIGTERM of the campaign: no simulator or service process may outlive it. */
export function killEveryChild(): void {
  for (const child of everyChild) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGCONT");
      child.kill("SIGKILL");
    }
  }
}

/** A node process the campaign started (service role or simulator); restartable under the same name. */
export class ManagedProcess {
  child: ChildProcess | null = null;
  /** Set while the campaign itself ends the process (a fault, or teardown): that exit is no crash. */
  private exitExpected = false;
  /** Called when the process exits without the campaign asking it to. */
  onCrash: ((exit: string) => void) | null = null;

  constructor(
    readonly name: string,
    private readonly entry: string,
    private readonly env: Record<string, string>,
    private readonly logDir: string,
    readonly healthUrl: string,
  ) {}

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  get alive(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  start(): void {
    mkdirSync(this.logDir, { recursive: true });
    const log = createWriteStream(join(this.logDir, `${this.name}.log`), { flags: "a" });
    // One process (node --import tsx, not the tsx CLI): a signal must hit the real process.
    const child = spawn(process.execPath, ["--import", "tsx", join(REPO_ROOT, this.entry)], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...this.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    this.child = child;
    everyChild.add(child);
    child.once("exit", () => everyChild.delete(child));
    this.exitExpected = false;
    child.once("exit", (code, signal) => {
      if (!this.exitExpected && this.child === child) this.onCrash?.(signal ?? `exit ${code}`);
    });
  }

  get logFile(): string {
    return join(this.logDir, `${this.name}.log`);
  }

  signal(signal: NodeJS.Signals): void {
    if (this.alive) this.child?.kill(signal);
  }

  /** SIGKILL, and wait until the process is gone. */
  async kill(): Promise<boolean> {
    const child = this.child;
    if (!child || !this.alive) return false;
    this.exitExpected = true;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGKILL");
    await Promise.race([exited, sleep(5_000)]);
    return !this.alive;
  }

  /** SIGTERM, then SIGKILL after graceMs (a stopped process is continued first so it can exit). */
  async stop(graceMs = 10_000): Promise<void> {
    const child = this.child;
    this.exitExpected = true;
    if (!child || !this.alive) return;
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.kill("SIGCONT");
    child.kill("SIGTERM");
    await Promise.race([exited, sleep(graceMs)]);
    if (this.alive) {
      child.kill("SIGKILL");
      await Promise.race([exited, sleep(5_000)]);
    }
  }

  isHealthy(): Promise<boolean> {
    return fetch(this.healthUrl, { signal: AbortSignal.timeout(2_000) }).then(
      (r) => r.ok,
      () => false,
    );
  }

  /** Waits until healthUrl answers 200; fails when the deadline passes or the process dies. */
  async waitHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.alive)
        throw new Error(
          `${this.name} exited (${this.child?.exitCode ?? this.child?.signalCode}) before it was healthy; see ${this.logDir}/${this.name}.log`,
        );
      if (await this.isHealthy()) return;
      await sleep(250);
    }
    throw new Error(`${this.name} not healthy within ${timeoutMs} ms (${this.healthUrl})`);
  }
}

/** The kernel's view of a process: 'T' when stopped (SIGSTOP landed), null when gone. */
export function processState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
  } catch {
    return null;
  }
}

/** The first line of the last error a crashed process printed (an uncaught throw or 'error' event). */
export function lastErrorLine(logFile: string): string {
  let text = "";
  try {
    const fd = openSync(logFile, "r");
    const size = fstatSync(fd).size;
    const buffer = Buffer.alloc(Math.min(size, 16_384));
    readSync(fd, buffer, 0, buffer.length, size - buffer.length);
    closeSync(fd);
    text = buffer.toString("utf8");
  } catch {
    return "no log";
  }
  const lines = text.split("\n").filter((l) => /^\w*Error\b|^error:|^\s*code: '/.test(l));
  return lines.slice(-2).join(" ").trim() || "no error printed";
}
