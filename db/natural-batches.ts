export interface BatchLimits {
  /** Batches running at once; items arriving meanwhile wait and form the next batch. */
  maxInFlight: number;
  /** Items of one batch at most. */
  maxSize: number;
}

/**
 * Natural batching: an item runs at once when fewer than `maxInFlight` batches are running (at low load
 * nothing waits); otherwise it waits, and everything that waited goes together in the next batch. Items
 * pushed in one turn of the event loop (the commands of one Kafka batch reaching the same step) start
 * together. Under load batches grow by themselves, with no timer and no added latency when idle.
 */
export class NaturalBatches<T> {
  private readonly queue: T[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly limits: BatchLimits,
    /** Runs one batch; must not throw (each item carries its own way to fail). */
    private readonly run: (items: T[]) => Promise<void>,
  ) {}

  push(item: T): void {
    this.queue.push(item);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.limits.maxInFlight && this.queue.length > 0) {
      const items = this.queue.splice(0, this.limits.maxSize);
      this.inFlight += 1;
      void this.run(items).finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
    }
  }
}

/** A request waiting in a batch, and how to answer it. */
export interface Pending<Req, Res> {
  request: Req;
  resolve(value: Res): void;
  reject(error: unknown): void;
}

/**
 * Lookups answered a batch at a time by one statement (`loadMany` returns one answer per request, in
 * order). A batch that fails is retried one request at a time, so one bad request fails only its caller.
 */
export class BatchedLookup<Req, Res> {
  private readonly batches: NaturalBatches<Pending<Req, Res>>;

  constructor(
    limits: BatchLimits,
    private readonly loadMany: (requests: Req[]) => Promise<Res[]>,
    onBatch?: (size: number) => void,
  ) {
    this.batches = new NaturalBatches(limits, async (items) => {
      onBatch?.(items.length);
      try {
        const answers = await this.loadMany(items.map((p) => p.request));
        for (const [i, p] of items.entries()) p.resolve(answers[i] as Res);
      } catch (err) {
        if (items.length === 1) (items[0] as Pending<Req, Res>).reject(err);
        else await Promise.all(items.map((p) => this.loadOne(p)));
      }
    });
  }

  load(request: Req): Promise<Res> {
    return new Promise<Res>((resolve, reject) => this.batches.push({ request, resolve, reject }));
  }

  private async loadOne(p: Pending<Req, Res>): Promise<void> {
    try {
      const [answer] = await this.loadMany([p.request]);
      p.resolve(answer as Res);
    } catch (err) {
      p.reject(err);
    }
  }
}
