/** Waits until `probe` returns a value that is not undefined; a timeout fails the test. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  pollMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ""}`,
      );
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** Waits until `condition` holds; a timeout fails the test. */
export async function waitUntil(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  pollMs = 50,
): Promise<void> {
  await eventually(what, async () => ((await condition()) ? true : undefined), timeoutMs, pollMs);
}

/** The process state letter from /proc (T = stopped): proof that a SIGSTOP really landed. */
export async function processState(pid: number): Promise<string> {
  const { readFile } = await import("node:fs/promises");
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
}

/**
 * Sends SIGSTOP and waits until the kernel shows the process stopped: the signal is delivered
 * asynchronously, so a state read right after kill() may still say R.
 */
export async function freezeProcess(pid: number, timeoutMs = 2_000): Promise<void> {
  process.kill(pid, "SIGSTOP");
  await waitUntil(
    `pid ${pid} to stop (state T)`,
    async () => (await processState(pid)) === "T",
    timeoutMs,
    10,
  );
}
