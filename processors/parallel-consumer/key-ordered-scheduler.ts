export interface SchedulerOptions<T> {
  /** Handlers running at once. */
  concurrency: number;
  keyOf(item: T): string;
  /** An item that is no longer live (its partition was revoked) is discarded instead of started or retried. */
  isLive(item: T): boolean;
  run(item: T): Promise<void>;
  /** Called once per item, after `run` resolved. */
  onDone(item: T): void;
  /** A failed run is retried after `backoffMs(attempt)`; the key stays blocked, other keys go on. */
  onRetry(item: T, error: unknown, attempt: number, delayMs: number): void;
  backoffMs(attempt: number): number;
}

/**
 * Key-ordered work queues: one key's items run one at a time in arrival order, different keys run in
 * parallel up to `concurrency`. An item that throws is retried with backoff before anything behind it
 * on its key, without holding a slot while it waits.
 */
export class KeyOrderedScheduler<T> {
  private readonly queues = new Map<string, T[]>();
  /** Keys whose head item is running or waiting for its retry. */
  private readonly busy = new Set<string>();
  private readonly ready: string[] = [];
  private readonly running = new Set<T>();
  private readonly attempts = new Map<T, number>();
  private settledWaiters: Array<() => void> = [];

  constructor(private readonly o: SchedulerOptions<T>) {}

  push(item: T): void {
    const key = this.o.keyOf(item);
    const queue = this.queues.get(key);
    if (queue) {
      queue.push(item);
      return;
    }
    this.queues.set(key, [item]);
    this.ready.push(key);
    this.pump();
  }

  /** Items queued, waiting for a retry, or running. */
  get size(): number {
    let n = 0;
    for (const queue of this.queues.values()) n += queue.length;
    return n;
  }

  get active(): number {
    return this.running.size;
  }

  /** Forgets queued items that are no longer live, so they do not wait for their key to come up. */
  sweep(): void {
    for (const [key, queue] of this.queues) {
      const keep = queue.filter((item, i) => (i === 0 && this.busy.has(key)) || this.o.isLive(item));
      if (keep.length === 0) this.queues.delete(key);
      else this.queues.set(key, keep);
    }
  }

  /** Resolves true once no matching item is running, or false when `timeoutMs` passes first. */
  async whenIdle(match: (item: T) => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while ([...this.running].some(match)) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        timer = setTimeout(resolve, left);
        this.settledWaiters.push(resolve);
      });
      clearTimeout(timer);
    }
    return true;
  }

  private pump(): void {
    while (this.running.size < this.o.concurrency && this.ready.length > 0) {
      const key = this.ready.shift() as string;
      if (this.busy.has(key)) continue;
      const head = this.liveHead(key);
      if (head !== undefined) this.start(key, head);
    }
  }

  /** The key's first live item; dead ones ahead of it are discarded. */
  private liveHead(key: string): T | undefined {
    const queue = this.queues.get(key);
    while (queue && queue.length > 0 && !this.o.isLive(queue[0] as T)) {
      this.attempts.delete(queue.shift() as T);
    }
    if (queue?.length === 0) this.queues.delete(key);
    return queue?.[0];
  }

  private start(key: string, item: T): void {
    this.busy.add(key);
    this.running.add(item);
    Promise.resolve()
      .then(() => this.o.run(item))
      .then(
        () => this.finished(key, item, true),
        (error: unknown) => {
          if (!this.o.isLive(item)) return this.finished(key, item, false);
          this.settle(item);
          const attempt = (this.attempts.get(item) ?? 0) + 1;
          this.attempts.set(item, attempt);
          const delayMs = this.o.backoffMs(attempt);
          this.o.onRetry(item, error, attempt, delayMs);
          setTimeout(() => this.release(key), delayMs);
          this.pump();
        },
      );
  }

  private finished(key: string, item: T, done: boolean): void {
    this.settle(item);
    this.attempts.delete(item);
    const queue = this.queues.get(key);
    if (queue?.[0] === item) queue.shift();
    if (done) this.o.onDone(item);
    this.release(key);
  }

  /** The key may start its next item. */
  private release(key: string): void {
    this.busy.delete(key);
    if (this.queues.get(key)?.length) this.ready.push(key);
    else this.queues.delete(key);
    this.pump();
  }

  private settle(item: T): void {
    this.running.delete(item);
    const waiters = this.settledWaiters;
    this.settledWaiters = [];
    for (const wake of waiters) wake();
  }
}
