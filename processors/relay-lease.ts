import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Logger } from "../core/infra/logger.ts";
import type { Pool } from "../db/pool.ts";
import {
  acquireRelayLease,
  type LeaseTerm,
  releaseRelayLease,
  renewRelayLease,
} from "../db/repositories/relay-lease-repo.ts";

export interface RelayLeaseOptions {
  pool: Pool;
  logger: Logger;
  name: string;
  ttlMs: number;
  renewMs: number;
}

/**
 * Leadership of the outbox relay as a renewed lease. The lease's expiry lives in the database; this
 * process only trusts its term until `ttlMs` after it last *sent* a successful renewal, by its monotonic
 * clock, which keeps running while the process is frozen. So a leader that was stopped for longer than
 * the TTL knows, when it wakes, that it must ask again before it publishes.
 */
export class RelayLease {
  readonly holder = `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
  private term: LeaseTerm | null = null;
  private trustedUntil = 0;
  private renewing: Promise<boolean> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly o: RelayLeaseOptions) {}

  /** The current term, for fencing marks; null when not leading. */
  get current(): LeaseTerm | null {
    return this.term;
  }

  /** Takes the lease if it is free; starts renewing it in the background. */
  async acquire(): Promise<boolean> {
    if (this.term) return true;
    const sentAt = performance.now();
    const term = await acquireRelayLease(this.o.pool, this.o.name, this.holder, this.o.ttlMs);
    if (!term) return false;
    this.term = term;
    this.trustedUntil = sentAt + this.o.ttlMs;
    this.timer = setInterval(() => void this.renew(), this.o.renewMs);
    this.timer.unref();
    this.o.logger.info({ holder: this.holder, epoch: term.epoch }, "outbox relay lease acquired");
    return true;
  }

  /**
   * True when this process may publish now: its term is trusted for at least one more renewal period,
   * else it renews first (and steps down if the database says the term is over).
   */
  async confirm(): Promise<boolean> {
    if (!this.term) return false;
    if (performance.now() + this.o.renewMs < this.trustedUntil) return true;
    return this.renew();
  }

  /** Steps down because a fenced write proved that another leader holds the lease. */
  lost(reason: string): void {
    if (!this.term) return;
    this.o.logger.warn({ holder: this.holder, epoch: this.term.epoch, reason }, "outbox relay lease lost");
    this.stopRenewing();
    this.term = null;
  }

  async release(): Promise<void> {
    const term = this.term;
    this.stopRenewing();
    this.term = null;
    if (term) await releaseRelayLease(this.o.pool, term).catch(() => undefined);
  }

  private renew(): Promise<boolean> {
    this.renewing ??= this.renewOnce().finally(() => {
      this.renewing = null;
    });
    return this.renewing;
  }

  private async renewOnce(): Promise<boolean> {
    const term = this.term;
    if (!term) return false;
    const sentAt = performance.now();
    const renewed = await renewRelayLease(this.o.pool, term, this.o.ttlMs).catch((err: Error) => {
      this.o.logger.warn({ err: err.message }, "outbox relay lease renewal failed");
      return null;
    });
    if (this.term !== term) return false;
    if (renewed) this.trustedUntil = sentAt + this.o.ttlMs;
    // A failed round trip is not proof of loss: keep the term until it is no longer trusted.
    else if (renewed === false) this.lost("renewal refused: the term is over");
    else if (performance.now() >= this.trustedUntil) this.lost("no renewal within the TTL");
    return this.term === term && performance.now() < this.trustedUntil;
  }

  private stopRenewing(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
