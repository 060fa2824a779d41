/**
 * Load shedding for the mutating routes (ADR 0013). The ingress admits at most `limit` of them at once
 * and answers the rest 503 `overloaded` with Retry-After at once, before any database or Kafka work, so
 * past capacity the service keeps completing what it admitted instead of queueing everything until it
 * times out. The limit adapts (AIMD on latency, as TCP Vegas and Netflix's concurrency-limits do): every
 * window whose mean latency passes the target shrinks it by a fifth; a window under target in which the
 * limit was reached grows it by one plus a twentieth. Work already started (confirm, capture, cancel,
 * refund of an existing payment) may use twice the limit: new payments are shed first, so admitted
 * flows can finish.
 */
export interface AdmissionOptions {
  /** Mean latency of admitted requests that the limit steers towards. */
  targetMs: number;
  minLimit: number;
  maxLimit: number;
  windowMs: number;
  now?: () => number;
}

export type AdmissionClass = "new" | "continuation";

export class AdmissionControl {
  private inFlight = 0;
  private current: number;
  private windowStart: number;
  private windowLatencySum = 0;
  private windowSamples = 0;
  private windowReachedLimit = false;
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
      if (mean > this.o.targetMs) this.current = Math.max(this.o.minLimit, Math.floor(this.current * 0.8));
      else if (this.windowReachedLimit)
        this.current = Math.min(this.o.maxLimit, this.current + 1 + Math.floor(this.current / 20));
    }
    this.windowStart = now;
    this.windowLatencySum = 0;
    this.windowSamples = 0;
    this.windowReachedLimit = false;
  }
}
