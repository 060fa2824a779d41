/**
 * Load shedding for the mutating routes (ADR 0013). The ingress admits at most `limit` of them at once
 * and answers the rest 503 `overloaded` with Retry-After at once, before any database or Kafka work, so
 * past capacity the service keeps completing what it admitted instead of queueing everything until it
 * times out. The limit adapts (AIMD on latency, as TCP Vegas and Netflix's concurrency-limits do): every
 * window whose mean latency passes the target shrinks it by a fifth; a window under target in which the
 * limit was reached grows it by one plus a twentieth. Work already started (confirm, capture, cancel,
 * refund of an existing payment) may use twice the limit: new payments are shed first, so admitted
 * flows can finish.
 *
 * The latency target is relative, as in TCP Vegas: twice the lowest mean seen over the last minute in
 * windows where the limit was not reached (the service's latency without queueing on this machine),
 * and never below `targetMs`. An absolute target alone would shed most traffic on a slower machine
 * whose unloaded latency is already near it.
 */
export interface AdmissionOptions {
  /** Lowest latency target: the limit never shrinks while admitted requests average less than this. */
  targetMs: number;
  minLimit: number;
  maxLimit: number;
  windowMs: number;
  now?: () => number;
}

export type AdmissionClass = "new" | "continuation";

/** How far back unqueued windows count towards the latency baseline. */
const BASELINE_HORIZON_MS = 60_000;

export class AdmissionControl {
  private inFlight = 0;
  private current: number;
  private windowStart: number;
  private windowLatencySum = 0;
  private windowSamples = 0;
  private windowReachedLimit = false;
  /** Means of recent windows in which the limit was not reached: [time, mean ms]. */
  private unqueued: Array<[number, number]> = [];
  private readonly now: () => number;

  constructor(private readonly o: AdmissionOptions) {
    this.now = o.now ?? (() => performance.now());
    this.current = o.maxLimit;
    this.windowStart = this.now();
  }

  get limit(): number {
    return this.current;
  }

  get admitted(): number {
    return this.inFlight;
  }

  /** A ticket to pass to leave(), or null: shed this request. */
  tryEnter(kind: AdmissionClass): { started: number } | null {
    this.roll();
    const bound = kind === "new" ? this.current : this.current * 2;
    if (this.inFlight >= bound) {
      this.windowReachedLimit = true;
      return null;
    }
    this.inFlight += 1;
    if (this.inFlight >= this.current) this.windowReachedLimit = true;
    return { started: this.now() };
  }

  leave(ticket: { started: number }): void {
    this.inFlight -= 1;
    this.windowLatencySum += this.now() - ticket.started;
    this.windowSamples += 1;
    this.roll();
  }

  private roll(): void {
    const now = this.now();
    if (now - this.windowStart < this.o.windowMs) return;
    if (this.windowSamples > 0) {
      const mean = this.windowLatencySum / this.windowSamples;
      if (!this.windowReachedLimit) this.unqueued.push([now, mean]);
      this.unqueued = this.unqueued.filter(([at]) => now - at <= BASELINE_HORIZON_MS);
      const baseline = Math.min(...this.unqueued.map(([, m]) => m));
      const target = Math.max(this.o.targetMs, Number.isFinite(baseline) ? baseline * 2 : 0);
      if (mean > target) this.current = Math.max(this.o.minLimit, Math.floor(this.current * 0.8));
      else if (this.windowReachedLimit)
        this.current = Math.min(this.o.maxLimit, this.current + 1 + Math.floor(this.current / 20));
    }
    this.windowStart = now;
    this.windowLatencySum = 0;
    this.windowSamples = 0;
    this.windowReachedLimit = false;
  }
}
