import type { Pool } from "../db/pool.ts";
import { claimCommand, releaseClaim, renewClaims } from "../db/repositories/claims-repo.ts";

/** Thrown when another processor holds the command: transient, the command is retried later. */
export class CommandClaimedElsewhere extends Error {
  readonly code = "COMMAND_CLAIMED";
  constructor(commandId: string) {
    super(`command ${commandId} is being applied by another processor`);
  }
}

/**
 * The claims this process holds on the commands it is applying, renewed while it works. Two copies of
 * one command (a rebalance, a duplicate) can never both act: the second waits for the first to finish
 * or for its lease to lapse (a dead or frozen holder), then finds the stored reply or resumes the
 * attempt under the same PSP idempotency key.
 */
export class CommandClaims {
  private readonly held = new Set<string>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pool: Pool,
    private readonly owner: string,
    private readonly leaseMs: number,
  ) {
    this.timer = setInterval(
      () => {
        renewClaims(this.pool, this.owner, [...this.held], this.leaseMs).catch(() => undefined);
      },
      Math.max(500, Math.floor(leaseMs / 3)),
    );
    this.timer.unref();
  }

  async run<T>(commandId: string, work: () => Promise<T>): Promise<T> {
    if (!(await claimCommand(this.pool, commandId, this.owner, this.leaseMs))) {
      throw new CommandClaimedElsewhere(commandId);
    }
    this.held.add(commandId);
    try {
      return await work();
    } finally {
      this.held.delete(commandId);
      await releaseClaim(this.pool, commandId, this.owner).catch(() => undefined);
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
