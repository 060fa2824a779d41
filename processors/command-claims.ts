import { randomUUID } from "node:crypto";
import { commandClaimsRefused, dbBatchSize } from "../core/infra/metrics.ts";
import { BatchedLookup, type BatchLimits } from "../db/natural-batches.ts";
import type { Pool } from "../db/pool.ts";
import { claimCommands, releaseClaim, renewClaims } from "../db/repositories/claims-repo.ts";

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
  /** Command id → the owner token of the run holding it (one per handler run, never per process). */
  private readonly held = new Map<string, string>();
  private readonly timer: NodeJS.Timeout;
  /** Claims taken at the same time go in one statement. */
  private readonly claiming: BatchedLookup<{ commandId: string; owner: string }, boolean>;

  constructor(
    private readonly pool: Pool,
    private readonly instance: string,
    private readonly leaseMs: number,
    batches: BatchLimits,
  ) {
    this.claiming = new BatchedLookup(
      batches,
      (claims) => claimCommands(this.pool, claims, this.leaseMs),
      (size) => dbBatchSize.observe({ kind: "claim" }, size),
    );
    this.timer = setInterval(
      () => {
        const held = [...this.held].map(([commandId, owner]) => ({ commandId, owner }));
        renewClaims(this.pool, held, this.leaseMs).catch(() => undefined);
      },
      Math.max(500, Math.floor(leaseMs / 3)),
    );
    this.timer.unref();
  }

  /**
   * Runs `work` under the command's claim. `storedReply(result)` says whether the work stored the
   * command's reply: that statement ended the claim already (saveCommandResult); otherwise (a throw, a
   * redelivery that found the reply) the claim is released here.
   */
  async run<T>(commandId: string, work: () => Promise<T>, storedReply: (result: T) => boolean): Promise<T> {
    // Two copies can run in one process (two partitions): each run is its own owner.
    // The random part first: the column holds 64 characters, and what makes the owner unique must survive.
    const owner = `${randomUUID().slice(0, 13)}:${this.instance}`.slice(0, 64);
    if (!(await this.claiming.load({ commandId, owner }))) {
      commandClaimsRefused.inc();
      throw new CommandClaimedElsewhere(commandId);
    }
    this.held.set(commandId, owner);
    let released = false;
    try {
      const result = await work();
      released = storedReply(result);
      return result;
    } finally {
      this.held.delete(commandId);
      if (!released) await releaseClaim(this.pool, commandId, owner).catch(() => undefined);
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
